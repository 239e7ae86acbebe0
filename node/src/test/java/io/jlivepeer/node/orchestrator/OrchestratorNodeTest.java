package io.jlivepeer.node.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.wire.AuthTokens;
import io.jlivepeer.wire.Capability;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.AuthToken;
import io.jlivepeer.wire.proto.EndTranscodingSessionRequest;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.PaymentResult;
import io.jlivepeer.wire.proto.PingPong;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscodeResult;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator over the wire on loopback: a raw client (gRPC stubs + java.net.http with trust-all TLS) plays B,
 * posting real MPEG-TS segments cut from a test clip by the bundled ffmpeg.
 */
class OrchestratorNodeTest {
  private static final String SECRET = "test-orch-secret";
  private static final List<VideoProfile> LADDER = List.of(
      VideoProfile.of("P144p30fps16x9", 256, 144, 300_000, 30),
      VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30));
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .sslContext(WireClients.trustAllSslContext())
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private static FfmpegTranscoder transcoder;
  private static List<byte[]> segments;

  @TempDir Path dataDir;
  @TempDir Path work;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void cutSegments(@TempDir Path dir) throws IOException {
    FfmpegBinaries.usePlatformExtension();
    transcoder = new FfmpegTranscoder();
    Path source = TestMedia.source(480, 270, 30, 8, "ts");
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-i",
        source.toString(), "-c", "copy", "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts",
        dir.resolve("seg%03d.ts").toString()), 60);
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> sorted = files.filter(p -> p.toString().endsWith(".ts")).sorted().toList();
      segments = new ArrayList<>();
      assertThat(sorted.size()).as("segments cut from an 8 s clip").isGreaterThanOrEqualTo(3);
      for (Path p : sorted.subList(0, 3)) {
        segments.add(Files.readAllBytes(p));
      }
    }
  }

  @AfterAll
  static void noSharedState() {
    // FfmpegTranscoder holds no process-wide resources beyond its sessions, which the nodes close.
    transcoder = null;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  @Test
  void getOrchestratorOffchainAnswersTranscoderUrlAddressAndTokenButNoTicketParamsOrPrice() {
    OrchestratorNode node = start(config().withPrice(1200, 3), transcoder);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);

    assertThat(info.getTranscoder()).isEqualTo("https://127.0.0.1:" + node.serviceAddress().getPort());
    assertThat(info.getAddress().toByteArray()).isEqualTo(node.ethAddress()).hasSize(20);
    assertThat(CapabilityBits.fromProto(info.getCapabilities()).satisfies(CapabilityBits.requiredFor(LADDER)))
        .isTrue();
    assertThat(info.getCapabilities().getVersion()).isEqualTo(OrchestratorCore.VERSION);
    // offchain nobody pays: the reference's offchain O sends neither (the paid case: OrchestratorPaymentsTest)
    assertThat(info.hasTicketParams()).isFalse();
    assertThat(info.hasPriceInfo()).isFalse();
    AuthToken token = info.getAuthToken();
    assertThat(token.getSessionId()).matches("[0-9a-f]{8}");
    // the token is the HMAC of a key derived from orchSecret: another O with the same secret accepts it
    AuthTokens sameSecret = new AuthTokens(OrchestratorNode.tokenSecret(SECRET, RANDOM), Clock.systemUTC(), RANDOM);
    assertThat(sameSecret.verify(token)).isEqualTo(token.getSessionId());
  }

  @Test
  void getOrchestratorRefusesARequestSignedByAnotherKey() {
    OrchestratorNode node = start(config(), transcoder);
    EthKey b = EthKey.random(RANDOM);
    EthKey other = EthKey.random(RANDOM);
    OrchestratorRequest forged = OrchestratorRequest.newBuilder()
        .setAddress(ByteString.copyFrom(b.address().toBytes()))
        .setSig(ByteString.copyFrom(SigningPayloads.sign(other, SigningPayloads.orchestratorRequest(b.address().toBytes()))))
        .build();
    assertThatThrownBy(() -> stub(node).getOrchestrator(forged))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("signature");
        });
  }

  @Test
  void keepsItsSigningKeyInTheDataDirAcrossRestarts() {
    byte[] first;
    try (OrchestratorNode node = OrchestratorNode.start(config(), transcoder)) {
      first = node.ethAddress();
    }
    assertThat(dataDir.resolve(OrchestratorNode.KEY_FILE)).exists();
    try (OrchestratorNode again = OrchestratorNode.start(config(), transcoder)) {
      assertThat(again.ethAddress()).isEqualTo(first);
    }
  }

  @Test
  void pingAnswersOrchestratorPersonalSignOfKeccakOfTheValue() {
    OrchestratorNode node = start(config(), transcoder);
    byte[] value = "are you there".getBytes(StandardCharsets.UTF_8);
    PingPong pong = stub(node).ping(PingPong.newBuilder().setValue(ByteString.copyFrom(value)).build());
    assertThat(SigningPayloads.verify(node.ethAddress(), Keccak.hash(value), pong.getValue().toByteArray())).isTrue();
    byte[] nonce = new byte[32];
    RANDOM.nextBytes(nonce);
    PingPong signedNonce = stub(node).ping(PingPong.newBuilder().setValue(ByteString.copyFrom(nonce)).build());
    assertThat(SigningPayloads.verify(node.ethAddress(), Keccak.hash(nonce), signedNonce.getValue().toByteArray()))
        .as("a 32-byte value is hashed too, as the reference's Sign does").isTrue();
    assertThat(SigningPayloads.verify(node.ethAddress(), nonce, signedNonce.getValue().toByteArray())).isFalse();
  }

  @Test
  void transcodesRealSegmentsIntoSignedRenditionsServedFromTheStore() throws Exception {
    OrchestratorNode node = start(config(), transcoder);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);

    for (int seq = 0; seq < segments.size(); seq++) {
      HttpResponse<byte[]> response = postSegment(info, segData(info, b, seq, segments.get(seq), LADDER),
          segments.get(seq));
      assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      TranscodeResult result = TranscodeResult.parseFrom(response.body());
      assertThat(result.getSeq()).isEqualTo(seq);
      assertThat(result.hasData()).as(result.getError()).isTrue();
      List<TranscodedSegmentData> outs = result.getData().getSegmentsList();
      assertThat(outs).hasSize(LADDER.size());
      List<byte[]> downloaded = new ArrayList<>();
      for (int i = 0; i < LADDER.size(); i++) {
        VideoProfile profile = LADDER.get(i);
        assertThat(outs.get(i).getUrl()).isEqualTo(info.getTranscoder() + "/stream/"
            + info.getAuthToken().getSessionId() + "/" + profile.name() + "/" + seq + ".ts");
        assertThat(outs.get(i).getPixels()).isGreaterThan(0);
        HttpResponse<byte[]> rendition = HTTP.send(HttpRequest.newBuilder(URI.create(outs.get(i).getUrl())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(rendition.statusCode()).isEqualTo(200);
        Path file = work.resolve(profile.name() + "_" + seq + ".ts");
        Files.write(file, rendition.body());
        assertThat(probeSize(file)).isEqualTo(profile.width() + "," + profile.height());
        downloaded.add(rendition.body());
      }
      assertThat(SigningPayloads.verify(info.getAddress().toByteArray(), SigningPayloads.transcodeResult(downloaded),
          result.getData().getSig().toByteArray())).as("O's signature over the renditions").isTrue();
    }
    assertThat(node.sessions()).isEqualTo(1);
    HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("livepeer_orchestrator_segments_transcoded_total 3")
        .contains("livepeer_orchestrator_transcode_seconds_count 3")
        .contains("livepeer_orchestrator_sessions 1");
  }

  @Test
  void badInputsGetWireStatusesWhileAnotherSessionCompletes() throws Exception {
    int largest = segments.stream().mapToInt(s -> s.length).max().orElseThrow();
    OrchestratorNode node = start(config().withMaxSegmentBytes(largest + 1024), transcoder);
    EthKey good = EthKey.random(RANDOM);
    OrchestratorInfo goodInfo = getOrchestrator(node, good, false);
    CompletableFuture<List<TranscodeResult>> goodSession = CompletableFuture.supplyAsync(() -> {
      List<TranscodeResult> results = new ArrayList<>();
      for (int seq = 0; seq < segments.size(); seq++) {
        HttpResponse<byte[]> r = postSegment(goodInfo, segData(goodInfo, good, seq, segments.get(seq), LADDER),
            segments.get(seq));
        assertThat(r.statusCode()).isEqualTo(200);
        results.add(parse(r.body()));
      }
      return results;
    });

    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);
    byte[] body = segments.get(0);
    SegData ok = segData(info, b, 0, body, LADDER);

    // a Livepeer-Segment header that is not base64 of a SegData, or none at all
    assertAnswer(post(info, "%%% not base64 %%%", "", body), 403, WireHeaders.SEGMENT);
    assertAnswer(post(info, "", "", body), 403, "missing " + WireHeaders.SEGMENT);
    assertAnswer(post(info, java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 1}), "", body),
        403, "not a serialized SegData");
    // a body whose keccak256 differs from SegData.hash
    byte[] tampered = body.clone();
    tampered[tampered.length / 2] ^= 1;
    assertAnswer(postSegment(info, ok, tampered), 403, "hash does not match");
    // over the size limit
    assertAnswer(postSegment(info, ok, new byte[largest + 2048]), 413, "over the segment size limit");
    // an auth token that expired (made with O's secret, 31 minutes ago)
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(31)), ZoneOffset.UTC);
    AuthToken expired = new AuthTokens(OrchestratorNode.tokenSecret(SECRET, RANDOM), past, RANDOM).create();
    OrchestratorInfo expiredInfo = info.toBuilder().setAuthToken(expired).build();
    assertAnswer(postSegment(info, segData(expiredInfo, b, 0, body, LADDER), body), 403, "expired");
    // a token O never issued
    AuthToken foreign = new AuthTokens("other".getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), RANDOM).create();
    assertAnswer(postSegment(info, segData(info.toBuilder().setAuthToken(foreign).build(), b, 0, body, LADDER), body),
        403, "not issued by this orchestrator");
    // signed by a key other than the address B gave in GetOrchestrator
    SegData forged = ok.toBuilder().setSig(ByteString.copyFrom(
        SigningPayloads.sign(EthKey.random(RANDOM), SigningPayloads.segment(ok.toBuilder().clearSig().build())))).build();
    assertAnswer(postSegment(info, forged, body), 403, "signature");
    // a capability O lacks
    SegData hevc = resign(ok.toBuilder().setCapabilities(CapabilityBits.builder()
        .setAll(CapabilityBits.requiredFor(LADDER)).set(Capability.HEVC_ENCODE).build().toProto()), b);
    assertAnswer(postSegment(info, hevc, body), 403, "capabilities");
    // an unparsable payment header
    assertAnswer(post(info, WireHeaders.encodeSegment(ok), "%%%", body), 402, WireHeaders.PAYMENT);

    List<TranscodeResult> results = goodSession.get(90, TimeUnit.SECONDS);
    assertThat(results).hasSize(segments.size()).allSatisfy(r -> {
      assertThat(r.hasData()).as(r.getError()).isTrue();
      assertThat(r.getData().getSegmentsCount()).isEqualTo(LADDER.size());
    });
    assertThat(node.sessions()).as("refused segments open no session").isEqualTo(1);
    assertThat(node.metricsText()).contains("livepeer_orchestrator_segments_rejected_total 10");
  }

  @Test
  void capsSessionsAtMaxSessionsAndEndTranscodingSessionFreesTheSlot() throws Exception {
    OrchestratorNode node = start(config().withMaxSessions(1), transcoder);
    EthKey a = EthKey.random(RANDOM);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo infoA = getOrchestrator(node, a, false);
    OrchestratorInfo infoB = getOrchestrator(node, b, false);
    byte[] body = segments.get(0);

    TranscodeResult first = parse(postSegment(infoA, segData(infoA, a, 0, body, LADDER), body).body());
    assertThat(first.hasData()).as(first.getError()).isTrue();
    HttpResponse<byte[]> capped = postSegment(infoB, segData(infoB, b, 0, body, LADDER), body);
    assertAnswer(capped, 403, WireHeaders.ORCHESTRATOR_CAPPED);
    assertThat(new String(capped.body(), StandardCharsets.UTF_8)).isEqualTo(WireHeaders.ORCHESTRATOR_CAPPED);
    // discovery says so too, unless B asks to skip the capacity check
    assertThatThrownBy(() -> getOrchestrator(node, b, false))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).isEqualTo(WireHeaders.ORCHESTRATOR_CAPPED));
    assertThat(getOrchestrator(node, b, true).getAuthToken().getSessionId()).isNotEmpty();

    stub(node).endTranscodingSession(EndTranscodingSessionRequest.newBuilder()
        .setAuthToken(infoA.getAuthToken()).build());
    assertThat(node.sessions()).isZero();
    String firstUrl = first.getData().getSegments(0).getUrl();
    assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(firstUrl)).build(),
        HttpResponse.BodyHandlers.ofByteArray()).statusCode()).as("an ended session's renditions are dropped")
        .isEqualTo(404);
    TranscodeResult second = parse(postSegment(infoB, segData(infoB, b, 0, body, LADDER), body).body());
    assertThat(second.hasData()).as(second.getError()).isTrue();
    assertThat(node.sessions()).isEqualTo(1);
  }

  @Test
  void answersOrchestratorBusyWhenASessionQueueIsFull() throws Exception {
    BlockingTranscoder blocking = new BlockingTranscoder();
    OrchestratorNode node = start(config(), blocking);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);
    byte[] body = segments.get(0);
    int depth = config().sessionQueueDepth();
    List<CompletableFuture<HttpResponse<byte[]>>> queued = new ArrayList<>();
    for (int seq = 0; seq < depth; seq++) {
      SegData seg = segData(info, b, seq, body, LADDER);
      queued.add(CompletableFuture.supplyAsync(() -> postSegment(info, seg, body)));
    }
    assertThat(blocking.started.await(10, TimeUnit.SECONDS)).isTrue();
    waitFor(() -> node.metricsText().contains("livepeer_orchestrator_segments_received_total " + depth));

    TranscodeResult busy = parse(postSegment(info, segData(info, b, depth, body, LADDER), body).body());
    assertThat(busy.getError()).isEqualTo(WireHeaders.ORCHESTRATOR_BUSY);
    assertThat(busy.getSeq()).isEqualTo(depth);

    blocking.release.countDown();
    for (CompletableFuture<HttpResponse<byte[]>> f : queued) {
      assertThat(parse(f.get(20, TimeUnit.SECONDS).body()).hasData()).isTrue();
    }
  }

  @Test
  void reportsATranscodeFailureInTheResultAndRecovers() throws Exception {
    FailingOnceTranscoder failing = new FailingOnceTranscoder();
    OrchestratorNode node = start(config(), failing);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);
    byte[] body = segments.get(0);
    TranscodeResult failed = parse(postSegment(info, segData(info, b, 0, body, LADDER), body).body());
    assertThat(failed.getError()).contains("transcode failed").contains("corrupt input");
    TranscodeResult next = parse(postSegment(info, segData(info, b, 1, body, LADDER), body).body());
    assertThat(next.hasData()).as(next.getError()).isTrue();
    assertThat(failing.opened).isEqualTo(2); // a fresh media session after the failure
    assertThat(node.metricsText()).contains("livepeer_orchestrator_segments_failed_total 1");
  }

  @Test
  void servesHttp11ClientsAndKeepsTheConnectionUsableAfterAnOversizeBody() throws Exception {
    int limit = segments.get(0).length + 1024;
    OrchestratorNode node = start(config().withMaxSegmentBytes(limit), transcoder);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);
    HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(WireClients.trustAllSslContext()).build();
    SegData seg = segData(info, b, 0, segments.get(0), LADDER);
    HttpResponse<byte[]> tooBig = http11.send(segmentRequest(info, seg, new byte[limit + 1]),
        HttpResponse.BodyHandlers.ofByteArray());
    assertAnswer(tooBig, 413, "over the segment size limit of " + limit);
    HttpResponse<byte[]> ok = http11.send(segmentRequest(info, seg, segments.get(0)),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    TranscodeResult result = parse(ok.body());
    assertThat(result.hasData()).as(result.getError()).isTrue();
  }

  @Test
  void downloadsTheSegmentWhenTheBodyIsAUrl() throws Exception {
    OrchestratorNode node = start(config(), transcoder);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);
    byte[] body = segments.get(1);
    com.sun.net.httpserver.HttpServer source = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    source.createContext("/seg.ts", exchange -> {
      exchange.sendResponseHeaders(200, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    source.start();
    toClose.add(() -> source.stop(0));
    String url = "http://127.0.0.1:" + source.getAddress().getPort() + "/seg.ts";
    HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/segment"))
        .header("Content-Type", WireHeaders.CONTENT_TYPE_SEGMENT_URI)
        .header(WireHeaders.SEGMENT, WireHeaders.encodeSegment(segData(info, b, 1, body, LADDER)))
        .POST(HttpRequest.BodyPublishers.ofString(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    TranscodeResult result = parse(response.body());
    assertThat(result.hasData()).as(result.getError()).isTrue();
    assertThat(result.getData().getSegmentsCount()).isEqualTo(LADDER.size());
  }

  @Test
  void closesSessionsThatWentIdle() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    OrchestratorNode node = OrchestratorNode.start(config(), new FailingOnceTranscoder(), clock);
    toClose.add(node);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);
    byte[] body = segments.get(0);
    postSegment(info, segData(info, b, 0, body, LADDER), body);
    assertThat(node.sessions()).isEqualTo(1);
    node.closeIdleSessions();
    assertThat(node.sessions()).as("a session in use stays").isEqualTo(1);
    clock.now = clock.now.plus(config().sessionIdleTimeout()).plusSeconds(1);
    node.closeIdleSessions();
    assertThat(node.sessions()).isZero();
  }

  @Test
  void paymentAnswersFreshInfoForTheSameSession() throws Exception {
    OrchestratorNode node = start(config(), transcoder);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(node, b, false);
    SegData seg = segData(info, b, 0, segments.get(0), LADDER);
    HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/payment"))
        .header(WireHeaders.SEGMENT, WireHeaders.encodeSegment(seg))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    PaymentResult result = PaymentResult.parseFrom(response.body());
    assertThat(result.getInfo().getAuthToken().getSessionId()).isEqualTo(info.getAuthToken().getSessionId());
    assertThat(result.getInfo().getTranscoder()).isEqualTo(info.getTranscoder());

    HttpResponse<byte[]> bad = HTTP.send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/payment"))
        .header(WireHeaders.PAYMENT, "***").POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(bad.statusCode()).isEqualTo(402);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private OrchestratorConfig config() {
    return OrchestratorConfig.defaults("127.0.0.1", 0, dataDir, SECRET);
  }

  private OrchestratorNode start(OrchestratorConfig config, Transcoder t) {
    OrchestratorNode node = OrchestratorNode.start(config, t);
    toClose.add(node);
    return node;
  }

  private OrchestratorGrpc.OrchestratorBlockingStub stub(OrchestratorNode node) {
    ManagedChannel channel = WireClients.grpcChannel("127.0.0.1", node.serviceAddress().getPort());
    toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return OrchestratorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private OrchestratorInfo getOrchestrator(OrchestratorNode node, EthKey b, boolean ignoreCapacity) {
    return stub(node).getOrchestrator(OrchestratorRequest.newBuilder()
        .setAddress(ByteString.copyFrom(b.address().toBytes()))
        .setSig(ByteString.copyFrom(SigningPayloads.sign(b, SigningPayloads.orchestratorRequest(b.address().toBytes()))))
        .setCapabilities(CapabilityBits.requiredFor(LADDER).toProto())
        .setIgnoreCapacityCheck(ignoreCapacity)
        .build());
  }

  private static SegData segData(OrchestratorInfo info, EthKey b, long seq, byte[] body,
      List<VideoProfile> ladder) {
    SegData.Builder seg = SegData.newBuilder()
        .setManifestId(ByteString.copyFromUtf8("manifest-" + info.getAuthToken().getSessionId()))
        .setSeq(seq)
        .setHash(ByteString.copyFrom(Keccak.hash(body)))
        .setDuration(2000)
        .setCapabilities(CapabilityBits.requiredFor(ladder).toProto())
        .setAuthToken(info.getAuthToken());
    WireProfiles.setProfiles(seg, ladder);
    return resign(seg, b);
  }

  private static SegData resign(SegData.Builder seg, EthKey b) {
    seg.clearSig();
    return seg.setSig(ByteString.copyFrom(SigningPayloads.sign(b, SigningPayloads.segment(seg.build())))).build();
  }

  private static HttpRequest segmentRequest(OrchestratorInfo info, SegData seg, byte[] body) {
    return HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/segment"))
        .header("Content-Type", WireHeaders.CONTENT_TYPE_SEGMENT)
        .header(WireHeaders.SEGMENT, WireHeaders.encodeSegment(seg))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static HttpResponse<byte[]> postSegment(OrchestratorInfo info, SegData seg, byte[] body) {
    return post(info, WireHeaders.encodeSegment(seg), "", body);
  }

  private static HttpResponse<byte[]> post(OrchestratorInfo info, String segmentHeader, String paymentHeader,
      byte[] body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/segment"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", WireHeaders.CONTENT_TYPE_SEGMENT)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (!segmentHeader.isEmpty()) {
      request.header(WireHeaders.SEGMENT, segmentHeader);
    }
    if (!paymentHeader.isEmpty()) {
      request.header(WireHeaders.PAYMENT, paymentHeader);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void assertAnswer(HttpResponse<byte[]> response, int status, String bodyContains) {
    String text = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(response.statusCode()).as(text).isEqualTo(status);
    assertThat(text).contains(bodyContains);
  }

  private static TranscodeResult parse(byte[] body) {
    try {
      return TranscodeResult.parseFrom(body);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError("not a TranscodeResult: " + new String(body, StandardCharsets.UTF_8), e);
    }
  }

  private static String probeSize(Path file) {
    return TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
        "-show_entries", "stream=width,height", "-of", "csv=p=0", file.toString()), 60)
        .lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met in 10 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** A fake transcoder whose sessions wait for {@link #release} before answering tiny renditions. */
  private static final class BlockingTranscoder implements Transcoder {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      return new TranscodeSession() {
        @Override
        public io.jlivepeer.media.TranscodeResult transcode(Segment segment) {
          started.countDown();
          try {
            if (!release.await(30, TimeUnit.SECONDS)) {
              throw new MediaException("test never released the transcoder");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MediaException("interrupted");
          }
          return fakeResult(profiles, segment);
        }

        @Override
        public void close() {}
      };
    }
  }

  /** A fake transcoder whose first session fails its first segment, as on corrupt input. */
  private static final class FailingOnceTranscoder implements Transcoder {
    volatile int opened;

    @Override
    public synchronized TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      boolean fail = opened++ == 0;
      return new TranscodeSession() {
        @Override
        public io.jlivepeer.media.TranscodeResult transcode(Segment segment) {
          if (fail) {
            throw new MediaException("corrupt input in segment " + segment.seq());
          }
          return fakeResult(profiles, segment);
        }

        @Override
        public void close() {}
      };
    }
  }

  private static io.jlivepeer.media.TranscodeResult fakeResult(List<VideoProfile> profiles, Segment segment) {
    List<Rendition> renditions = profiles.stream()
        .map(p -> new Rendition(p, (p.name() + "/" + segment.seq()).getBytes(StandardCharsets.US_ASCII),
            (long) p.width() * p.height()))
        .toList();
    return new io.jlivepeer.media.TranscodeResult(0, renditions);
  }
}
