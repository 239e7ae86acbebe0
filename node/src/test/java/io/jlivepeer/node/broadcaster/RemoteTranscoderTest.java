package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** B's remote transcoder against real orchestrators on loopback (one segment at a time, no ingest). */
class RemoteTranscoderTest {
  static final List<VideoProfile> LADDER = List.of(
      VideoProfile.of("P144p30fps16x9", 256, 144, 300_000, 30),
      VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30));

  private static List<byte[]> segments;

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void cutSegments(@TempDir Path work) throws IOException {
    FfmpegBinaries.usePlatformExtension();
    segments = TestMedia.segments(TestMedia.source(320, 180, 30, 6, "ts"), work, 2);
    assertThat(segments.size()).as("segments cut from a 6 s clip").isGreaterThanOrEqualTo(2);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  @Test
  void transcodesThroughAnOrchestratorAndEndsItsSessionOnClose() {
    OrchestratorNode o = orchestrator("o1", new FfmpegTranscoder());
    RemoteTranscoder remote = remote(RemoteConfig.defaults(List.of(addr(o)), dir.resolve("b")));
    Transcoder.TranscodeSession session = remote.open("stream", LADDER);
    for (int seq = 0; seq < 2; seq++) {
      TranscodeResult result = session.transcode(new Segment("stream", seq, 2000, segments.get(seq)));
      assertThat(result.renditions()).extracting(Rendition::profile).containsExactlyElementsOf(LADDER);
      assertThat(result.renditions()).allSatisfy(r -> {
        assertThat(r.data().length).isPositive().isEqualTo(r.data().length / 188 * 188);
        assertThat(r.encodedPixels()).isPositive();
      });
    }
    assertThat(o.sessions()).isEqualTo(1);
    assertThat(remote.segmentRequests()).isEqualTo(2);
    session.close();
    assertThat(o.sessions()).as("EndTranscodingSession freed O's session").isZero();
  }

  @Test
  void atMostMaxAttemptsRequestsPerSegmentWhenEveryOrchestratorFails() {
    AtomicInteger calls = new AtomicInteger();
    OrchestratorNode a = orchestrator("a", new FailingTranscoder(calls));
    OrchestratorNode b = orchestrator("b", new FailingTranscoder(calls));
    RemoteTranscoder remote = remote(RemoteConfig.defaults(List.of(addr(a), addr(b)), dir.resolve("b")));
    Transcoder.TranscodeSession session = remote.open("stream", LADDER);
    for (int seq = 0; seq < 3; seq++) {
      Segment segment = new Segment("stream", seq, 2000, segments.get(0));
      assertThatThrownBy(() -> session.transcode(segment))
          .isInstanceOf(MediaException.class)
          .hasMessageContaining("failed on 3 attempts")
          .hasMessageContaining("-orchAddr");
      assertThat(calls.get()).as("transcodes on both O's after segment %d", seq).isEqualTo(3 * (seq + 1));
    }
    assertThat(remote.segmentRequests()).isEqualTo(9);
    session.close();
  }

  @Test
  void unreachableOrchestratorsCostAtMostMaxAttemptsAndFailClearly() throws IOException {
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort();
    }
    RemoteTranscoder remote = remote(RemoteConfig.defaults(List.of("127.0.0.1:" + dead), dir.resolve("b"))
        .withMaxAttempts(2));
    Transcoder.TranscodeSession session = remote.open("stream", LADDER);
    long start = System.nanoTime();
    assertThatThrownBy(() -> session.transcode(new Segment("stream", 0, 2000, segments.get(0))))
        .isInstanceOf(MediaException.class).hasMessageContaining("failed on 2 attempts")
        .hasMessageContaining("127.0.0.1:" + dead);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(remote.segmentRequests()).as("no segment POST without an OrchestratorInfo").isZero();
    session.close();
  }

  @Test
  void movesToTheOtherOrchestratorWhenOneFails() {
    AtomicInteger failures = new AtomicInteger();
    OrchestratorNode bad = orchestrator("bad", new FailingTranscoder(failures));
    OrchestratorNode good = orchestrator("good", new FfmpegTranscoder());
    RemoteTranscoder remote = remote(RemoteConfig.defaults(List.of(addr(bad), addr(good)), dir.resolve("b")));
    remote.pool().seedLatency(addr(bad), 1);
    remote.pool().seedLatency(addr(good), 500);
    Transcoder.TranscodeSession session = remote.open("stream", LADDER);
    for (int seq = 0; seq < 2; seq++) {
      assertThat(session.transcode(new Segment("stream", seq, 2000, segments.get(seq))).renditions()).hasSize(2);
    }
    assertThat(failures.get()).as("the failing O got the first try only, then was suspended").isEqualTo(1);
    assertThat(remote.segmentRequests()).isEqualTo(3);
    assertThat(remote.swaps()).isEqualTo(1);
    assertThat(remote.pool().scores().getFirst()).startsWith(addr(good));
    session.close();
  }

  @Test
  void rejectsRenditionsNotSignedByTheOrchestratorsAddressAndMovesOn() {
    AtomicInteger impostorCalls = new AtomicInteger();
    OrchestratorNode impostor = orchestrator("impostor", new CountingTranscoder(new FfmpegTranscoder(),
        impostorCalls));
    OrchestratorNode honest = orchestrator("honest", new FfmpegTranscoder());
    String impostorUrl = impostor.transcoderUrl();
    // B learns an address for the impostor that its key does not have, so its result signatures do not match
    byte[] claimed = new byte[20];
    claimed[19] = 7;
    RemoteTranscoder remote = RemoteTranscoder.start(
        RemoteConfig.defaults(List.of(addr(impostor), addr(honest)), dir.resolve("b")), LADDER,
        java.time.Clock.systemUTC(), info -> info.getTranscoder().equals(impostorUrl)
            ? info.toBuilder().setAddress(com.google.protobuf.ByteString.copyFrom(claimed)).build() : info);
    toClose.add(remote);
    remote.pool().seedLatency(addr(impostor), 1);
    remote.pool().seedLatency(addr(honest), 500);
    Transcoder.TranscodeSession session = remote.open("stream", LADDER);
    TranscodeResult result = session.transcode(new Segment("stream", 0, 2000, segments.get(0)));
    assertThat(result.renditions()).hasSize(2);
    assertThat(impostorCalls.get()).as("the impostor transcoded, but its result was thrown away").isEqualTo(1);
    assertThat(remote.segmentRequests()).isEqualTo(2);
    assertThat(remote.swaps()).isEqualTo(1);
    session.close();
  }

  @Test
  void refreshesTheSessionWhenTheAuthTokenIsInItsLastTenthOfLife() {
    CountingTranscoder counting = new CountingTranscoder(new FfmpegTranscoder(), new AtomicInteger());
    OrchestratorNode o = orchestrator("o1", counting);
    java.time.Instant[] now = {java.time.Instant.now()};
    java.time.Clock clock = new java.time.Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public java.time.Instant instant() {
        return now[0];
      }
    };
    RemoteTranscoder remote = RemoteTranscoder.start(RemoteConfig.defaults(List.of(addr(o)), dir.resolve("b")),
        LADDER, clock);
    toClose.add(remote);
    Transcoder.TranscodeSession session = remote.open("stream", LADDER);
    session.transcode(new Segment("stream", 0, 2000, segments.get(0)));
    now[0] = now[0].plus(Duration.ofMinutes(26));
    session.transcode(new Segment("stream", 1, 2000, segments.get(1)));
    assertThat(counting.opens.get()).as("26 of 30 minutes: the token has more than a tenth of its life").isEqualTo(1);
    now[0] = now[0].plus(Duration.ofMinutes(2));
    session.transcode(new Segment("stream", 2, 2000, segments.get(0)));
    assertThat(counting.opens.get()).as("28 of 30 minutes: a fresh GetOrchestrator, a new O session").isEqualTo(2);
    assertThat(o.sessions()).as("the old O session was ended").isEqualTo(1);
    session.close();
    assertThat(o.sessions()).isZero();
  }

  /**
   * The demo hang: java.net.http's sendAsync completes its future on the common ForkJoinPool, whose single worker (2
   * cores) the demo itself held when run from a test; O's answer then never reached B. B must not need that pool.
   */
  @Test
  void answersReachTheBroadcasterWhileTheCommonPoolIsBusy() throws Exception {
    OrchestratorNode o = orchestrator("o1", new FfmpegTranscoder());
    RemoteTranscoder remote = remote(RemoteConfig.defaults(List.of(addr(o)), dir.resolve("b")));
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    int workers = java.util.concurrent.ForkJoinPool.commonPool().getParallelism();
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(workers);
    for (int i = 0; i < workers; i++) {
      java.util.concurrent.CompletableFuture.runAsync(() -> {
        busy.countDown();
        try {
          while (release.getCount() > 0) {
            Thread.sleep(20); // sleeping, as the demo's progress loop did: the pool does not compensate for it
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    try {
      assertThat(busy.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("every common-pool worker taken").isTrue();
      Transcoder.TranscodeSession session = remote.open("stream", LADDER);
      TranscodeResult result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
          () -> session.transcode(new Segment("stream", 0, 2000, segments.get(0))));
      assertThat(result.renditions()).hasSize(2);
      assertThat(remote.segmentRequests()).as("answered on the first request").isEqualTo(1);
      session.close();
    } finally {
      release.countDown();
    }
  }

  /** java.net.http's request timeout ends at the response headers: a body that stalls must still end the attempt. */
  @Test
  void aRenditionBodyThatStallsEndsTheAttemptWithinTheDeadline() throws Exception {
    OrchestratorNode o = orchestrator("o1", new FfmpegTranscoder());
    com.sun.net.httpserver.HttpServer fake = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    String base = "http://127.0.0.1:" + fake.getAddress().getPort();
    AtomicInteger stalled = new AtomicInteger();
    fake.createContext("/segment", ex -> {
      ex.getRequestBody().readAllBytes();
      io.jlivepeer.wire.proto.SegData seg = io.jlivepeer.wire.WireHeaders.decodeSegment(
          ex.getRequestHeaders().getFirst(io.jlivepeer.wire.WireHeaders.SEGMENT));
      io.jlivepeer.wire.proto.TranscodeData.Builder data = io.jlivepeer.wire.proto.TranscodeData.newBuilder();
      for (VideoProfile p : LADDER) {
        data.addSegments(io.jlivepeer.wire.proto.TranscodedSegmentData.newBuilder()
            .setUrl(base + "/stall/" + p.name() + ".ts"));
      }
      byte[] answer = io.jlivepeer.wire.proto.TranscodeResult.newBuilder().setSeq(seg.getSeq()).setData(data).build()
          .toByteArray();
      ex.sendResponseHeaders(200, answer.length);
      ex.getResponseBody().write(answer);
      ex.close();
    });
    fake.createContext("/stall/", ex -> {
      stalled.incrementAndGet();
      ex.sendResponseHeaders(200, 1_000_000); // headers and a first few bytes, then nothing
      ex.getResponseBody().write(new byte[188]);
      ex.getResponseBody().flush();
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
    });
    fake.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    fake.start();
    try {
      RemoteTranscoder remote = RemoteTranscoder.start(
          RemoteConfig.defaults(List.of(addr(o)), dir.resolve("b")).withMaxAttempts(2)
              .withMinRequestTimeout(Duration.ofSeconds(1)), LADDER, java.time.Clock.systemUTC(),
          info -> info.toBuilder().setTranscoder(base).build());
      toClose.add(remote);
      Transcoder.TranscodeSession session = remote.open("stream", LADDER);
      long start = System.nanoTime();
      // a 200 ms segment: request timeout = the 1 s floor, so an attempt is over within 2 s
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
          assertThatThrownBy(() -> session.transcode(new Segment("stream", 0, 200, segments.get(0))))
              .isInstanceOf(MediaException.class)
              .hasMessageContaining("failed on 2 attempts")
              .hasMessageContaining("not complete within 1000 ms"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(stalled.get()).as("both renditions of both attempts were requested in parallel").isEqualTo(4);
      session.close();
    } finally {
      stop.countDown();
      fake.stop(0);
    }
  }

  @Test
  void keepsItsSigningKeyInTheDataDir() {
    byte[] first;
    RemoteConfig config = RemoteConfig.defaults(List.of("127.0.0.1:1"), dir.resolve("keyed"));
    try (RemoteTranscoder r = new RemoteTranscoderHolder(config).get()) {
      first = r.ethAddress();
    }
    assertThat(dir.resolve("keyed").resolve(RemoteTranscoder.KEY_FILE)).exists();
    try (RemoteTranscoder again = new RemoteTranscoderHolder(config).get()) {
      assertThat(again.ethAddress()).isEqualTo(first).hasSize(20);
    }
  }

  private record RemoteTranscoderHolder(RemoteConfig config) {
    RemoteTranscoder get() {
      return RemoteTranscoder.start(config.withMinRequestTimeout(Duration.ofSeconds(1)), LADDER);
    }
  }

  private OrchestratorNode orchestrator(String name, Transcoder transcoder) {
    OrchestratorNode o = OrchestratorNode.start(
        OrchestratorConfig.defaults("127.0.0.1", 0, dir.resolve(name), "secret-" + name), transcoder);
    toClose.add(o);
    return o;
  }

  private RemoteTranscoder remote(RemoteConfig config) {
    RemoteTranscoder r = RemoteTranscoder.start(config, LADDER);
    toClose.add(r);
    return r;
  }

  static String addr(OrchestratorNode o) {
    return "127.0.0.1:" + o.serviceAddress().getPort();
  }

  /** Counts the segments an orchestrator's media transcoder gets. */
  static final class CountingTranscoder implements Transcoder {
    private final Transcoder delegate;
    private final AtomicInteger calls;
    final AtomicInteger opens = new AtomicInteger();

    CountingTranscoder(Transcoder delegate, AtomicInteger calls) {
      this.delegate = delegate;
      this.calls = calls;
    }

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      opens.incrementAndGet();
      TranscodeSession inner = delegate.open(sessionId, profiles);
      return new TranscodeSession() {
        @Override
        public TranscodeResult transcode(Segment segment) {
          calls.incrementAndGet();
          return inner.transcode(segment);
        }

        @Override
        public void close() {
          inner.close();
        }
      };
    }
  }

  /** An orchestrator's media transcoder that always fails, counting the segments it was given. */
  static final class FailingTranscoder implements Transcoder {
    private final AtomicInteger calls;

    FailingTranscoder(AtomicInteger calls) {
      this.calls = calls;
    }

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      return new TranscodeSession() {
        @Override
        public TranscodeResult transcode(Segment segment) {
          calls.incrementAndGet();
          throw new MediaException("test transcoder refuses every segment");
        }

        @Override
        public void close() {}
      };
    }
  }
}
