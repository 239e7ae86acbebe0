package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Muxing throughput of the segmenter on one core, on a real H.264/AAC clip replayed with advancing timestamps.
 * Off by default; run with:
 * {@code ./mvnw -B -q -o -pl media test -Dtest=SegmenterBenchTest -Djlivepeer.bench=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "jlivepeer.bench", matches = "true")
class SegmenterBenchTest {
  private static final double STREAM_BYTES_PER_SECOND = 2_000_000 / 8.0; // a 2 Mbps publisher

  @Test
  void measuresMuxingThroughputOnOneCore() {
    var events = SegmenterFlvFixture.read(TestMedia.source(1280, 720, 30, 10, "flv"));
    // Replays continue one audio frame after the clip's last timestamp, so the timeline never jumps back.
    long clipMillis = events.stream().mapToLong(e -> e instanceof SegmenterFlvFixture.Frame f
        ? f.frame().ptsMillis() : 0).max().orElseThrow() + 30;
    long clipBytes = events.stream().mapToLong(e -> e instanceof SegmenterFlvFixture.Frame f
        ? f.frame().payload().length : 0).sum();

    run(events, clipMillis, 1, 3_000); // warm-up
    Result one = run(events, clipMillis, 1, 10_000);
    Result many = run(events, clipMillis, 500, 20_000);

    System.out.printf(Locale.ROOT, "clip: %d frames, %.2f Mbps%n", events.size(), clipBytes * 8 / 10.0 / 1e6);
    one.print("1 stream");
    many.print("500 streams interleaved");
    assertThat(one.inMbPerSecond()).isPositive();
  }

  /** Rates are per second of this thread's CPU time, so other load on the machine does not skew them. */
  record Result(long inBytes, long outBytes, long frames, long segments, long wallNanos, long cpuNanos,
      long allocated) {
    double inMbPerSecond() {
      return inBytes / 1e6 / (cpuNanos / 1e9);
    }

    void print(String name) {
      double seconds = cpuNanos / 1e9;
      System.out.printf(Locale.ROOT,
          "%s: in %.1f MB/s, out %.1f MB/s, %.0f frames/s per CPU second (%.1f s CPU in %.1f s wall), %d segments,"
              + " %.2f allocated bytes per input byte; one core carries %.0f x 2 Mbps streams%n",
          name, inMbPerSecond(), outBytes / 1e6 / seconds, frames / seconds, seconds, wallNanos / 1e9, segments,
          (double) allocated / inBytes, inBytes / seconds / STREAM_BYTES_PER_SECOND);
    }
  }

  private static Result run(List<SegmenterFlvFixture.Event> events, long clipMillis, int streams, long forMillis) {
    long[] out = new long[2];
    SegmentSink sink = s -> {
      out[0] += s.data().length;
      out[1]++;
    };
    List<Segmenter> segmenters = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      segmenters.add(new Segmenter("bench" + i, SegmenterConfig.defaults(), 0, sink));
    }
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().threadId();
    long allocatedBefore = threads.getThreadAllocatedBytes(tid);
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long deadline = start + forMillis * 1_000_000;
    long in = 0;
    long frames = 0;
    boolean done = false;
    for (int loop = 0; !done; loop++) {
      long shift = loop * clipMillis;
      for (var event : events) {
        if (System.nanoTime() > deadline) {
          done = true;
          break;
        }
        for (Segmenter s : segmenters) {
          switch (event) {
            case SegmenterFlvFixture.VideoConfig v -> s.onVideoConfig(v.record());
            case SegmenterFlvFixture.AudioConfig a -> s.onAudioConfig(a.asc());
            case SegmenterFlvFixture.Frame f -> {
              EsFrame x = f.frame();
              // Payloads are shared between replays: the segmenter only reads them.
              s.onFrame(new EsFrame(x.kind(), x.dtsMillis() + shift, x.compositionOffsetMillis(), x.keyframe(),
                  x.payload()));
              in += x.payload().length;
              frames++;
            }
          }
        }
      }
    }
    segmenters.forEach(Segmenter::finish);
    long nanos = System.nanoTime() - start;
    long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
    long allocated = threads.getThreadAllocatedBytes(tid) - allocatedBefore;
    return new Result(in, out[0], frames, out[1], nanos, cpu, allocated);
  }
}
