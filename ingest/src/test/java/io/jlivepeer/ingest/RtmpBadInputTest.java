package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Misbehaving peers: each is closed with a clear logged reason, while a healthy publisher on the same server
 * keeps delivering frames.
 */
class RtmpBadInputTest {
  private static final int MAX_MESSAGE = 1024 * 1024;
  private static RtmpServer server;
  private static EventLoopGroup clients;
  private static RtmpPublisher healthy;
  private static final Map<String, RecordingSink> sinks = new ConcurrentHashMap<>();
  private LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    RtmpConfig config = RtmpConfig.defaults()
        .withBindAddress(new InetSocketAddress("127.0.0.1", 0))
        .withHandshakeTimeout(Duration.ofMillis(500))
        .withMaxMessageLength(MAX_MESSAGE);
    server = RtmpServer.start(config, request -> {
      RecordingSink sink = new RecordingSink(false);
      sinks.put(request.manifestId(), sink);
      return Optional.of(sink);
    });
    clients = new NioEventLoopGroup(1);
    healthy = RtmpPublisher.start(clients, URI.create(url("/live/healthy")), FlvReader.readAll(TestClips.clip()),
        new RtmpPublisher.Options(true, true));
    healthy.publishing().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    healthy.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    server.close();
    assertThat(sinks.get("healthy").closeReasons).hasSize(1);
  }

  @BeforeEach
  void captureLogs() {
    logs = new LogCapture();
  }

  @AfterEach
  void releaseLogs() {
    logs.close();
  }

  private static String url(String path) {
    return "rtmp://127.0.0.1:" + server.localAddress().getPort() + path;
  }

  /** The healthy publisher delivered at least half a second of new video after the misbehaviour. */
  private static void assertHealthyStreamContinues(long framesBefore) throws InterruptedException {
    RecordingSink sink = sinks.get("healthy");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (sink.videoFrames.get() < framesBefore + 15 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(sink.videoFrames.get()).isGreaterThanOrEqualTo(framesBefore + 15);
    assertThat(sink.closeReasons).isEmpty();
  }

  private static long healthyFrames() {
    return sinks.get("healthy").videoFrames.get();
  }

  @Test
  void closesConnectionSendingRandomBytes() throws Exception {
    long before = healthyFrames();
    byte[] garbage = new byte[16384];
    new Random(42).nextBytes(garbage);
    garbage[0] = (byte) 0xA7; // a first byte of 3 would be a valid C0
    try (RawClient client = new RawClient(server.localAddress())) {
      client.send(garbage);
      assertThat(client.awaitClosedByServer(3000)).isTrue();
    }
    assertThat(logs.awaitWarning(Duration.ofSeconds(2), "closing connection", "handshake refused",
        "version byte 167")).isPresent();
    assertHealthyStreamContinues(before);
  }

  @Test
  void closesConnectionSendingRandomChunksAfterTheHandshake() throws Exception {
    long before = healthyFrames();
    byte[] garbage = new byte[16384];
    new Random(7).nextBytes(garbage);
    try (RawClient client = new RawClient(server.localAddress())) {
      client.handshake();
      client.send(garbage);
      assertThat(client.awaitClosedByServer(3000)).isTrue();
    }
    assertThat(logs.awaitWarning(Duration.ofSeconds(2), "closing connection", "protocol error")).isPresent();
    assertHealthyStreamContinues(before);
  }

  @Test
  void closesTruncatedHandshakeAfterTheTimeout() throws Exception {
    long before = healthyFrames();
    byte[] partial = new byte[701];
    partial[0] = 3;
    try (RawClient client = new RawClient(server.localAddress())) {
      client.send(partial);
      assertThat(client.awaitClosedByServer(3000)).isTrue();
    }
    assertThat(logs.awaitWarning(Duration.ofSeconds(2), "handshake not completed within 500 ms",
        "received 701 of 3073 bytes")).isPresent();
    assertHealthyStreamContinues(before);
  }

  @Test
  void rejectsChunkSizeOverLimit() throws Exception {
    long before = healthyFrames();
    try (RawClient client = new RawClient(server.localAddress())) {
      client.handshake();
      // fmt 0, csid 2, time 0, length 4, type 1 (Set Chunk Size), stream 0, size 1048577
      client.send(bytes("02 000000 000004 01 00000000 00100001"));
      assertThat(client.awaitClosedByServer(3000)).isTrue();
    }
    assertThat(logs.awaitWarning(Duration.ofSeconds(2), "peer set chunk size 1048577 above the limit of 65536",
        "RtmpConfig.maxChunkSize")).isPresent();
    assertHealthyStreamContinues(before);
  }

  @Test
  void rejectsMessageLengthOverLimit() throws Exception {
    long before = healthyFrames();
    try (RawClient client = new RawClient(server.localAddress())) {
      client.handshake();
      // fmt 0, csid 6, time 0, length 0x200000 (2 MiB), type 9 (video), stream 1
      client.send(bytes("06 000000 200000 09 01000000 17010000"));
      assertThat(client.awaitClosedByServer(3000)).isTrue();
    }
    assertThat(logs.awaitWarning(Duration.ofSeconds(2), "message of 2097152 bytes",
        "exceeds the limit of 1048576 bytes (RtmpConfig.maxMessageLength)")).isPresent();
    assertHealthyStreamContinues(before);
  }

  @Test
  void rejectsPublishWithSorensonVideo() throws Exception {
    long before = healthyFrames();
    Process ffmpeg = TestClips.publishSynthetic(url("/live/sorenson"), "flv1", "aac", 3);
    TestClips.Result result = TestClips.await(ffmpeg, 30);
    assertThat(result.exitCode()).as("ffmpeg fails once the server closes").isNotZero();
    assertThat(logs.awaitWarning(Duration.ofSeconds(2), "stream sorenson", "closing connection",
        "video codec Sorenson H.263 (FLV codec id 2) is not supported; publish H.264")).isPresent();
    RecordingSink sink = sinks.get("sorenson");
    assertThat(sink.awaitClose(5)).isTrue();
    assertThat(sink.closeReasons).singleElement().asString().contains("Sorenson H.263");
    assertThat(sink.videoFrames.get()).isZero();
    assertHealthyStreamContinues(before);
  }

  @Test
  void rejectsPublishWithMp3Audio() throws Exception {
    long before = healthyFrames();
    Process ffmpeg = TestClips.publishSynthetic(url("/live/mp3"), "libx264", "libmp3lame", 3);
    TestClips.Result result = TestClips.await(ffmpeg, 30);
    assertThat(result.exitCode()).isNotZero();
    assertThat(logs.awaitWarning(Duration.ofSeconds(2), "stream mp3", "closing connection",
        "audio codec MP3 (FLV sound format 2) is not supported; publish AAC")).isPresent();
    RecordingSink sink = sinks.get("mp3");
    assertThat(sink.awaitClose(5)).isTrue();
    assertThat(sink.closeReasons).hasSize(1);
    assertThat(sink.audioFrames.get()).isZero();
    assertHealthyStreamContinues(before);
  }

  @Test
  void refusesUnknownApplication() throws Exception {
    RtmpPublisher wrong = RtmpPublisher.start(clients, URI.create(url("/vod/abc")), List.of(),
        new RtmpPublisher.Options(false, false));
    assertThat(wrong.publishing()).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
        .withMessageContaining("NetConnection.Connect.Rejected").withMessageContaining("unknown application 'vod'");
    assertThat(logs.awaitWarning(Duration.ofSeconds(2), "unknown application 'vod'")).isPresent();
  }

  static byte[] bytes(String hex) {
    return java.util.HexFormat.of().parseHex(hex.replace(" ", ""));
  }
}
