package io.jlivepeer.node;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.wire.AuthTokens;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcaster's remote mode: a media {@link Transcoder} whose sessions send each segment to the best
 * orchestrator of an {@link OrchestratorPool} over the wire protocol (wire.md), download the renditions and check
 * O's signature over them. A session sticks to one orchestrator while it works and moves on failure, timeout,
 * OrchestratorBusy/OrchestratorCapped, a bad signature or a slower-than-real-time answer; each segment costs at most
 * {@link RemoteConfig#maxAttempts()} segment requests in total.
 *
 * <p>No exchange can hold a stream: each attempt's upload must finish within {@link RemoteConfig#uploadTimeout},
 * O's whole answer (body included) within {@link RemoteConfig#requestTimeout}, and all renditions, fetched in
 * parallel, within one more request timeout; so a segment takes at most maxAttempts x 2 x the request timeout.
 */
public final class RemoteTranscoder implements Transcoder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RemoteTranscoder.class);

  /** B's signing key in the data dir: the 32-byte private scalar as hex. */
  public static final String KEY_FILE = "broadcaster.key";
  /** Largest answer to a segment POST: a serialized TranscodeResult is a few hundred bytes. */
  private static final long MAX_ANSWER_BYTES = 1L << 20;

  private final RemoteConfig config;
  private final EthKey key;
  private final OrchestratorPool pool;
  private final HttpClient http;
  private final ExecutorService executor;
  private final Clock clock;
  private final AtomicLong segmentRequests = new AtomicLong();
  private final AtomicLong swaps = new AtomicLong();
  /** Successful attempts: POST through the last rendition verified (B's /metrics). */
  final LatencyHistogram roundTrips = new LatencyHistogram();
  /** Per successful attempt: from O's answer to every rendition downloaded. */
  final LatencyHistogram renditionDownloads = new LatencyHistogram();
  /** B's CPU work before a segment goes out: its keccak256 (once per segment) and each attempt's signature. */
  final LatencyHistogram preparations = new LatencyHistogram();
  /** B's check of O's signature over the downloaded renditions (keccak256 of each, one ecrecover). */
  final LatencyHistogram verifications = new LatencyHistogram();

  /** Identity in production; tests alter what O said (e.g. its address) to exercise B's checks. */
  private final UnaryOperator<OrchestratorInfo> infoView;
  /** Micropayments to the orchestrators; empty: they work for free (no chain). */
  private final Optional<BroadcasterPayments> payer;
  private final Map<String, String> lastOrchestrator = new java.util.concurrent.ConcurrentHashMap<>();
  /** Orchestrators whose price is above -maxPricePerUnit: not picked again. */
  private final Set<OrchestratorPool.Orch> tooExpensive = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Checks of O's work beyond its signature ({@code -verificationFreq}); off by default. */
  private final Verification verification;

  private RemoteTranscoder(RemoteConfig config, EthKey key, Clock clock, UnaryOperator<OrchestratorInfo> infoView,
      Optional<BroadcasterPayments> payer, Verification verification) {
    this.config = config;
    this.payer = payer;
    this.verification = verification;
    this.infoView = infoView;
    this.key = key;
    this.clock = clock;
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "remote-transcoder");
      t.setDaemon(true);
      return t;
    });
    this.pool = new OrchestratorPool(config, key, clock, executor);
    this.http = HttpClient.newBuilder()
        .version(Transfers.HTTP_VERSION)
        .sslContext(WireClients.trustAllSslContext())
        .connectTimeout(config.discoveryTimeout())
        .executor(executor)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Loads or creates B's key in the data dir and discovers the orchestrators (failures only lower their score). */
  public static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles) {
    return start(config, profiles, Clock.systemUTC());
  }

  static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, Clock clock) {
    return start(config, profiles, clock, UnaryOperator.identity());
  }

  /**
   * As {@link #start(RemoteConfig, List)}, paying the orchestrators with tickets; B's signing key is then the
   * payments' Ethereum account (the ticket sender), not the key file.
   */
  public static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, BroadcasterPayments payer) {
    return start(config, profiles, Clock.systemUTC(), UnaryOperator.identity(), Optional.of(payer));
  }

  static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, Clock clock,
      UnaryOperator<OrchestratorInfo> infoView) {
    return start(config, profiles, clock, infoView, Optional.empty());
  }

  static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, Clock clock,
      UnaryOperator<OrchestratorInfo> infoView, Optional<BroadcasterPayments> payer) {
    return start(config, profiles, clock, infoView, payer, Verification.off());
  }

  /**
   * As {@link #start(RemoteConfig, List)}, paying with {@code payer} when present, and checking the orchestrators'
   * work with {@code verification} (closed with this transcoder).
   */
  public static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles,
      Optional<BroadcasterPayments> payer, Verification verification) {
    return start(config, profiles, Clock.systemUTC(), UnaryOperator.identity(), payer, verification);
  }

  static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, Clock clock,
      UnaryOperator<OrchestratorInfo> infoView, Optional<BroadcasterPayments> payer, Verification verification) {
    EthKey key = payer.isPresent() ? EthKey.fromPrivateKey(payer.get().accountKey())
        : loadOrCreateKey(config.dataDir());
    RemoteTranscoder t = new RemoteTranscoder(config, key, clock, infoView, payer, verification);
    int answered = t.pool.discover(profiles);
    log.info("broadcaster {}: {} of {} orchestrators answered discovery; scores {}", t.key.address(),
        answered, config.orchAddrs().size(), t.pool.scores());
    return t;
  }

  public byte[] ethAddress() {
    return key.address().toBytes();
  }

  public OrchestratorPool pool() {
    return pool;
  }

  /** Segment POSTs sent so far (every attempt counts). */
  public long segmentRequests() {
    return segmentRequests.get();
  }

  /** The orchestrator that transcoded the stream's last segment, while its session is open (stream API health). */
  public Optional<String> orchestratorOf(String streamId) {
    return Optional.ofNullable(lastOrchestrator.get(streamId));
  }

  /** Times a session moved to another orchestrator. */
  public long swaps() {
    return swaps.get();
  }

  @Override
  public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
    return new Session(List.copyOf(profiles));
  }

  @Override
  public void close() {
    pool.close();
    executor.shutdownNow();
    verification.close();
  }

  /** This broadcaster's verification of orchestrators' work (counters, faults). */
  public Verification verification() {
    return verification;
  }

  /** Why one attempt failed; {@code refresh} means O's session info must be fetched again. */
  private static final class AttemptFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean refresh;

    AttemptFailed(String message) {
      this(message, false);
    }

    AttemptFailed(String message, boolean refresh) {
      super(message, null, false, false);
      this.refresh = refresh;
    }
  }

  private final class Session implements TranscodeSession {
    private final List<VideoProfile> profiles;
    /** O session per orchestrator this stream used: the auth token names it. */
    private final Map<OrchestratorPool.Orch, OrchestratorInfo> infos = new HashMap<>();
    /** The O this stream sticks to; empty after a failure or a slow segment (the next pick is by score). */
    private Optional<OrchestratorPool.Orch> current = Optional.empty();
    private Optional<OrchestratorPool.Orch> lastUsed = Optional.empty();
    /** Segments each O transcoded in its current O session. */
    private final Map<OrchestratorPool.Orch, Integer> served = new HashMap<>();
    /** This stream's checks of O's results (with its own trusted re-transcode session). */
    private final SegmentVerifier verifier = verification.newStreamVerifier();

    Session(List<VideoProfile> profiles) {
      this.profiles = profiles;
    }

    @Override
    public TranscodeResult transcode(Segment segment) {
      Set<OrchestratorPool.Orch> tried = new HashSet<>();
      List<String> errors = new ArrayList<>();
      boolean refreshed = false;
      long segmentStart = System.nanoTime();
      // hashed once for all attempts: 1.1 MB of keccak256 is B's largest CPU cost per segment
      byte[] hash = Keccak.hash(segment.data());
      preparations.observeNanos(System.nanoTime() - segmentStart);
      for (int attempt = 0; attempt < config.maxAttempts(); attempt++) {
        Set<OrchestratorPool.Orch> skip = new HashSet<>(tried);
        skip.addAll(tooExpensive);
        if (current.isPresent() && (skip.contains(current.get()) || !current.get().inPool())) {
          leave();
        }
        OrchestratorPool.Orch o = current.isPresent() ? current.get() : pool.claim(skip);
        if (lastUsed.isPresent() && lastUsed.get() != o) {
          swaps.incrementAndGet();
          // "after": how long this segment spent on earlier attempts, i.e. what the move cost the stream
          log.info("stream {} segment {}: moving from {} to {} after {} ms", segment.streamId(), segment.seq(),
              lastUsed.get(), o, (System.nanoTime() - segmentStart) / 1_000_000);
        }
        current = Optional.of(o);
        lastUsed = current;
        tried.add(o);
        long start = System.nanoTime();
        try {
          TranscodeResult result = attempt(o, segment, hash);
          lastOrchestrator.put(segment.streamId(), o.addr);
          long nanos = System.nanoTime() - start;
          roundTrips.observeNanos(nanos);
          long millis = nanos / 1_000_000;
          // The first segment of an O session pays for its setup (encoder start, TLS): it is not judged for speed.
          boolean warm = served.getOrDefault(o, 0) > 0;
          served.merge(o, 1, Integer::sum);
          if (warm && segment.durationMillis() > 0 && millis > config.slowFactor() * segment.durationMillis()) {
            pool.slow(o, millis);
            leave(); // slower than real time: the next segment goes to the best-scored O
            log.info("stream {} segment {}: {} took {} ms for {} ms of media", segment.streamId(), segment.seq(),
                o, millis, segment.durationMillis());
          } else {
            pool.succeeded(o, millis);
          }
          return result;
        } catch (AttemptFailed | NodeException e) {
          if (e instanceof AttemptFailed f && f.refresh && !refreshed) {
            // O refused the payment in a way fresh params fix (expired, restarted O): once, on the same O.
            refreshed = true;
            dropInfo(o);
            tried.remove(o);
            errors.add(o + ": " + e.getMessage());
            log.info("stream {} segment {}: {} wants fresh ticket params: {}", segment.streamId(), segment.seq(), o,
                e.getMessage());
            continue;
          }
          pool.failed(o);
          dropInfo(o); // also ends the payment session, which O no longer holds for us either
          leave();
          errors.add(o + ": " + e.getMessage());
          log.warn("stream {} segment {}: attempt {} on {} failed: {}", segment.streamId(), segment.seq(),
              attempt + 1, o, e.getMessage());
        }
      }
      throw new MediaException("segment " + segment.seq() + " of stream " + segment.streamId() + " failed on "
          + config.maxAttempts() + " attempts; check the orchestrators (-orchAddr): " + String.join("; ", errors));
    }

    /** Lets go of the O this stream sticks to (the pool counts this B's streams per O to spread them). */
    private void leave() {
      current.ifPresent(pool::release);
      current = Optional.empty();
    }

    private void dropInfo(OrchestratorPool.Orch o) {
      OrchestratorInfo old = infos.remove(o);
      if (old != null) {
        payer.ifPresent(p -> p.endSession(old));
      }
      served.remove(o);
    }

    private OrchestratorInfo info(OrchestratorPool.Orch o) throws AttemptFailed {
      OrchestratorInfo info = infos.get(o);
      if (info == null || AuthTokens.needsRefresh(info.getAuthToken(), clock)
          || (payer.isPresent() && payer.get().expired(info))) {
        OrchestratorInfo fresh = infoView.apply(pool.getInfo(o, profiles));
        if (payer.isPresent()) {
          try {
            payer.get().checkPrice(fresh);
          } catch (NodeException e) {
            tooExpensive.add(o);
            throw new AttemptFailed(e.getMessage());
          }
        }
        if (info != null) {
          pool.endSession(o, info.getAuthToken()); // the old O session would otherwise linger until its idle timeout
          OrchestratorInfo old = info;
          payer.ifPresent(p -> p.endSession(old));
        }
        info = fresh;
        infos.put(o, info);
        served.remove(o);
      }
      return info;
    }

    private TranscodeResult attempt(OrchestratorPool.Orch o, Segment segment, byte[] hash) throws AttemptFailed {
      OrchestratorInfo info = info(o);
      long prepareStart = System.nanoTime();
      SegData.Builder seg = SegData.newBuilder()
          .setManifestId(ByteString.copyFromUtf8(segment.streamId()))
          .setSeq(segment.seq())
          .setHash(ByteString.copyFrom(hash))
          .setDuration((int) Math.min(Integer.MAX_VALUE, segment.durationMillis()))
          .setCapabilities(CapabilityBits.requiredFor(profiles).toProto())
          .setAuthToken(info.getAuthToken());
      WireProfiles.setProfiles(seg, profiles);
      SegData segData = seg.setSig(ByteString.copyFrom(SigningPayloads.sign(key, SigningPayloads.segment(seg.build()))))
          .build();
      Duration timeout = config.requestTimeout(segment.durationMillis());
      HttpRequest request = HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/segment"))
          .timeout(timeout)
          .header("Content-Type", WireHeaders.CONTENT_TYPE_SEGMENT)
          .header(WireHeaders.SEGMENT, WireHeaders.encodeSegment(segData))
          .header(WireHeaders.PAYMENT, payer.isPresent()
              ? payer.get().paymentHeader(info, profiles, segment.durationMillis()) : "")
          .POST(HttpRequest.BodyPublishers.ofByteArray(segment.data()))
          .build();
      preparations.observeNanos(System.nanoTime() - prepareStart);
      segmentRequests.incrementAndGet();
      HttpResponse<byte[]> response = send(request, segment, o, timeout);
      if (response.statusCode() != 200) {
        String body = new String(response.body(), StandardCharsets.UTF_8).strip();
        boolean refresh = payer.isPresent() && response.statusCode() == 400 && refreshFixes(body);
        throw new AttemptFailed("HTTP " + response.statusCode() + " " + body, refresh);
      }
      io.jlivepeer.wire.proto.TranscodeResult result;
      try {
        result = io.jlivepeer.wire.proto.TranscodeResult.parseFrom(response.body());
      } catch (InvalidProtocolBufferException e) {
        throw new AttemptFailed("the answer is not a serialized TranscodeResult");
      }
      if (result.hasError()) {
        throw new AttemptFailed(result.getError());
      }
      if (!result.hasData() || result.getSeq() != segment.seq()) {
        throw new AttemptFailed("TranscodeResult for seq " + result.getSeq() + " without data");
      }
      List<TranscodedSegmentData> outs = result.getData().getSegmentsList();
      if (outs.size() != profiles.size()) {
        throw new AttemptFailed(outs.size() + " renditions for " + profiles.size() + " profiles");
      }
      long downloadStart = System.nanoTime();
      // O answered, so the renditions exist: all of them are fetched side by side, within one more request timeout
      List<HashedBody> downloaded = downloadAll(outs, timeout, o);
      List<Rendition> renditions = new ArrayList<>();
      List<byte[]> hashes = new ArrayList<>();
      for (int i = 0; i < outs.size(); i++) {
        renditions.add(new Rendition(profiles.get(i), downloaded.get(i).data(), outs.get(i).getPixels()));
        hashes.add(downloaded.get(i).keccak());
      }
      long verifyStart = System.nanoTime();
      renditionDownloads.observeNanos(verifyStart - downloadStart);
      boolean signed = SigningPayloads.verify(info.getAddress().toByteArray(),
          SigningPayloads.transcodeResultOfHashes(hashes), result.getData().getSig().toByteArray());
      verifications.observeNanos(System.nanoTime() - verifyStart);
      if (!signed) {
        throw new AttemptFailed("the renditions' signature does not match the orchestrator's address "
            + SigningPayloads.checksumAddress(info.getAddress().toByteArray()));
      }
      Optional<String> tampered = verification.verify(verifier, pool, o, info, segment, segData, profiles, renditions,
          hashes, result.getData().getSig().toByteArray(), key);
      if (tampered.isPresent()) {
        pool.endSession(o, info.getAuthToken()); // a suspended O gets nothing more from us: free its slot now
        throw new AttemptFailed(tampered.get()); // never reaches a playlist; the next attempt goes elsewhere
      }
      if (payer.isPresent()) {
        payer.get().charged(info, PaymentCodec.encodedPixels(outs));
        if (result.hasInfo()) {
          infos.put(o, payer.get().afterResult(info, result.getInfo()));
        }
      }
      // O does not report decoded pixels to B on this path.
      return new TranscodeResult(0, renditions);
    }

    /**
     * Sends the segment: the upload must be done within {@link RemoteConfig#uploadTimeout} and the whole exchange,
     * O's answer body included, within {@code timeout} (java.net.http's own request timeout stops at the response
     * headers, and it has no upload timeout).
     */
    private HttpResponse<byte[]> send(HttpRequest request, Segment segment, OrchestratorPool.Orch o, Duration timeout)
        throws AttemptFailed {
      TrackedBody body = new TrackedBody(request.bodyPublisher().orElseThrow());
      HttpRequest tracked = HttpRequest.newBuilder(request, (name, value) -> true).POST(body).build();
      long start = System.nanoTime();
      Future<HttpResponse<byte[]>> exchange = start(tracked, cappedBody(MAX_ANSWER_BYTES), o);
      Duration uploadTimeout = RemoteConfig.uploadTimeout(segment.durationMillis());
      long deadline = start + timeout.toNanos();
      long uploadBy = Math.min(deadline, start + uploadTimeout.toNanos());
      try {
        try {
          return exchange.get(Math.max(0, uploadBy - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          if (!body.done) {
            throw new AttemptFailed("upload not done within " + uploadTimeout.toMillis() + " ms");
          }
        }
        return exchange.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new AttemptFailed("no complete answer within " + timeout.toMillis() + " ms");
      } catch (ExecutionException e) {
        throw failure(e.getCause(), "the segment POST", o);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MediaException("interrupted while sending a segment to " + o, e);
      } finally {
        exchange.cancel(true); // no-op when it completed; otherwise interrupting send() aborts the exchange
      }
    }

    /** Every rendition, fetched in parallel; all of them must be complete within {@code timeout}. */
    private List<HashedBody> downloadAll(List<TranscodedSegmentData> outs, Duration timeout,
        OrchestratorPool.Orch o) throws AttemptFailed {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<Future<HttpResponse<HashedBody>>> calls = new ArrayList<>();
      try {
        for (TranscodedSegmentData out : outs) {
          HttpRequest get;
          try {
            get = HttpRequest.newBuilder(URI.create(out.getUrl())).timeout(timeout).GET().build();
          } catch (IllegalArgumentException e) {
            throw new AttemptFailed("bad rendition URL " + out.getUrl());
          }
          calls.add(start(get, cappedHashedBody(config.maxRenditionBytes()), o));
        }
        List<HashedBody> data = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
          String url = outs.get(i).getUrl();
          HttpResponse<HashedBody> r;
          try {
            r = calls.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (TimeoutException e) {
            throw new AttemptFailed("rendition download " + url + " not complete within " + timeout.toMillis()
                + " ms");
          } catch (ExecutionException e) {
            throw failure(e.getCause(), "rendition download " + url, o);
          }
          if (r.statusCode() != 200) {
            throw new AttemptFailed("rendition download " + url + " answered HTTP " + r.statusCode());
          }
          data.add(r.body());
        }
        return data;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MediaException("interrupted while downloading renditions from " + o, e);
      } finally {
        calls.forEach(c -> c.cancel(true));
      }
    }

    /**
     * Runs {@code HttpClient.send} on a thread of ours. Not {@code sendAsync}: its future is completed through
     * CompletableFuture's default executor, the common ForkJoinPool, which has a single worker on a 2-core machine;
     * whatever keeps that worker busy (it was the demo itself, run from a test) held O's answers back for good.
     * Cancelling the returned future interrupts {@code send}, which aborts the exchange.
     */
    private <T> Future<HttpResponse<T>> start(HttpRequest request, HttpResponse.BodyHandler<T> handler,
        OrchestratorPool.Orch o) throws AttemptFailed {
      try {
        return executor.submit(() -> http.send(request, handler));
      } catch (RejectedExecutionException e) {
        throw new AttemptFailed("the broadcaster is stopping; not sending to " + o);
      }
    }

    private AttemptFailed failure(Throwable cause, String what, OrchestratorPool.Orch o) {
      if (cause instanceof HttpTimeoutException) {
        return new AttemptFailed(what + " timed out");
      }
      if (cause instanceof BodyTooLarge) {
        return new AttemptFailed(what + ": " + cause.getMessage());
      }
      return new AttemptFailed(what + " to " + o + " failed: " + cause);
    }

    @Override
    public void close() {
      infos.forEach((o, info) -> {
        pool.endSession(o, info.getAuthToken());
        payer.ifPresent(p -> p.endSession(info));
      });
      infos.clear();
      leave();
      verifier.close();
    }
  }

  /** A response body over its cap: the exchange is abandoned rather than buffered. */
  private static final class BodyTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLarge(long max) {
      super("the body is over " + max + " bytes");
    }
  }

  /** Collects a response body up to {@code max} bytes; a longer one fails with {@link BodyTooLarge}. */
  static HttpResponse.BodyHandler<byte[]> cappedBody(long max) {
    return info -> new CappedBody(info, max, false);
  }

  /** A downloaded rendition and its keccak256, computed while it arrived. */
  record HashedBody(byte[] data, byte[] keccak) {}

  /**
   * As {@link #cappedBody}, hashing the body as it arrives: B's check of O's signature then needs no second pass
   * over the renditions after the last one is in.
   */
  static HttpResponse.BodyHandler<HashedBody> cappedHashedBody(long max) {
    return info -> {
      CappedBody body = new CappedBody(info, max, true);
      return HttpResponse.BodySubscribers.mapping(body, data -> new HashedBody(data, body.hash()));
    };
  }

  /** A body up to a cap; with a declared length within the cap it goes straight into an array of that size. */
  private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final long max;
    private final byte[] sized;
    private int filled;
    private final ByteArrayOutputStream out;
    private final Optional<Keccak.Hasher> hasher;
    private byte[] hash = new byte[0];
    private Flow.Subscription subscription;

    CappedBody(HttpResponse.ResponseInfo info, long max, boolean hashing) {
      this.max = max;
      long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
      this.sized = declared >= 0 && declared <= max ? new byte[(int) declared] : null;
      this.out = new ByteArrayOutputStream(sized == null ? 8192 : 0);
      this.hasher = hashing ? Optional.of(Keccak.incremental()) : Optional.empty();
    }

    byte[] hash() {
      return hash;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        int n = b.remaining();
        if (sized != null && filled + (long) n <= sized.length) {
          b.get(sized, filled, n);
          hasher.ifPresent(h -> h.update(sized, filled, n));
          filled += n;
          continue;
        }
        if (sized != null || out.size() + (long) n > max) {
          subscription.cancel();
          result.completeExceptionally(sized != null
              ? new IOException("the body is longer than its Content-Length of " + sized.length + " bytes")
              : new BodyTooLarge(max));
          return;
        }
        byte[] chunk = new byte[n];
        b.get(chunk);
        out.writeBytes(chunk);
        hasher.ifPresent(h -> h.update(chunk, 0, n));
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      byte[] data = sized == null ? out.toByteArray()
          : filled == sized.length ? sized : java.util.Arrays.copyOf(sized, filled);
      hash = hasher.map(Keccak.Hasher::digest).orElse(hash);
      result.complete(data);
    }
  }

  /** Passes the body through and notes when all of it was handed to the HTTP client. */
  private static final class TrackedBody implements HttpRequest.BodyPublisher {
    private final HttpRequest.BodyPublisher delegate;
    volatile boolean done;

    TrackedBody(HttpRequest.BodyPublisher delegate) {
      this.delegate = delegate;
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      delegate.subscribe(new Flow.Subscriber<ByteBuffer>() {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
          subscriber.onSubscribe(subscription);
        }

        @Override
        public void onNext(ByteBuffer item) {
          subscriber.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
          subscriber.onError(throwable);
        }

        @Override
        public void onComplete() {
          done = true;
          subscriber.onComplete();
        }
      });
    }
  }

  /** O refusals that fresh ticket params (a new GetOrchestrator) can fix (OrchestratorPayments' messages). */
  static boolean refreshFixes(String body) {
    return body.startsWith(OrchestratorPayments.INSUFFICIENT_BALANCE)
        || body.startsWith(OrchestratorPayments.INVALID_TICKET + " (PARAMS_EXPIRED)")
        || body.startsWith(OrchestratorPayments.INVALID_TICKET + " (UNKNOWN_SEED)")
        || body.startsWith(OrchestratorPayments.INVALID_TICKET + " (TOO_MANY_NONCES)")
        || body.startsWith(OrchestratorPayments.INVALID_TICKET + " (FACE_VALUE_ABOVE_MAX_FLOAT)")
        || body.startsWith(OrchestratorPayments.INVALID_TICKET + " (PRICE)");
  }

  static EthKey loadOrCreateKey(Path dataDir) {
    Path file = dataDir.resolve(KEY_FILE);
    try {
      Files.createDirectories(dataDir);
      if (Files.exists(file)) {
        try {
          return EthKey.fromPrivateKey(HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII)
              .strip()));
        } catch (IllegalArgumentException | PaymentsException e) {
          throw new NodeException("broadcaster key file " + file + " is not 64 hex characters of a secp256k1 key; "
              + "restore it or delete it to make a new identity", e);
        }
      }
      EthKey key = EthKey.random(new SecureRandom());
      Path tmp = dataDir.resolve(KEY_FILE + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp); // not POSIX: the data dir's permissions protect it
      }
      Files.writeString(tmp, HexFormat.of().formatHex(key.privateKey()) + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      log.info("created broadcaster signing key {} in {}", key.address(), file);
      return key;
    } catch (IOException e) {
      throw new NodeException("cannot read or create the broadcaster key " + file + ": " + e.getMessage(), e);
    }
  }
}
