package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Isolation of parallel sessions and native-memory stability over many segments, on a small clip. */
class FfmpegTranscoderSoakTest {
  private static final List<VideoProfile> LADDER =
      List.of(VideoProfile.of("144p", 256, 144, 300_000, 15), VideoProfile.of("72p", 128, 72, 100_000, 15));
  private static List<Segment> segments;

  @BeforeAll
  static void cut() {
    Path source = TestMedia.source(320, 180, 15, 8, "ts");
    segments = FfmpegCli.cut(source, 2, Path.of("target", "soak-test").toAbsolutePath(), "soak");
    assertThat(segments).hasSize(4);
  }

  private static List<List<byte[]>> transcodeAll(FfmpegTranscoder transcoder, String id) {
    List<List<byte[]>> out = new ArrayList<>();
    try (var session = transcoder.open(id, LADDER)) {
      for (Segment s : segments) {
        out.add(session.transcode(s).renditions().stream().map(Rendition::data).toList());
      }
    }
    return out;
  }

  @Test
  void parallelSessionsGiveTheSameBytesAsASessionAlone() throws Exception {
    // one x264 thread: with frame threads x264's VBV rate control depends on thread timing, so only a
    // single-threaded encoder is byte-for-byte repeatable
    var transcoder = new FfmpegTranscoder(FfmpegTranscoder.Config.defaults().withThreads(0, 1, 1));
    List<List<byte[]>> alone = transcodeAll(transcoder, "alone");
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<List<List<byte[]>>>> futures = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int n = i;
        futures.add(pool.submit(() -> transcodeAll(transcoder, "parallel-" + n)));
      }
      for (Future<List<List<byte[]>>> f : futures) {
        List<List<byte[]>> got = f.get();
        for (int s = 0; s < alone.size(); s++) {
          for (int r = 0; r < LADDER.size(); r++) {
            assertThat(got.get(s).get(r)).as("segment %d rendition %d", s, r).isEqualTo(alone.get(s).get(r));
          }
        }
      }
    }
  }

  /**
   * Sessions of 4 segments, opened and closed over and over; resident memory must level off. 200 segments by
   * default, {@code -Dsoak.segments=1000} for the full run.
   */
  @Test
  void manySegmentsDoNotLeakNativeMemory() throws IOException {
    int total = Integer.getInteger("soak.segments", 200);
    var transcoder = new FfmpegTranscoder();
    long baseline = 0;
    int done = 0;
    int warmup = total / 5;
    while (done < total) {
      try (var session = transcoder.open("soak-" + done, LADDER)) {
        for (Segment s : segments) {
          TranscodeResult r = session.transcode(s);
          assertThat(r.renditions()).hasSize(2);
          done++;
          if (done == warmup) {
            baseline = residentKb();
          }
        }
      }
    }
    long growthKb = residentKb() - baseline;
    System.out.printf("soak: %d segments, native resident memory grew %d kB after the first %d%n", total, growthKb,
        warmup);
    // a leaked packet list, frame or encoder per segment would be well above this over hundreds of segments
    assertThat(growthKb).isLessThan(24_000);
  }

  /** Resident memory outside the Java heap (RSS minus the committed heap, which GC grows and shrinks at will). */
  private static long residentKb() throws IOException {
    System.gc();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) - Runtime.getRuntime().totalMemory() / 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
