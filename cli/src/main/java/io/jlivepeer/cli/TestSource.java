package io.jlivepeer.cli;

import io.jlivepeer.media.FfmpegBinaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The synthetic test video (moving pattern + 440 Hz tone, H.264 + AAC) the demo and bench use, made with the bundled ffmpeg. */
final class TestSource {
  private TestSource() {}

  /** ffmpeg input arguments of the generated picture and a 440 Hz tone. */
  static List<String> lavfiInputs(int width, int height, int fps) {
    return lavfiInputs(width, height, fps, 440);
  }

  /** ffmpeg input arguments of the generated picture and a tone of {@code toneHz}. */
  static List<String> lavfiInputs(int width, int height, int fps, int toneHz) {
    return List.of("-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + fps,
        "-f", "lavfi", "-i", "sine=frequency=" + toneHz + ":sample_rate=48000");
  }

  /** Encoder arguments: x264 veryfast with a 2 s GOP at the given bitrate, AAC stereo 128k. */
  static List<String> encoderArgs(int fps, int kbps) {
    return List.of("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-b:v", kbps + "k", "-maxrate", kbps + "k", "-bufsize", (2 * kbps) + "k",
        "-g", Integer.toString(2 * fps), "-keyint_min", Integer.toString(2 * fps), "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2");
  }

  /** Makes (once) a clip file in {@code dir}; returns its path. */
  static Path clip(Path dir, int width, int height, int fps, int seconds, int kbps) {
    Path out = dir.resolve("testsrc_" + width + "x" + height + "p" + fps + "_" + seconds + "s.mp4");
    if (Files.exists(out)) {
      return out;
    }
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(out.getFileName() + ".part.mp4");
      List<String> args = new ArrayList<>(List.of("-hide_banner", "-loglevel", "error", "-y"));
      args.addAll(lavfiInputs(width, height, fps));
      args.addAll(List.of("-t", Integer.toString(seconds)));
      args.addAll(encoderArgs(fps, kbps));
      args.add(tmp.toString());
      Path ffmpeg = FfmpegBinaries.ffmpeg();
      Process p = FfmpegBinaries.processBuilder(ffmpeg, args).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new CliException("the bundled ffmpeg could not make the test clip " + out + ": " + output.strip());
      }
      Files.move(tmp, out);
      return out;
    } catch (IOException e) {
      throw new CliException("could not make the test clip in " + dir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while making the test clip", e);
    }
  }
}
