package io.jlivepeer.node.orchestrator;

import com.google.protobuf.ByteString;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.MediaCapabilities;
import io.jlivepeer.node.PaymentCodec;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.AuthTokens;
import io.jlivepeer.wire.Capability;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.AuthToken;
import io.jlivepeer.wire.proto.Capabilities;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.Payment;
import io.jlivepeer.wire.proto.PaymentResult;
import io.jlivepeer.wire.proto.PriceInfo;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscodeResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator's protocol logic, free of transport: GetOrchestrator, the {@code /segment} and {@code /payment}
 * checks in wire.md's order and status codes, admission to the {@link TranscodeSessions} (session cap, bounded
 * queue per session), payment and the result. Thread-safe; {@link #segment} blocks while transcoding.
 */
final class OrchestratorCore {
  private static final Logger log = LoggerFactory.getLogger(OrchestratorCore.class);
  /** Broadcaster addresses remembered per auth-token session (tokens live 30 min; B refreshes well before). */
  private static final int MAX_KNOWN_BROADCASTERS = 10_000;
  /**
   * capabilities.version: a semantic version, because a reference B with {@code -orchMinLivepeerVersion} parses it
   * and drops an O whose version does not parse. The number is the reference release whose wire protocol this node
   * speaks (docs/interop.md); the build metadata says which implementation it is, and semver ignores it when
   * comparing.
   */
  static final String VERSION = "0.8.0+jlivepeer.0.1.0";

  private final OrchestratorConfig config;
  private final EthKey key;
  private final AuthTokens tokens;
  private final Clock clock;
  private final SegmentPayments payments;
  private final CapabilityBits capabilities;
  private final RenditionStore store;
  final OrchestratorMetrics metrics;
  private final TranscodeSessions sessions;
  private final LinkedHashMap<String, byte[]> broadcasters = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
      return size() > MAX_KNOWN_BROADCASTERS;
    }
  };
  private final HttpClient downloader;
  private volatile String baseUrl = "";

  OrchestratorCore(OrchestratorConfig config, Transcoder transcoder, EthKey key, AuthTokens tokens, Clock clock,
      SegmentPayments payments, Executor closer, HttpClient downloader) {
    this.config = config;
    this.key = key;
    this.tokens = tokens;
    this.clock = clock;
    this.payments = payments;
    this.downloader = downloader;
    this.capabilities = MediaCapabilities.offered();
    this.store = new RenditionStore(config.maxStoredBytes());
    this.metrics = new OrchestratorMetrics(this::sessionCount, config.maxSessions(), store::bytes);
    this.sessions = new TranscodeSessions(config, transcoder, key, clock, closer, store, metrics, this::baseUrl);
  }

  /** Set once the port is bound: {@code https://host:port}, the base of every URL O hands out. */
  void baseUrl(String url) {
    this.baseUrl = url;
  }

  String baseUrl() {
    return baseUrl;
  }

  int sessionCount() {
    return sessions.size();
  }

  byte[] address() {
    return key.address().toBytes();
  }

  // ---------------------------------------------------------------------------------------------- gRPC

  /**
   * GetOrchestrator. On chain, when B sends its address, its signature over the checksummed address must recover to
   * it (403 otherwise); the address is then remembered for the new session so its segment signatures can be checked.
   * Offchain, B may also come as the reference's offchain broadcaster does: the zero address and no signature (its
   * Sign gives no bytes); it is then anonymous and its segments carry no signature to check. A signature that is
   * there is checked in both modes.
   */
  OrchestratorInfo getOrchestrator(OrchestratorRequest request) {
    byte[] broadcaster = request.getAddress().toByteArray();
    boolean anonymous = broadcaster.length == 0
        || (!payments.onChain() && (isZero(broadcaster) || request.getSig().isEmpty()));
    if (!anonymous) {
      if (broadcaster.length != SigningPayloads.ADDRESS_LENGTH) {
        throw new WireException(403, "broadcaster address must be 20 bytes, got " + broadcaster.length);
      }
      if (!SigningPayloads.verify(broadcaster, SigningPayloads.orchestratorRequest(broadcaster),
          request.getSig().toByteArray())) {
        throw new WireException(403, "OrchestratorRequest signature does not match address "
            + SigningPayloads.checksumAddress(broadcaster)
            + (request.getSig().isEmpty() ? " (no signature: is the broadcaster running offchain? this orchestrator"
                + " is on chain)" : ""));
      }
    }
    if (request.hasCapabilities()) {
      CapabilityBits wanted = CapabilityBits.fromProto(request.getCapabilities());
      if (!capabilities.satisfies(wanted)) {
        throw new WireException(403, "this orchestrator lacks capabilities " + capabilities.missing(wanted));
      }
    }
    if (!request.getIgnoreCapacityCheck() && sessions.size() >= config.maxSessions()) {
      metrics.sessionsCapped.increment();
      throw new WireException(403, WireHeaders.ORCHESTRATOR_CAPPED);
    }
    AuthToken token = tokens.create();
    if (anonymous) {
      return info(token, new byte[0]);
    }
    synchronized (broadcasters) {
      broadcasters.put(token.getSessionId(), broadcaster);
    }
    return info(token, broadcaster);
  }

  private static boolean isZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** EndTranscodingSession: frees the session's slot at once; its transcoder closes after any running segment. */
  void endSession(AuthToken token) {
    String sessionId = tokens.verify(token);
    synchronized (broadcasters) {
      broadcasters.remove(sessionId);
    }
    sessions.close(sessionId, "ended by the broadcaster");
  }

  /**
   * Ping: answers O's personal-sign of keccak256(value), whatever its length, as the reference node's Sign does
   * (it hashes the message, then signs with the "\x19Ethereum Signed Message:\n32" prefix), so a reference B
   * recovers O's address from the answer.
   */
  byte[] ping(byte[] value) {
    return SigningPayloads.sign(key, Keccak.hash(value));
  }

  OrchestratorInfo info(AuthToken token, byte[] broadcaster) {
    PriceInfo price = PriceInfo.newBuilder()
        .setPricePerUnit(config.pricePerUnit())
        .setPixelsPerUnit(config.pixelsPerUnit())
        .build();
    OrchestratorInfo.Builder info = OrchestratorInfo.newBuilder()
        .setTranscoder(baseUrl)
        .setAddress(ByteString.copyFrom(key.address().toBytes()))
        .setCapabilities(capabilitiesProto())
        .setAuthToken(token);
    if (payments.onChain()) {
      // offchain both are left out, as the reference's offchain O does: an empty TicketParams would read as a zero
      // recipient to a B on chain, and a price nobody is paid is noise
      info.setTicketParams(payments.ticketParams(broadcaster)).setPriceInfo(price);
    }
    return info.build();
  }

  private Capabilities capabilitiesProto() {
    Capabilities.Builder b = capabilities.toProto().toBuilder().setVersion(VERSION);
    for (Capability c : Capability.values()) {
      if (capabilities.has(c)) {
        b.putCapacities(c.id(), config.maxSessions());
      }
    }
    return b.build();
  }

  // ---------------------------------------------------------------------------------------------- HTTP

  /**
   * {@code POST /segment}. Checks, in order: the {@code Livepeer-Segment} header (403), the payment header (402),
   * the auth token (403, also when expired), capabilities (403), the body hash (403), B's segment signature when
   * B's address is known from GetOrchestrator (403), payment (400), capacity (403 {@code OrchestratorCapped}), the
   * session queue ({@code OrchestratorBusy} in a 200 TranscodeResult); then transcodes.
   */
  HttpAnswer segment(String segmentHeader, String paymentHeader, String contentType, byte[] body) {
    return segment(segmentHeader, paymentHeader, contentType, body, Optional.empty());
  }

  /** As above, with the body's keccak256 when it was computed while the body arrived (the body is then the data). */
  HttpAnswer segment(String segmentHeader, String paymentHeader, String contentType, byte[] body,
      Optional<byte[]> bodyHash) {
    metrics.segmentsReceived.increment();
    SegData seg;
    String sessionId;
    List<VideoProfile> profiles;
    byte[] data;
    try {
      seg = WireHeaders.decodeSegment(segmentHeader);
      Payment payment = WireHeaders.decodePayment(paymentHeader);
      sessionId = tokens.verify(seg.getAuthToken());
      CapabilityBits wanted = CapabilityBits.fromProto(seg.getCapabilities());
      if (!capabilities.satisfies(wanted)) {
        throw new WireException(403, "segment needs capabilities " + capabilities.missing(wanted)
            + " this orchestrator does not have");
      }
      profiles = profilesOf(seg);
      boolean byUri = contentType.toLowerCase(java.util.Locale.ROOT).startsWith(WireHeaders.CONTENT_TYPE_SEGMENT_URI);
      data = byUri ? download(new String(body, StandardCharsets.UTF_8).strip()) : body;
      byte[] hash = byUri || bodyHash.isEmpty() ? Keccak.hash(data) : bodyHash.get();
      if (!Arrays.equals(hash, seg.getHash().toByteArray())) {
        throw new WireException(403, "segment body hash does not match SegData.hash");
      }
      Optional<byte[]> broadcaster = knownBroadcaster(sessionId);
      if (broadcaster.isPresent()) {
        SigningPayloads.verifySegment(seg, broadcaster.get());
      }
      payments.accept(sessionId, payment, seg);
    } catch (WireException e) {
      metrics.segmentsRejected.increment();
      log.debug("segment refused ({}): {}", e.httpStatus(), e.getMessage());
      return HttpAnswer.text(e.httpStatus(), e.getMessage());
    }
    Optional<TranscodeSessions.Session> admitted = sessions.admit(sessionId);
    if (admitted.isEmpty()) {
      metrics.segmentsRejected.increment();
      metrics.sessionsCapped.increment();
      return HttpAnswer.text(403, WireHeaders.ORCHESTRATOR_CAPPED);
    }
    TranscodeSessions.Session session = admitted.get();
    if (session.pending.incrementAndGet() > config.sessionQueueDepth()) {
      session.pending.decrementAndGet();
      metrics.segmentsBusy.increment();
      return result(seg, TranscodeResult.newBuilder().setError(WireHeaders.ORCHESTRATOR_BUSY));
    }
    try {
      return result(seg, charged(sessionId, seg, session.transcode(seg, profiles, data)));
    } finally {
      session.pending.decrementAndGet();
      session.lastUsed = clock.instant();
    }
  }

  /** {@code POST /payment}: credits the payment, answers fresh OrchestratorInfo for the same session. */
  HttpAnswer payment(String segmentHeader, String paymentHeader) {
    try {
      Payment payment = WireHeaders.decodePayment(paymentHeader);
      SegData seg = segmentHeader.isBlank() ? SegData.getDefaultInstance() : WireHeaders.decodeSegment(segmentHeader);
      String sessionId = seg.hasAuthToken() ? tokens.verify(seg.getAuthToken()) : tokens.create().getSessionId();
      payments.accept(sessionId, payment, seg);
      byte[] broadcaster = knownBroadcaster(sessionId).orElse(new byte[0]);
      return HttpAnswer.protobuf(PaymentResult.newBuilder()
          .setInfo(info(tokens.create(sessionId), broadcaster)).build().toByteArray());
    } catch (WireException e) {
      return HttpAnswer.text(e.httpStatus(), e.getMessage());
    }
  }

  Optional<byte[]> rendition(String path) {
    return store.get(path);
  }

  /** Closes sessions that sent nothing for the configured idle time. */
  void closeIdle() {
    sessions.closeIdle();
  }

  void closeAll() {
    sessions.closeAll();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private Optional<byte[]> knownBroadcaster(String sessionId) {
    synchronized (broadcasters) {
      return Optional.ofNullable(broadcasters.get(sessionId));
    }
  }

  private static List<VideoProfile> profilesOf(SegData seg) {
    List<VideoProfile> profiles;
    try {
      profiles = WireProfiles.profilesOf(seg);
    } catch (WireException e) {
      // an unsupported rendition is a capability mismatch on the wire (wire.md: 403 for capability)
      throw new WireException(403, e.getMessage(), e);
    }
    if (profiles.isEmpty()) {
      throw new WireException(403, "segment asks for no renditions");
    }
    return profiles;
  }

  /**
   * With payments: debits price x encoded pixels of the renditions made, and hands B fresh ticket params in the
   * result's OrchestratorInfo (same auth token) so that it can switch before its params expire.
   */
  private TranscodeResult.Builder charged(String sessionId, SegData seg, TranscodeResult.Builder result) {
    if (!payments.charges()) {
      return result;
    }
    if (result.hasData()) {
      payments.debit(sessionId, PaymentCodec.encodedPixels(result.getData().getSegmentsList()));
    }
    Optional<byte[]> broadcaster = knownBroadcaster(sessionId);
    if (broadcaster.isPresent()) {
      try {
        result.setInfo(info(seg.getAuthToken(), broadcaster.get()));
      } catch (WireException e) {
        log.debug("no fresh ticket params for session {}: {}", sessionId, e.getMessage());
      }
    }
    return result;
  }

  private HttpAnswer result(SegData seg, TranscodeResult.Builder result) {
    result.setSeq(seg.getSeq());
    return HttpAnswer.protobuf(result.build().toByteArray());
  }

  private byte[] download(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new WireException(400, "segment URL is not a URL: " + e.getMessage(), e);
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
      throw new WireException(400, "segment URL must be http(s), got " + uri.getScheme());
    }
    try {
      HttpResponse<java.io.InputStream> response = downloader.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(8)).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.InputStream in = response.body()) {
        if (response.statusCode() != 200) {
          throw new WireException(400, "segment download from " + uri + " answered " + response.statusCode());
        }
        byte[] bytes = in.readNBytes(config.maxSegmentBytes() + 1);
        if (bytes.length > config.maxSegmentBytes()) {
          throw new WireException(413, "segment at " + uri + " is over the limit of " + config.maxSegmentBytes()
              + " bytes");
        }
        return bytes;
      }
    } catch (java.io.IOException e) {
      throw new WireException(400, "cannot download the segment from " + uri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WireException(503, "interrupted while downloading the segment", e);
    }
  }

}
