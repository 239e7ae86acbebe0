package io.jlivepeer.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the bundled ffmpeg/ffprobe programs (for benchmarks and test preparation, never on the transcode path). */
final class FfmpegCli {
  private FfmpegCli() {}

  /** Runs the bundled ffmpeg with {@code args}; returns stdout+stderr, throws MediaException on failure. */
  static String ffmpeg(List<String> args, int timeoutSeconds) {
    return run(FfmpegBinaries.ffmpeg(), args, timeoutSeconds);
  }

  static String ffprobe(List<String> args, int timeoutSeconds) {
    return run(FfmpegBinaries.ffprobe(), args, timeoutSeconds);
  }

  private static String run(Path program, List<String> args, int timeoutSeconds) {
    try {
      Process p = FfmpegBinaries.processBuilder(program, args).redirectErrorStream(true).start();
      // read on a helper thread so a chatty program cannot fill the pipe and stall while we wait on the timeout
      var output = new java.util.concurrent.CompletableFuture<byte[]>();
      Thread.ofVirtual().start(() -> {
        try {
          output.complete(p.getInputStream().readAllBytes());
        } catch (IOException e) {
          output.complete(new byte[0]);
        }
      });
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new MediaException(program.getFileName() + " timed out after " + timeoutSeconds + " s: " + args);
      }
      String text = new String(output.join(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new MediaException(program.getFileName() + " exited " + p.exitValue() + ": " + args + "\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new MediaException("could not start " + program + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("interrupted running " + program, e);
    }
  }

  /**
   * Cuts {@code input} into MPEG-TS segments of about {@code seconds} (at keyframes, stream copy) in {@code dir}
   * and loads them as {@link Segment}s of stream {@code streamId}.
   */
  static List<Segment> cut(Path input, double seconds, Path dir, String streamId) {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> old = Files.list(dir)) {
        for (Path p : old.filter(f -> f.getFileName().toString().startsWith("seg")).toList()) {
          Files.delete(p);
        }
      }
      ffmpeg(List.of("-hide_banner", "-loglevel", "error", "-y", "-i", input.toString(), "-map", "0:v:0", "-map",
          "0:a?", "-c", "copy", "-f", "segment", "-segment_time", Double.toString(seconds),
          // a keyframe a few ms early (audio priming shifts the clock) still starts the next segment
          "-segment_time_delta", "0.05", "-segment_format",
          "mpegts", dir.resolve("seg%05d.ts").toString()), 300);
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(f -> f.getFileName().toString().matches("seg\\d+\\.ts")).sorted().toList();
      }
      List<Segment> out = new ArrayList<>();
      for (Path f : files) {
        byte[] data = Files.readAllBytes(f);
        out.add(new Segment(streamId, out.size(), Math.round(probeDuration(f) * 1000), data));
      }
      return out;
    } catch (IOException e) {
      throw new MediaException("could not cut " + input + " into segments: " + e.getMessage(), e);
    }
  }

  /** Media duration of a file in seconds (ffprobe's format duration). */
  static double probeDuration(Path file) {
    String out = ffprobe(List.of("-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
        file.toString()), 60).strip();
    try {
      return Double.parseDouble(out);
    } catch (NumberFormatException e) {
      throw new MediaException("ffprobe gave no duration for " + file + ": " + out);
    }
  }
}
