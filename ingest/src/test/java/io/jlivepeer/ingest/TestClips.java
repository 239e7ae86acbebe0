package io.jlivepeer.ingest;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.TestMedia;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test inputs and the bundled ffmpeg as an RTMP publisher. */
final class TestClips {
  static final int FPS = 30;
  static final int SECONDS = 4;

  private TestClips() {}

  /** 320x240, 30 fps, 4 s, H.264 (2 s GOP) + AAC, in FLV. */
  static Path clip() {
    return TestMedia.source(320, 240, FPS, SECONDS, "flv");
  }

  /** Starts the bundled ffmpeg with these arguments (after -hide_banner -loglevel error). */
  static Process ffmpeg(List<String> args) throws IOException {
    List<String> all = new ArrayList<>(List.of("-hide_banner", "-loglevel", "error", "-nostdin"));
    all.addAll(args);
    return FfmpegBinaries.processBuilder(FfmpegBinaries.ffmpeg(), all).redirectErrorStream(true).start();
  }

  /** Waits for an ffmpeg process; returns its exit code and output. */
  static Result await(Process p, int seconds) throws IOException, InterruptedException {
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("ffmpeg did not finish within " + seconds + " s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  record Result(int exitCode, String output) {}

  /** Publishes a synthetic source with the given codecs, e.g. ("flv1", "aac"), for {@code seconds}. */
  static Process publishSynthetic(String url, String videoCodec, String audioCodec, int seconds) throws IOException {
    return ffmpeg(List.of("-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", Integer.toString(seconds),
        "-c:v", videoCodec, "-c:a", audioCodec, "-f", "flv", url));
  }
}
