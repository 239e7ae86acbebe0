package io.jlivepeer.node.transcoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.TranscodeResultsCodec;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.EndTranscodingSessionRequest;
import io.jlivepeer.wire.proto.NotifySegment;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.RegisterRequest;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscodeResult;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import io.jlivepeer.wire.proto.TranscoderGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * O with remote transcoders on loopback: real TranscoderNodes (and a raw gRPC client playing T where the test needs
 * to see the wire), a raw client playing B posting real MPEG-TS segments.
 */
class TranscoderNodeTest {
  private static final String SECRET = "remote-t-secret";
  private static final List<VideoProfile> LADDER = List.of(
      VideoProfile.of("P144p30fps16x9", 256, 144, 300_000, 30),
      VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30));
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .sslContext(WireClients.trustAllSslContext())
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  /** O must never transcode itself in these tests unless a test says so. */
  private static final Transcoder NO_LOCAL = (id, profiles) -> {
    throw new AssertionError("O transcoded locally although localTranscoding is off");
  };

  private static FfmpegTranscoder ffmpeg;
  private static List<byte[]> segments;

  @TempDir Path dataDir;
  @TempDir Path work;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void cutSegments(@TempDir Path dir) throws IOException {
    FfmpegBinaries.usePlatformExtension();
    ffmpeg = new FfmpegTranscoder();
    Path source = TestMedia.source(480, 270, 30, 8, "ts");
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-i",
        source.toString(), "-c", "copy", "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts",
        dir.resolve("seg%03d.ts").toString()), 60);
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> sorted = files.filter(p -> p.toString().endsWith(".ts")).sorted().toList();
      assertThat(sorted.size()).as("segments cut from an 8 s clip").isGreaterThanOrEqualTo(3);
      segments = new ArrayList<>();
      for (Path p : sorted.subList(0, 3)) {
        segments.add(Files.readAllBytes(p));
      }
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  @Test
  void remoteTranscoderTranscodesRealSegmentsThatOSigns() throws Exception {
    OrchestratorNode o = startO();
    TranscoderNode t = startT(o, SECRET, ffmpeg);
    waitFor(() -> o.remoteTranscoders() == 1);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(o, b);

    for (int seq = 0; seq < segments.size(); seq++) {
      TranscodeResult result = transcoded(postSegment(info, segData(info, b, seq, segments.get(seq))));
      assertThat(result.getSeq()).isEqualTo(seq);
      List<TranscodedSegmentData> outs = result.getData().getSegmentsList();
      assertThat(outs).hasSize(LADDER.size());
      List<byte[]> downloaded = new ArrayList<>();
      for (int i = 0; i < LADDER.size(); i++) {
        VideoProfile profile = LADDER.get(i);
        assertThat(outs.get(i).getPixels()).isGreaterThan(0);
        HttpResponse<byte[]> rendition = HTTP.send(HttpRequest.newBuilder(URI.create(outs.get(i).getUrl())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(rendition.statusCode()).isEqualTo(200);
        Path file = work.resolve(profile.name() + "_" + seq + ".ts");
        Files.write(file, rendition.body());
        assertThat(probeSize(file)).isEqualTo(profile.width() + "," + profile.height());
        downloaded.add(rendition.body());
      }
      assertThat(SigningPayloads.verify(o.ethAddress(), SigningPayloads.transcodeResult(downloaded),
          result.getData().getSig().toByteArray())).as("O's signature over T's renditions").isTrue();
    }
    waitFor(() -> t.tasksDone() == segments.size()); // T counts after reading O's answer
    assertThat(t.sessions()).as("one sticky media session on T").isEqualTo(1);

    endSession(o, info);
    waitFor(() -> t.sessions() == 0);
    assertThat(o.remoteTranscoderLoads()).containsExactly(0);
  }

  @Test
  void spreadsSessionsOverTwoTranscodersByLoad() throws Exception {
    OrchestratorNode o = startO();
    TranscoderNode t1 = startT(o, SECRET, new FakeTranscoder());
    waitFor(() -> o.remoteTranscoders() == 1);
    TranscoderNode t2 = startT(o, SECRET, new FakeTranscoder());
    waitFor(() -> o.remoteTranscoders() == 2);

    List<OrchestratorInfo> streams = new ArrayList<>();
    EthKey b = EthKey.random(RANDOM);
    for (int s = 0; s < 4; s++) {
      streams.add(getOrchestrator(o, b));
    }
    for (int seq = 0; seq < 2; seq++) {
      for (OrchestratorInfo info : streams) {
        transcoded(postSegment(info, segData(info, b, seq, segments.get(seq))));
      }
    }
    assertThat(o.remoteTranscoderLoads()).containsExactly(2, 2);
    assertThat(o.metricsText())
        .contains("livepeer_orchestrator_remote_transcoders 2")
        .contains("livepeer_orchestrator_remote_transcoder_capacity 4")
        .contains("livepeer_orchestrator_remote_transcoder_load 4");
    assertThat(t1.sessions()).as("sticky: each session opened once on its T").isEqualTo(2);
    assertThat(t2.sessions()).isEqualTo(2);
    waitFor(() -> t1.tasksDone() == 4); // T counts after reading O's answer
    waitFor(() -> t2.tasksDone() == 4); // T counts after reading O's answer
  }

  @Test
  void workOfATranscoderThatDiesIsRedispatchedAndEverySegmentSucceeds() throws Exception {
    OrchestratorNode o = startO();
    StallingTranscoder stalling = new StallingTranscoder();
    TranscoderNode doomed = startT(o, SECRET, stalling);
    waitFor(() -> o.remoteTranscoders() == 1);
    TranscoderNode survivor = startT(o, SECRET, ffmpeg);
    waitFor(() -> o.remoteTranscoders() == 2);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(o, b);

    // the least-loaded pick with equal loads is the first registered T: the stalling one
    CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(
        () -> postSegment(info, segData(info, b, 0, segments.get(0))));
    assertThat(stalling.started.await(10, TimeUnit.SECONDS)).as("segment 0 reached the first T").isTrue();
    doomed.close(); // abrupt: its registration stream is cut while it holds segment 0

    assertThat(transcoded(first.get(30, TimeUnit.SECONDS)).getSeq()).isZero();
    waitFor(() -> o.remoteTranscoders() == 1);
    for (int seq = 1; seq < segments.size(); seq++) {
      assertThat(transcoded(postSegment(info, segData(info, b, seq, segments.get(seq)))).getSeq()).isEqualTo(seq);
    }
    waitFor(() -> survivor.tasksDone() == segments.size()); // T counts after reading O's answer
    assertThat(o.remoteTranscoderLoads()).containsExactly(1);
    stalling.release.countDown();
  }

  @Test
  void aTranscoderThatDoesNotAnswerInTimeLosesTheTaskToAnother() throws Exception {
    OrchestratorNode o = startO();
    StallingTranscoder stalling = new StallingTranscoder();
    TranscoderNode slow = startT(o, SECRET, stalling);
    waitFor(() -> o.remoteTranscoders() == 1);
    TranscoderNode fast = startT(o, SECRET, new FakeTranscoder());
    waitFor(() -> o.remoteTranscoders() == 2);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(o, b);

    long started = System.nanoTime();
    HttpResponse<byte[]> response = postSegment(info, segData(info, b, 0, segments.get(0)));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(transcoded(response).getSeq()).isZero();
    assertThat(stalling.started.getCount()).as("the first T got the task").isZero();
    // timeout for a 2 s segment: max(8 s, 4 x 2 s) = 8 s
    assertThat(tookMs).isBetween(7_900L, 20_000L);
    waitFor(() -> fast.tasksDone() == 1); // T counts after reading O's answer
    assertThat(slow.tasksDone()).isZero();
    assertThat(o.remoteTranscoderLoads()).as("the session moved to the T that answered").containsExactly(0, 1);
    stalling.release.countDown();
  }

  @Test
  void wrongSecretIsFatalForTheTranscoderAndOKeepsServing() throws Exception {
    OrchestratorNode o = startO();
    TranscoderNode wrong = startT(o, "not-the-secret", new FakeTranscoder());
    long started = System.nanoTime();
    assertThatThrownBy(() -> wrong.await(Duration.ofSeconds(10)))
        .isInstanceOf(NodeException.class)
        .hasMessageContaining("orchestrator refused our -orchSecret")
        .hasMessageContaining("invalid secret");
    assertThat(System.nanoTime() - started).as("fails fast").isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(o.remoteTranscoders()).isZero();

    // a zero capacity is refused too, on the wire
    RawTranscoder zero = rawTranscoder(o, SECRET, 0);
    Status refused = zero.errors.poll(10, TimeUnit.SECONDS);
    assertThat(refused).isNotNull();
    assertThat(refused.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(refused.getDescription()).contains("capacity");

    TranscoderNode right = startT(o, SECRET, new FakeTranscoder());
    waitFor(() -> o.remoteTranscoders() == 1);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(o, b);
    assertThat(transcoded(postSegment(info, segData(info, b, 0, segments.get(0)))).getSeq()).isZero();
    waitFor(() -> right.tasksDone() == 1); // T counts after reading O's answer
  }

  @Test
  void transcodeResultsRefusesBadCredentialsAndMalformedMultipartWithoutLosingTheTask() throws Exception {
    OrchestratorNode o = startO();
    RawTranscoder raw = rawTranscoder(o, SECRET, 1);
    waitFor(() -> o.remoteTranscoders() == 1);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(o, b);
    CompletableFuture<HttpResponse<byte[]>> pending = CompletableFuture.supplyAsync(
        () -> postSegment(info, segData(info, b, 7, segments.get(0))));

    NotifySegment task = raw.notifications.poll(10, TimeUnit.SECONDS);
    assertThat(task).isNotNull();
    assertThat(task.getSegData().getSeq()).isEqualTo(7);
    assertThat(task.getOrchId()).isNotEmpty();
    assertThat(WireProfiles.profilesOf(task.getSegData())).isEqualTo(LADDER);
    String session = task.getSegData().getAuthToken().getSessionId();
    assertThat(session).isEqualTo(info.getAuthToken().getSessionId());

    HttpResponse<byte[]> noCreds = HTTP.send(HttpRequest.newBuilder(URI.create(task.getUrl())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(noCreds.statusCode()).isEqualTo(403);
    HttpResponse<byte[]> input = HTTP.send(HttpRequest.newBuilder(URI.create(task.getUrl()))
        .header("Authorization", WireHeaders.TRANSCODER_AUTHORIZATION)
        .header(WireHeaders.CREDENTIALS, SECRET).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(input.statusCode()).isEqualTo(200);
    assertThat(input.body()).isEqualTo(segments.get(0));

    List<TranscodeResultsCodec.Part> parts = List.of(
        new TranscodeResultsCodec.Part("video/MP2T", "low".getBytes(StandardCharsets.US_ASCII), 256 * 144),
        new TranscodeResultsCodec.Part("video/MP2T", "high".getBytes(StandardCharsets.US_ASCII), 426 * 240));
    TranscodeResultsCodec.Encoded good = TranscodeResultsCodec.encode(parts, "b0undary");

    assertResults(o, "wrong-secret", Long.toString(task.getTaskId()), good.contentType(), good.body(), 403,
        "credentials refused");
    assertResults(o, SECRET, "not-a-number", good.contentType(), good.body(), 400, "TaskId");
    byte[] truncated = java.util.Arrays.copyOf(good.body(), good.body().length - 20);
    assertResults(o, SECRET, Long.toString(task.getTaskId()), good.contentType(), truncated, 400, "multipart part");
    assertResults(o, SECRET, Long.toString(task.getTaskId()), "text/plain", good.body(), 400, "Content-Type");
    assertThat(pending).as("a refused result leaves the task waiting").isNotDone();

    assertResults(o, SECRET, Long.toString(task.getTaskId()), good.contentType(), good.body(), 200, "ok");
    TranscodeResult result = transcoded(pending.get(10, TimeUnit.SECONDS));
    assertThat(result.getData().getSegments(0).getPixels()).isEqualTo(256 * 144);
    assertThat(SigningPayloads.verify(o.ethAddress(), SigningPayloads.transcodeResult(
        List.of("low".getBytes(StandardCharsets.US_ASCII), "high".getBytes(StandardCharsets.US_ASCII))),
        result.getData().getSig().toByteArray())).isTrue();

    // a transcoding error form fails the segment with T's message
    CompletableFuture<HttpResponse<byte[]>> failing = CompletableFuture.supplyAsync(
        () -> postSegment(info, segData(info, b, 8, segments.get(1))));
    NotifySegment second = raw.notifications.poll(10, TimeUnit.SECONDS);
    assertThat(second).isNotNull();
    TranscodeResultsCodec.Encoded error = TranscodeResultsCodec.encodeFailure("decoder exploded");
    assertResults(o, SECRET, Long.toString(second.getTaskId()), error.contentType(), error.body(), 200, "ok");
    TranscodeResult failed = TranscodeResult.parseFrom(failing.get(10, TimeUnit.SECONDS).body());
    assertThat(failed.getError()).contains("decoder exploded");

    // session end: T is told with an empty url and the session id only
    endSession(o, info);
    NotifySegment teardown = raw.notifications.poll(10, TimeUnit.SECONDS);
    assertThat(teardown).isNotNull();
    assertThat(teardown.getUrl()).isEmpty();
    assertThat(teardown.getSegData().getAuthToken().getSessionId()).isEqualTo(session);
  }

  @Test
  void withoutAnyTranscoderASegmentFailsWithAReason() throws Exception {
    OrchestratorNode o = startO();
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(o, b);
    HttpResponse<byte[]> response = postSegment(info, segData(info, b, 0, segments.get(0)));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(TranscodeResult.parseFrom(response.body()).getError()).contains("no remote transcoder");
  }

  @Test
  void fallsBackToLocalTranscodingWhenConfiguredAndNoTranscoderIsLeft() throws Exception {
    FakeTranscoder local = new FakeTranscoder();
    OrchestratorNode o = OrchestratorNode.start(config().withLocalTranscoding(true), local);
    toClose.add(o);
    TranscoderNode t = startT(o, SECRET, new FakeTranscoder());
    waitFor(() -> o.remoteTranscoders() == 1);
    EthKey b = EthKey.random(RANDOM);
    OrchestratorInfo info = getOrchestrator(o, b);
    transcoded(postSegment(info, segData(info, b, 0, segments.get(0))));
    waitFor(() -> t.tasksDone() == 1); // T counts after reading O's answer
    assertThat(local.transcoded).isZero();

    t.close();
    waitFor(() -> o.remoteTranscoders() == 0);
    transcoded(postSegment(info, segData(info, b, 1, segments.get(1))));
    assertThat(local.transcoded).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private OrchestratorConfig config() {
    return OrchestratorConfig.defaults("127.0.0.1", 0, dataDir, SECRET).withLocalTranscoding(false);
  }

  private OrchestratorNode startO() {
    OrchestratorNode node = OrchestratorNode.start(config(), NO_LOCAL);
    toClose.add(node);
    return node;
  }

  private TranscoderNode startT(OrchestratorNode o, String secret, Transcoder media) {
    TranscoderNode t = TranscoderNode.start(
        TranscoderConfig.of("127.0.0.1:" + o.serviceAddress().getPort(), secret, 2), media);
    toClose.add(t);
    return t;
  }

  private ManagedChannel channel(OrchestratorNode o) {
    ManagedChannel channel = WireClients.grpcChannel("127.0.0.1", o.serviceAddress().getPort());
    toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return channel;
  }

  private OrchestratorInfo getOrchestrator(OrchestratorNode o, EthKey b) {
    return OrchestratorGrpc.newBlockingStub(channel(o)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getOrchestrator(OrchestratorRequest.newBuilder()
            .setAddress(ByteString.copyFrom(b.address().toBytes()))
            .setSig(ByteString.copyFrom(SigningPayloads.sign(b, SigningPayloads.orchestratorRequest(b.address().toBytes()))))
            .setCapabilities(CapabilityBits.requiredFor(LADDER).toProto())
            .build());
  }

  private void endSession(OrchestratorNode o, OrchestratorInfo info) {
    OrchestratorGrpc.newBlockingStub(channel(o)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .endTranscodingSession(EndTranscodingSessionRequest.newBuilder().setAuthToken(info.getAuthToken()).build());
  }

  /** A T spoken to with raw gRPC: what O notifies is queued for the test to answer by hand. */
  private RawTranscoder rawTranscoder(OrchestratorNode o, String secret, long capacity) {
    RawTranscoder raw = new RawTranscoder();
    TranscoderGrpc.newStub(channel(o)).registerTranscoder(
        RegisterRequest.newBuilder().setSecret(secret).setCapacity(capacity).build(), raw);
    return raw;
  }

  private static final class RawTranscoder implements StreamObserver<NotifySegment> {
    final LinkedBlockingQueue<NotifySegment> notifications = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Status> errors = new LinkedBlockingQueue<>();

    @Override
    public void onNext(NotifySegment value) {
      notifications.add(value);
    }

    @Override
    public void onError(Throwable t) {
      errors.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {}
  }

  private static void assertResults(OrchestratorNode o, String credentials, String taskId, String contentType,
      byte[] body, int status, String message) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + o.serviceAddress().getPort() + "/transcodeResults"))
        .header("Authorization", WireHeaders.TRANSCODER_AUTHORIZATION)
        .header(WireHeaders.CREDENTIALS, credentials)
        .header(WireHeaders.TASK_ID, taskId)
        .header(WireHeaders.PIXELS, "129600")
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.body()).contains(message);
  }

  private static SegData segData(OrchestratorInfo info, EthKey b, long seq, byte[] body) {
    SegData.Builder seg = SegData.newBuilder()
        .setManifestId(ByteString.copyFromUtf8("manifest-" + info.getAuthToken().getSessionId()))
        .setSeq(seq)
        .setHash(ByteString.copyFrom(Keccak.hash(body)))
        .setDuration(2000)
        .setCapabilities(CapabilityBits.requiredFor(LADDER).toProto())
        .setAuthToken(info.getAuthToken());
    WireProfiles.setProfiles(seg, LADDER);
    seg.setSig(ByteString.copyFrom(SigningPayloads.sign(b, SigningPayloads.segment(seg.build()))));
    return seg.build();
  }

  private static HttpResponse<byte[]> postSegment(OrchestratorInfo info, SegData seg) {
    byte[] body = segments.stream().filter(s -> java.util.Arrays.equals(Keccak.hash(s), seg.getHash().toByteArray()))
        .findFirst().orElseThrow();
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/segment"))
          .timeout(Duration.ofSeconds(60))
          .header("Content-Type", WireHeaders.CONTENT_TYPE_SEGMENT)
          .header(WireHeaders.SEGMENT, WireHeaders.encodeSegment(seg))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static TranscodeResult transcoded(HttpResponse<byte[]> response) throws Exception {
    assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    TranscodeResult result = TranscodeResult.parseFrom(response.body());
    assertThat(result.hasData()).as(result.getError()).isTrue();
    return result;
  }

  private static String probeSize(Path file) {
    return TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
        "-show_entries", "stream=width,height", "-of", "csv=p=0", file.toString()), 60)
        .lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met in 10 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** Answers tiny renditions at once and counts what it did. */
  private static final class FakeTranscoder implements Transcoder {
    volatile int transcoded;

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      return new TranscodeSession() {
        @Override
        public io.jlivepeer.media.TranscodeResult transcode(Segment segment) {
          synchronized (FakeTranscoder.this) {
            transcoded++;
          }
          List<Rendition> renditions = profiles.stream()
              .map(p -> new Rendition(p, (p.name() + "/" + segment.seq()).getBytes(StandardCharsets.US_ASCII),
                  (long) p.width() * p.height()))
              .toList();
          return new io.jlivepeer.media.TranscodeResult(0, renditions);
        }

        @Override
        public void close() {}
      };
    }
  }

  /** Holds every segment until released: a T that took work and then died. */
  private static final class StallingTranscoder implements Transcoder {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      return new TranscodeSession() {
        @Override
        public io.jlivepeer.media.TranscodeResult transcode(Segment segment) {
          started.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new MediaException("stalled transcoder released");
        }

        @Override
        public void close() {}
      };
    }
  }
}
