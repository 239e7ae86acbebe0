package io.jlivepeer.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class UploadQueueTest {
  @TempDir Path tmp;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger queueLog = (Logger) LoggerFactory.getLogger(UploadQueue.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    queueLog.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    queueLog.detachAppender(logs);
  }

  @Test
  void uploadsWaitOutAnOutageWithOneWarningAndResumeWhenTheStoreReturns() throws Exception {
    try (S3ProxyProcess s3 = S3ProxyProcess.startNew(tmp.resolve("s3"))) {
      String url = s3.bucket("outage");
      UploadQueue.Config config = UploadQueue.Config.defaults().withRetry(Duration.ofMillis(100),
          Duration.ofMillis(400));
      try (UploadQueue queue = new UploadQueue(ObjectStore.open(url), config, Clock.systemUTC());
          ObjectStore reader = ObjectStore.open(url)) {
        queue.put("before.ts", new byte[] {1}, StreamRecorder.TS).get(30, TimeUnit.SECONDS);

        s3.stop();
        List<CompletableFuture<Void>> during = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
          during.add(queue.put("during/" + i + ".ts", new byte[] {(byte) i}, StreamRecorder.TS));
        }
        queue.putLatest("live.m3u8", "v1".getBytes(), StreamRecorder.M3U8);
        queue.putLatest("live.m3u8", "v2".getBytes(), StreamRecorder.M3U8);
        assertThat(System.nanoTime() - t0).as("queueing never blocks").isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        awaitTrue(() -> queue.failedAttempts() >= 10, Duration.ofSeconds(20));
        assertThat(queue.healthy()).isFalse();
        assertThat(queue.pending()).isEqualTo(6);
        assertThat(during).noneMatch(CompletableFuture::isDone);
        List<String> warnings = messages(Level.WARN).stream().filter(m -> m.contains("/outage")).toList();
        assertThat(warnings).as("one warning for the outage, not one per attempt").hasSize(1);
        assertThat(warnings.getFirst()).contains(url.substring(url.indexOf('@') + 1))
            .contains("could not reach the store").contains("live HLS and transcoding go on")
            .contains("resume by themselves").doesNotContain(S3ProxyProcess.SECRET)
            .doesNotContain(S3ProxyProcess.ACCESS_KEY);

        queue.putLatest("live.m3u8", "v3".getBytes(), StreamRecorder.M3U8); // newer while down: v3 wins
        s3.start();
        CompletableFuture.allOf(during.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(queue.awaitIdle(Duration.ofSeconds(30))).isTrue();
        for (int i = 0; i < 5; i++) {
          assertThat(reader.get("during/" + i + ".ts")).hasValueSatisfying(b -> assertThat(b).hasSize(1));
        }
        assertThat(reader.get("live.m3u8")).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("v3"));
        assertThat(queue.healthy()).isTrue();
        assertThat(messages(Level.INFO)).anyMatch(m -> m.contains("reachable again: uploads resumed"));
        assertThat(queue.abandoned()).isZero();
      }
    }
  }

  @Test
  void aFullQueueDropsWithAWarningInsteadOfGrowing() throws Exception {
    UploadQueue.Config config = UploadQueue.Config.defaults().withCapacity(2).withRetry(Duration.ofSeconds(5),
        Duration.ofSeconds(5));
    try (UploadQueue queue = new UploadQueue(ObjectStore.open("s3+http://k:s@127.0.0.1:1/nowhere"),
        new UploadQueue.Config(2, 1, Duration.ofSeconds(5), Duration.ofSeconds(5), config.giveUpAfter(),
            Duration.ofMillis(200)), Clock.systemUTC())) {
      CompletableFuture<Void> a = queue.put("a.ts", new byte[1], StreamRecorder.TS);
      CompletableFuture<Void> b = queue.put("b.ts", new byte[1], StreamRecorder.TS);
      CompletableFuture<Void> c = queue.put("c.ts", new byte[1], StreamRecorder.TS);
      assertThat(c).isCompletedExceptionally();
      assertThat(a).isNotDone();
      assertThat(b).isNotDone();
      assertThat(queue.dropped()).isEqualTo(1);
      assertThat(messages(Level.WARN)).anyMatch(m -> m.contains("upload queue full") && m.contains("c.ts")
          && m.contains("Live HLS is not affected"));
    }
  }

  private List<String> messages(Level level) {
    synchronized (logs.list) {
      return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", timeout).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
