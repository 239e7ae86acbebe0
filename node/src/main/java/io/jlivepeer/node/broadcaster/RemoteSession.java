package io.jlivepeer.node.broadcaster;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder.TranscodeSession;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.CappedBodies.HashedBody;
import io.jlivepeer.node.LatencyHistogram;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.PaymentCodec;
import io.jlivepeer.node.Refusals;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.AuthTokens;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's remote transcode session on the broadcaster: sticks to one orchestrator of the pool while it works
 * and moves on failure, timeout, a bad signature, a fault found by verification or a slower-than-real-time answer;
 * keeps one O session (auth token, ticket params) per orchestrator it used; pays each attempt and checks each
 * answer (O's signature over the renditions, then {@link Verification}). Used by one stream thread at a time.
 */
final class RemoteSession implements TranscodeSession {
  // the remote mode logs as one component, as it did before the session had its own class
  private static final Logger log = LoggerFactory.getLogger(RemoteTranscoder.class);

  private final RemoteConfig config;
  private final EthKey key;
  private final OrchestratorPool pool;
  private final Clock clock;
  private final OrchestratorExchange exchange;
  private final AtomicLong segmentRequests;
  private final AtomicLong swaps;
  private final LatencyHistogram roundTrips;
  private final LatencyHistogram renditionDownloads;
  private final LatencyHistogram preparations;
  private final LatencyHistogram verifications;
  private final UnaryOperator<OrchestratorInfo> infoView;
  private final Optional<BroadcasterPayments> payer;
  private final Set<OrchestratorPool.Orch> tooExpensive;
  private final Verification verification;

  private final List<VideoProfile> profiles;
  /** O session per orchestrator this stream used: the auth token names it. */
  private final Map<OrchestratorPool.Orch, OrchestratorInfo> infos = new HashMap<>();
  /** The O this stream sticks to; empty after a failure or a slow segment (the next pick is by score). */
  private Optional<OrchestratorPool.Orch> current = Optional.empty();
  private Optional<OrchestratorPool.Orch> lastUsed = Optional.empty();
  /** Segments each O transcoded in its current O session. */
  private final Map<OrchestratorPool.Orch, Integer> served = new HashMap<>();
  /** This stream's checks of O's results (with its own trusted re-transcode session). */
  private final SegmentVerifier verifier;

  RemoteSession(RemoteTranscoder owner, List<VideoProfile> profiles) {
    this.config = owner.config;
    this.key = owner.key;
    this.pool = owner.pool;
    this.clock = owner.clock;
    this.exchange = owner.exchange;
    this.segmentRequests = owner.segmentRequests;
    this.swaps = owner.swaps;
    this.roundTrips = owner.roundTrips;
    this.renditionDownloads = owner.renditionDownloads;
    this.preparations = owner.preparations;
    this.verifications = owner.verifications;
    this.infoView = owner.infoView;
    this.payer = owner.payer;
    this.tooExpensive = owner.tooExpensive;
    this.verification = owner.verification;
    this.profiles = profiles;
    this.verifier = verification.newStreamVerifier();
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
    HttpResponse<byte[]> response = exchange.send(request, segment, o, timeout);
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
    List<HashedBody> downloaded = exchange.downloadAll(outs, timeout, o);
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

  /** O refusals that fresh ticket params (a new GetOrchestrator) can fix (the orchestrator's payment refusals). */
  static boolean refreshFixes(String body) {
    return body.startsWith(Refusals.INSUFFICIENT_BALANCE)
        || body.startsWith(Refusals.INVALID_TICKET + " (PARAMS_EXPIRED)")
        || body.startsWith(Refusals.INVALID_TICKET + " (UNKNOWN_SEED)")
        || body.startsWith(Refusals.INVALID_TICKET + " (TOO_MANY_NONCES)")
        || body.startsWith(Refusals.INVALID_TICKET + " (FACE_VALUE_ABOVE_MAX_FLOAT)")
        || body.startsWith(Refusals.INVALID_TICKET + " (PRICE)");
  }
}
