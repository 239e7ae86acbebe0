package io.jlivepeer.node.broadcaster;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.proto.AuthToken;
import io.jlivepeer.wire.proto.EndTranscodingSessionRequest;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrators B knows, with a score each: an EWMA of measured segment round trips plus a failure penalty
 * that decays over time. An orchestrator whose penalty is above {@link #SUSPEND_MILLIS} is suspended: picked only
 * when every other one is too.
 *
 * <p>Trust: orchestrators the operator named ({@code -orchAddr}) are trusted; those from a discovery webhook are
 * trusted only when it says so. Among the orchestrators that are not suspended, a trusted one always wins over an
 * untrusted one, so untrusted orchestrators carry a stream only while every trusted one has failed this segment or
 * is suspended. Webhook entries come and go with {@link #updateDiscovered}; operator-given ones stay.
 *
 * <p>Spreading: a stream claims an orchestrator ({@link #claim}) when it starts or moves, and releases it when it
 * leaves. Among the orchestrators as usable and as trusted as the best-scored one and within
 * {@link #BALANCE_MARGIN_MILLIS} of its score, the one with the fewest of this B's streams per session it advertises
 * (GetOrchestrator's capacities) wins, so a B's streams spread over orchestrators that would all keep up instead of
 * piling onto the one that measured a few milliseconds faster.
 */
public final class OrchestratorPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrchestratorPool.class);

  /** Added to an orchestrator's score on each failure. */
  static final double FAILURE_PENALTY_MILLIS = 30_000;
  /** A penalty halves every this long, so a suspended orchestrator gets tried again after a while. */
  static final Duration PENALTY_HALF_LIFE = Duration.ofSeconds(20);
  static final double SUSPEND_MILLIS = 10_000;
  /** Weight of the newest sample in the latency EWMA. */
  static final double EWMA_ALPHA = 0.3;
  /**
   * Scores this close to the best count as equally good, and B's streams are spread over them: under half a 2 s
   * segment, so either answers a live segment in time; a failure penalty (30 s) is far outside it.
   */
  static final double BALANCE_MARGIN_MILLIS = 1_000;

  private final RemoteConfig config;
  private final EthKey key;
  private final Clock clock;
  private final ExecutorService executor;
  /** Copy-on-write under the pool's lock: readers iterate a snapshot. */
  private volatile List<Orch> orchs;

  OrchestratorPool(RemoteConfig config, EthKey key, Clock clock, ExecutorService executor) {
    this.config = config;
    this.key = key;
    this.clock = clock;
    this.executor = executor;
    List<Orch> list = new ArrayList<>();
    for (String addr : config.orchAddrs()) {
      int colon = addr.lastIndexOf(':');
      String host = addr.substring(0, colon).replace("[", "").replace("]", "");
      int port = Integer.parseInt(addr.substring(colon + 1));
      list.add(new Orch(addr, WireClients.grpcChannel(host, port), true, false));
    }
    this.orchs = List.copyOf(list);
  }

  /** One orchestrator: its channel, last OrchestratorInfo and score. Scores are guarded by the pool. */
  final class Orch {
    final String addr;
    final ManagedChannel channel;
    final boolean trusted;
    /** From the discovery webhook (dropped when it stops listing it), not from -orchAddr. */
    final boolean discovered;
    private volatile boolean removed;
    /** Failed verification (a tampered result): never picked again by this broadcaster. */
    private volatile boolean faulty;
    private double ewmaMillis = -1;
    private double penaltyMillis;
    private long penaltyAtMillis;
    /** This B's streams sticking to it now ({@link #claim} / {@link #release}). */
    private int streams;
    /** Sessions it said it takes (GetOrchestrator's capacities); 1 until it says. */
    private int capacity = 1;

    Orch(String addr, ManagedChannel channel, boolean trusted, boolean discovered) {
      this.addr = addr;
      this.channel = channel;
      this.trusted = trusted;
      this.discovered = discovered;
    }

    /** False once a webhook update dropped it: a stream on it moves on at its next segment. */
    boolean inPool() {
      return !removed;
    }

    @Override
    public String toString() {
      return addr;
    }
  }

  /** Concurrent GetOrchestrator to every address, each within the discovery timeout; returns how many answered. */
  public int discover(List<VideoProfile> profiles) {
    List<CompletableFuture<Boolean>> calls = new ArrayList<>();
    for (Orch o : orchs) {
      calls.add(CompletableFuture.supplyAsync(() -> {
        try {
          getInfo(o, profiles);
          return true;
        } catch (NodeException e) {
          log.warn("orchestrator {} did not answer discovery: {}", o.addr, e.getMessage());
          return false;
        }
      }, executor));
    }
    return (int) calls.stream().filter(CompletableFuture::join).count();
  }

  /**
   * A fresh GetOrchestrator: a new O session and auth token (each B stream needs its own, as O keys sessions and
   * rendition URLs by the token's session id); its latency seeds the score of an O not yet measured.
   */
  OrchestratorInfo getInfo(Orch o, List<VideoProfile> profiles) {
    long start = System.nanoTime();
    byte[] self = key.address().toBytes();
    try {
      OrchestratorInfo info = OrchestratorGrpc.newBlockingStub(o.channel)
          .withDeadlineAfter(config.discoveryTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .getOrchestrator(OrchestratorRequest.newBuilder()
              .setAddress(ByteString.copyFrom(self))
              .setSig(ByteString.copyFrom(SigningPayloads.sign(key, SigningPayloads.orchestratorRequest(self))))
              .setCapabilities(CapabilityBits.requiredFor(profiles).toProto())
              .build());
      if (info.getTranscoder().isEmpty() || info.getAddress().size() != 20) {
        throw new NodeException("orchestrator " + o.addr + " answered GetOrchestrator without a transcoder URL or "
            + "a 20-byte address");
      }
      synchronized (this) {
        if (o.ewmaMillis < 0) {
          o.ewmaMillis = (System.nanoTime() - start) / 1e6;
        }
      }
      noteCapacity(o, info);
      return info;
    } catch (StatusRuntimeException e) {
      failed(o);
      throw new NodeException("GetOrchestrator to " + o.addr + " failed: " + e.getStatus(), e);
    }
  }

  /**
   * The best orchestrator not in {@code exclude} (suspended ones last, trusted ones first, then the lowest score,
   * and among close scores the one with the fewest of this B's streams per advertised session); {@code exclude} is
   * ignored when it covers every orchestrator, so a retry can go back to one already tried.
   */
  synchronized Orch best(Set<Orch> exclude) {
    return pick(exclude);
  }

  /** As {@link #best}, counted as one more of this B's streams on the orchestrator until {@link #release}. */
  synchronized Orch claim(Set<Orch> exclude) {
    Orch o = pick(exclude);
    o.streams++;
    return o;
  }

  /** A stream that claimed {@code o} left it (moved on, failed over or ended). */
  synchronized void release(Orch o) {
    o.streams = Math.max(0, o.streams - 1);
  }

  /** The session count O advertises for the capabilities it offers (each carries -maxSessions): the largest. */
  synchronized void noteCapacity(Orch o, OrchestratorInfo info) {
    o.capacity = Math.max(1, info.getCapabilities().getCapacitiesMap().values().stream()
        .mapToInt(Integer::intValue).max().orElse(1));
  }

  private Orch pick(Set<Orch> exclude) {
    long now = clock.millis();
    if (orchs.isEmpty()) {
      throw new NodeException("no orchestrators known yet: give -orchAddr, or check that -orchWebhookUrl lists some");
    }
    List<Orch> usable = orchs.stream().filter(o -> !o.faulty).toList();
    if (usable.isEmpty()) {
      throw new NodeException("every orchestrator failed verification and is suspended (see GET /faults); add"
          + " honest ones with -orchAddr");
    }
    List<Orch> candidates = usable.stream().filter(o -> !exclude.contains(o)).toList();
    if (candidates.isEmpty()) {
      candidates = usable;
    }
    Orch top = candidates.stream()
        .min(Comparator.<Orch, Boolean>comparing(o -> penalty(o, now) > SUSPEND_MILLIS)
            .thenComparing(o -> !o.trusted)
            .thenComparingDouble(o -> score(o, now)))
        .orElseThrow();
    boolean topSuspended = penalty(top, now) > SUSPEND_MILLIS;
    double limit = score(top, now) + BALANCE_MARGIN_MILLIS;
    return candidates.stream()
        .filter(o -> (penalty(o, now) > SUSPEND_MILLIS) == topSuspended && o.trusted == top.trusted
            && score(o, now) <= limit)
        .min(Comparator.<Orch>comparingDouble(o -> (double) o.streams / o.capacity)
            .thenComparingDouble(o -> score(o, now)))
        .orElseThrow();
  }

  /**
   * O returned a result that failed verification: it is suspended for good (until this node restarts), so no
   * later segment of any stream goes there, checked or not.
   */
  synchronized void suspendForFault(Orch o) {
    if (!o.faulty) {
      o.faulty = true;
      log.warn("orchestrator {} suspended: its result failed verification", o.addr);
    }
  }

  synchronized void succeeded(Orch o, long roundTripMillis) {
    o.ewmaMillis = o.ewmaMillis < 0 ? roundTripMillis : EWMA_ALPHA * roundTripMillis + (1 - EWMA_ALPHA) * o.ewmaMillis;
  }

  synchronized void failed(Orch o) {
    long now = clock.millis();
    o.penaltyMillis = penalty(o, now) + FAILURE_PENALTY_MILLIS;
    o.penaltyAtMillis = now;
  }

  /**
   * A segment that came back slower than real time: it was delivered, but a live stream cannot keep up there, so
   * the O gets the failure penalty (it keeps its session info).
   */
  synchronized void slow(Orch o, long roundTripMillis) {
    succeeded(o, roundTripMillis);
    long now = clock.millis();
    o.penaltyMillis = penalty(o, now) + FAILURE_PENALTY_MILLIS;
    o.penaltyAtMillis = now;
  }

  /** Tests: pretend this O was measured at {@code millis}, to decide which one a stream starts on. */
  synchronized void seedLatency(String addr, double millis) {
    orchs.stream().filter(o -> o.addr.equals(addr)).forEach(o -> o.ewmaMillis = millis);
  }

  synchronized double score(Orch o, long now) {
    double latency = o.ewmaMillis < 0 ? 1_000 : o.ewmaMillis;
    return latency + penalty(o, now);
  }

  private double penalty(Orch o, long now) {
    double halfLives = (now - o.penaltyAtMillis) / (double) PENALTY_HALF_LIFE.toMillis();
    return o.penaltyMillis * Math.pow(0.5, Math.max(0, halfLives));
  }

  /** A snapshot of every orchestrator's score, best first: for logs and tests. */
  public synchronized List<String> scores() {
    long now = clock.millis();
    return orchs.stream().sorted(Comparator.comparingDouble(o -> score(o, now)))
        .map(o -> o.addr + "=" + (o.faulty ? "faulty" : Math.round(score(o, now)))).toList();
  }

  /** One orchestrator a discovery webhook listed. */
  record Discovered(String addr, boolean trusted) {}

  /**
   * Makes the webhook's part of the pool {@code list}: new addresses join (unmeasured), listed ones keep their
   * scores, unlisted ones leave. Operator-given addresses are never touched. Returns how many joined.
   */
  int updateDiscovered(List<Discovered> list) {
    List<ManagedChannel> closing = new ArrayList<>();
    int added = 0;
    synchronized (this) {
      List<Orch> next = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (Orch o : orchs) {
        if (!o.discovered) {
          next.add(o);
          seen.add(o.addr);
        }
      }
      for (Discovered d : list) {
        if (!seen.add(d.addr())) {
          continue; // already operator-given or listed twice
        }
        Orch old = orchs.stream().filter(o -> o.discovered && o.addr.equals(d.addr())).findFirst().orElse(null);
        if (old != null && old.trusted == d.trusted()) {
          next.add(old);
          continue;
        }
        if (old != null) {
          old.removed = true;
          closing.add(old.channel);
        }
        int colon = d.addr().lastIndexOf(':');
        String host = d.addr().substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(d.addr().substring(colon + 1));
        next.add(new Orch(d.addr(), WireClients.grpcChannel(host, port), d.trusted(), true));
        added++;
      }
      for (Orch o : orchs) {
        if (o.discovered && !next.contains(o) && !o.removed) {
          o.removed = true;
          closing.add(o.channel);
        }
      }
      orchs = List.copyOf(next);
    }
    closing.forEach(ManagedChannel::shutdown); // calls in flight finish; nothing new starts on them
    return added;
  }

  /** Sizes for /metrics. */
  record Counts(int total, int trusted, int suspended) {}

  /** suspended: by failures now, or for good after a failed verification. */
  synchronized Counts counts() {
    long now = clock.millis();
    List<Orch> all = orchs;
    return new Counts(all.size(), (int) all.stream().filter(o -> o.trusted).count(),
        (int) all.stream().filter(o -> o.faulty || penalty(o, now) > SUSPEND_MILLIS).count());
  }

  /** The addresses in the pool now, operator-given first. */
  public List<String> addresses() {
    return orchs.stream().map(o -> o.addr).toList();
  }

  /** Best effort: tells O the session is over so it frees the slot now instead of at its idle timeout. */
  void endSession(Orch o, AuthToken token) {
    try {
      OrchestratorGrpc.newBlockingStub(o.channel)
          .withDeadlineAfter(config.discoveryTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .endTranscodingSession(EndTranscodingSessionRequest.newBuilder().setAuthToken(token).build());
    } catch (StatusRuntimeException e) {
      log.debug("EndTranscodingSession to {} failed: {}", o.addr, e.getStatus());
    }
  }

  @Override
  public void close() {
    for (Orch o : orchs) {
      o.channel.shutdownNow();
    }
  }
}
