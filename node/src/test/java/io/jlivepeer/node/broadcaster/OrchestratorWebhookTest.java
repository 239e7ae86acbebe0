package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import io.jlivepeer.payments.EthKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code -orchWebhookUrl} discovery and the trusted/untrusted split of the {@link OrchestratorPool}. */
class OrchestratorWebhookTest {
  private static final List<VideoProfile> LADDER = RemoteTranscoderTest.LADDER;
  private static List<byte[]> segments;

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final AtomicReference<String> answer = new AtomicReference<>("[]");
  private final AtomicInteger gets = new AtomicInteger();

  @BeforeAll
  static void cutSegments(@TempDir Path work) throws IOException {
    FfmpegBinaries.usePlatformExtension();
    Path source = TestMedia.source(320, 180, 30, 4, "ts");
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-i",
        source.toString(), "-c", "copy", "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts",
        work.resolve("seg%03d.ts").toString()), 60);
    segments = new ArrayList<>();
    try (Stream<Path> files = Files.list(work)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".ts")).sorted().toList()) {
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
  void parsesUrlsAndHostPortsWithOptionalTrust() {
    List<OrchestratorPool.Discovered> list = OrchestratorWebhook.parse(("[{\"address\":\"https://10.0.0.2:8935\"},"
        + "{\"address\":\"orch.example:9000\",\"trusted\":true},{\"address\":\"https://o.example\"}]")
        .getBytes(StandardCharsets.UTF_8), false);
    assertThat(list).containsExactly(new OrchestratorPool.Discovered("10.0.0.2:8935", false),
        new OrchestratorPool.Discovered("orch.example:9000", true),
        new OrchestratorPool.Discovered("o.example:8935", false));
    assertThat(OrchestratorWebhook.parse("[{\"address\":\"h:1\"}]".getBytes(StandardCharsets.UTF_8), true))
        .containsExactly(new OrchestratorPool.Discovered("h:1", true));
  }

  @Test
  void rejectsAnswersThatAreNotAListOfAddresses() {
    for (String bad : List.of("{\"address\":\"h:1\"}", "[{\"addr\":\"h:1\"}]", "[{\"address\":\"nohost\"}]",
        "[{\"address\":\"h:1\",\"trusted\":\"yes\"}]", "[{\"address\":\"h:99999\"}]", "not json")) {
      assertThatThrownBy(() -> OrchestratorWebhook.parse(bad.getBytes(StandardCharsets.UTF_8), false)).as(bad)
          .isInstanceOf(NodeException.class);
    }
  }

  @Test
  void pollsPeriodicallyFollowsListChangesAndKeepsTheOldListOnBadJson() throws Exception {
    URI url = serve();
    OrchestratorPool pool = pool(List.of("127.0.0.1:1"));
    answer.set("[{\"address\":\"https://127.0.0.1:2\"},{\"address\":\"https://127.0.0.1:3\"}]");
    ListAppender<ILoggingEvent> logs = capture();
    OrchestratorWebhook w = OrchestratorWebhook.start(OrchestratorWebhook.Config.defaults(url)
        .withInterval(Duration.ofMillis(100)), pool);
    toClose.add(w);
    assertThat(pool.addresses()).as("polled at start").containsExactly("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3");

    answer.set("[{\"address\":\"https://127.0.0.1:3\"},{\"address\":\"127.0.0.1:4\"}]");
    waitFor(() -> pool.addresses().equals(List.of("127.0.0.1:1", "127.0.0.1:3", "127.0.0.1:4")));

    answer.set("[{\"address\": "); // truncated JSON
    long failuresBefore = w.failures();
    waitFor(() -> w.failures() >= failuresBefore + 2);
    assertThat(pool.addresses()).as("old list kept").containsExactly("127.0.0.1:1", "127.0.0.1:3", "127.0.0.1:4");
    assertThat(logged(logs)).anySatisfy(e -> assertThat(e.getFormattedMessage())
        .contains(url.toString()).contains("not JSON").contains("keeping the previous list"));

    answer.set("[]");
    waitFor(() -> pool.addresses().equals(List.of("127.0.0.1:1")));
    assertThat(gets.get()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void prefersTrustedOrchestratorsAndFallsBackToUntrustedOnesWhenTheyFailOrAreSuspended() {
    OrchestratorPool pool = pool(List.of("127.0.0.1:1"));
    pool.updateDiscovered(List.of(new OrchestratorPool.Discovered("127.0.0.1:2", false),
        new OrchestratorPool.Discovered("127.0.0.1:3", true)));
    pool.seedLatency("127.0.0.1:1", 900);
    pool.seedLatency("127.0.0.1:2", 1); // fastest, but untrusted
    pool.seedLatency("127.0.0.1:3", 500);
    assertThat(pool.best(Set.of()).addr).isEqualTo("127.0.0.1:3");
    OrchestratorPool.Orch t1 = pool.best(Set.of());
    OrchestratorPool.Orch t2 = pool.best(Set.of(t1));
    assertThat(t2.addr).as("the other trusted one first").isEqualTo("127.0.0.1:1");
    assertThat(pool.best(Set.of(t1, t2)).addr).as("every trusted one tried").isEqualTo("127.0.0.1:2");
    pool.failed(t1);
    pool.failed(t2);
    assertThat(pool.best(Set.of()).addr).as("trusted ones suspended").isEqualTo("127.0.0.1:2");
    assertThat(pool.counts()).isEqualTo(new OrchestratorPool.Counts(3, 2, 2));
  }

  @Test
  void anUntrustedOrchestratorFromTheWebhookCarriesTheStreamWhileTheTrustedOneIsDown() throws Exception {
    AtomicInteger trustedCalls = new AtomicInteger();
    AtomicInteger untrustedCalls = new AtomicInteger();
    OrchestratorNode untrusted = orchestrator("u", untrustedCalls);
    URI url = serve();
    answer.set("[{\"address\":\"https://" + RemoteTranscoderTest.addr(untrusted) + "\"}]");
    // the operator's orchestrator: nothing listens there yet
    // a generous discovery timeout: the first TLS gRPC call of a cold JVM on a busy 2-core machine can take 2 s
    RemoteTranscoder remote = RemoteTranscoder.start(new RemoteConfig(List.of("127.0.0.1:1"), dir.resolve("b"),
        Duration.ofSeconds(15), 3, RemoteConfig.DEFAULT_MIN_REQUEST_TIMEOUT, 1.0,
        RemoteConfig.DEFAULT_MAX_RENDITION_BYTES), LADDER);
    toClose.add(remote);
    OrchestratorWebhook w = OrchestratorWebhook.start(OrchestratorWebhook.Config.defaults(url), remote.pool());
    toClose.add(w);
    Transcoder.TranscodeSession session = remote.open("s", LADDER);
    TranscodeResult r = session.transcode(new Segment("s", 0, 2000, segments.get(0)));
    assertThat(r.renditions()).hasSize(LADDER.size());
    assertThat(untrustedCalls.get()).isEqualTo(1);

    // a trusted orchestrator comes up through the webhook: the next stream goes there, not to the untrusted one
    OrchestratorNode trusted = orchestrator("t", trustedCalls);
    answer.set("[{\"address\":\"https://" + RemoteTranscoderTest.addr(untrusted) + "\"},{\"address\":\"https://"
        + RemoteTranscoderTest.addr(trusted) + "\",\"trusted\":true}]");
    assertThat(w.poll()).isTrue();
    Transcoder.TranscodeSession second = remote.open("s2", LADDER);
    for (int seq = 0; seq < 2; seq++) {
      second.transcode(new Segment("s2", seq, 2000, segments.get(seq % segments.size())));
    }
    assertThat(trustedCalls.get()).isEqualTo(2);
    assertThat(untrustedCalls.get()).isEqualTo(1);
    session.close();
    second.close();
  }

  private OrchestratorPool pool(List<String> addrs) {
    var executor = Executors.newCachedThreadPool();
    OrchestratorPool pool = new OrchestratorPool(RemoteConfig.defaults(addrs, dir.resolve("k")),
        EthKey.random(new SecureRandom()), Clock.systemUTC(), executor);
    toClose.add(executor::shutdownNow);
    toClose.add(pool);
    return pool;
  }

  private OrchestratorNode orchestrator(String name, AtomicInteger calls) {
    OrchestratorNode o = OrchestratorNode.start(OrchestratorConfig.defaults("127.0.0.1", 0, dir.resolve(name),
        "secret-" + name), new EchoTranscoder(calls));
    toClose.add(o);
    return o;
  }

  private URI serve() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/orchestrators", exchange -> {
      gets.incrementAndGet();
      byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    toClose.add(() -> server.stop(0));
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/orchestrators");
  }

  /** A copy of what was logged: the poller keeps appending, and AppenderBase appends under the appender's lock. */
  private static List<ILoggingEvent> logged(ListAppender<ILoggingEvent> appender) {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  private ListAppender<ILoggingEvent> capture() {
    Logger logger = (Logger) LoggerFactory.getLogger(OrchestratorWebhook.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    toClose.add(() -> logger.detachAppender(appender));
    return appender;
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(50);
    }
  }

  /** O's media transcoder for these tests: counts segments and answers each rendition with the input's bytes. */
  private static final class EchoTranscoder implements Transcoder {
    private final AtomicInteger calls;

    EchoTranscoder(AtomicInteger calls) {
      this.calls = calls;
    }

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      return new TranscodeSession() {
        @Override
        public TranscodeResult transcode(Segment segment) {
          calls.incrementAndGet();
          return new TranscodeResult(1, profiles.stream().map(p -> new Rendition(p, segment.data(), 1)).toList());
        }

        @Override
        public void close() {}
      };
    }
  }
}
