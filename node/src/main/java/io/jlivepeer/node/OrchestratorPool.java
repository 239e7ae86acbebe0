package io.jlivepeer.node;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.wire.EthKeyPair;
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

  private final RemoteConfig config;
  private final EthKeyPair key;
  private final Clock clock;
  private final ExecutorService executor;
  private final List<Orch> orchs;

  OrchestratorPool(RemoteConfig config, EthKeyPair key, Clock clock, ExecutorService executor) {
    this.config = config;
    this.key = key;
    this.clock = clock;
    this.executor = executor;
    List<Orch> list = new ArrayList<>();
    for (String addr : config.orchAddrs()) {
      int colon = addr.lastIndexOf(':');
      String host = addr.substring(0, colon).replace("[", "").replace("]", "");
      int port = Integer.parseInt(addr.substring(colon + 1));
      list.add(new Orch(addr, WireClients.grpcChannel(host, port)));
    }
    this.orchs = List.copyOf(list);
  }

  /** One orchestrator: its channel, last OrchestratorInfo and score. Scores are guarded by the pool. */
  final class Orch {
    final String addr;
    final ManagedChannel channel;
    private double ewmaMillis = -1;
    private double penaltyMillis;
    private long penaltyAtMillis;

    Orch(String addr, ManagedChannel channel) {
      this.addr = addr;
      this.channel = channel;
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
    try {
      OrchestratorInfo info = OrchestratorGrpc.newBlockingStub(o.channel)
          .withDeadlineAfter(config.discoveryTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .getOrchestrator(OrchestratorRequest.newBuilder()
              .setAddress(ByteString.copyFrom(key.address()))
              .setSig(ByteString.copyFrom(key.personalSign(SigningPayloads.orchestratorRequest(key.address()))))
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
      return info;
    } catch (StatusRuntimeException e) {
      failed(o);
      throw new NodeException("GetOrchestrator to " + o.addr + " failed: " + e.getStatus(), e);
    }
  }

  /**
   * The best orchestrator not in {@code exclude} (lowest score, suspended ones last); {@code exclude} is ignored
   * when it covers every orchestrator, so a retry can go back to one already tried.
   */
  synchronized Orch best(Set<Orch> exclude) {
    long now = clock.millis();
    List<Orch> candidates = orchs.stream().filter(o -> !exclude.contains(o)).toList();
    if (candidates.isEmpty()) {
      candidates = orchs;
    }
    return candidates.stream()
        .min(Comparator.<Orch, Boolean>comparing(o -> penalty(o, now) > SUSPEND_MILLIS)
            .thenComparingDouble(o -> score(o, now)))
        .orElseThrow();
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
        .map(o -> o.addr + "=" + Math.round(score(o, now))).toList();
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
