package io.jlivepeer.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test inputs made with the bundled ffmpeg: a moving test pattern with a tone, H.264 + AAC, cached under
 * target/test-media so each distinct input is generated once per build.
 */
public final class TestMedia {
  private TestMedia() {}

  /**
   * A source clip, e.g. {@code source(1920, 1080, 30, 20, "flv")}: 2 s GOP (keyint = 2 x fps), AAC stereo 128k.
   */
  public static Path source(int width, int height, int fps, int seconds, String container) {
    Path dir = Path.of("target", "test-media").toAbsolutePath();
    Path out = dir.resolve(width + "x" + height + "p" + fps + "_" + seconds + "s." + container);
    if (Files.exists(out)) {
      return out;
    }
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(out.getFileName() + ".tmp." + container);
      List<String> cmd = new ArrayList<>(List.of(
          FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
          "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + fps,
          "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
          "-t", Integer.toString(seconds),
          "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
          "-b:v", "4000k", "-maxrate", "4000k", "-bufsize", "8000k",
          "-g", Integer.toString(2 * fps), "-keyint_min", Integer.toString(2 * fps), "-sc_threshold", "0",
          "-c:a", "aac", "-b:a", "128k", "-ac", "2"));
      if (container.equals("ts")) {
        cmd.addAll(List.of("-f", "mpegts"));
      }
      cmd.add(tmp.toString());
      run(cmd, 300);
      Files.move(tmp, out);
      return out;
    } catch (IOException e) {
      throw new MediaException("could not generate test media " + out, e);
    }
  }

  /** Kinds of picture for tests whose numbers depend on the content (a codec finds each differently hard). */
  public enum Content {
    /** testsrc2: synthetic, sharp edges, fast motion. */
    TEST_PATTERN("testsrc2=size=%dx%d:rate=%d"),
    /** mandelbrot: smooth gradients and fine detail, slow zoom (natural-looking). */
    MANDELBROT("mandelbrot=size=%dx%d:rate=%d"),
    /** mandelbrot with temporal noise, slightly blurred: film grain, the hardest for an encoder. */
    GRAINY("mandelbrot=size=%dx%d:rate=%d,format=yuv420p,noise=alls=30:allf=t+u,gblur=sigma=0.5");

    private final String lavfi;

    Content(String lavfi) {
      this.lavfi = lavfi;
    }
  }

  /**
   * A {@code seconds}-long MPEG-TS clip of {@code content} with a tone, H.264 (GOP 2 s, 4000k) + AAC, one keyframe
   * at the start of every 2 s, cached like {@link #source}.
   */
  public static Path clip(Content content, int width, int height, int fps, int seconds) {
    Path dir = Path.of("target", "test-media").toAbsolutePath();
    Path out = dir.resolve(content.name().toLowerCase(java.util.Locale.ROOT) + "_" + width + "x" + height + "p" + fps
        + "_" + seconds + "s.ts");
    if (Files.exists(out)) {
      return out;
    }
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(out.getFileName() + ".tmp.ts");
      run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
          "-f", "lavfi", "-i", String.format(java.util.Locale.ROOT, content.lavfi, width, height, fps),
          "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
          "-t", Integer.toString(seconds),
          "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
          "-b:v", "4000k", "-maxrate", "4000k", "-bufsize", "8000k",
          "-g", Integer.toString(2 * fps), "-keyint_min", Integer.toString(2 * fps), "-sc_threshold", "0",
          "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-f", "mpegts", tmp.toString()), 300);
      Files.move(tmp, out);
      return out;
    } catch (IOException e) {
      throw new MediaException("could not generate test media " + out, e);
    }
  }

  /**
   * {@code clip} cut into MPEG-TS segments of {@code seconds} on its keyframes (stream copy), in order, via files in
   * {@code workDir}. The small time delta makes the first cut land on the keyframe at {@code seconds} rather than
   * one GOP later.
   */
  public static List<byte[]> segments(Path clip, Path workDir, int seconds) {
    try {
      Files.createDirectories(workDir);
      run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-i", clip.toString(),
          "-c", "copy", "-f", "segment", "-segment_time", Integer.toString(seconds), "-segment_time_delta", "0.05",
          "-segment_format", "mpegts", workDir.resolve("seg%03d.ts").toString()), 120);
      List<byte[]> out = new java.util.ArrayList<>();
      try (java.util.stream.Stream<Path> files = Files.list(workDir)) {
        for (Path p : files.filter(p -> p.getFileName().toString().matches("seg\\d+\\.ts")).sorted().toList()) {
          out.add(Files.readAllBytes(p));
        }
      }
      return out;
    } catch (IOException e) {
      throw new MediaException("could not cut " + clip + " into segments", e);
    }
  }

  /** Runs a command (a bundled ffmpeg/ffprobe path gets its libraries on the loader path), failing with its output when it exits non-zero or overruns. Returns stdout+stderr. */
  public static String run(List<String> cmd, int timeoutSeconds) {
    try {
      Path program = Path.of(cmd.get(0));
      ProcessBuilder pb = program.getParent() != null
          ? FfmpegBinaries.processBuilder(program, cmd.subList(1, cmd.size()))
          : new ProcessBuilder(cmd);
      Process p = pb.redirectErrorStream(true).start();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new MediaException("timed out: " + String.join(" ", cmd));
      }
      String text = new String(output, java.nio.charset.StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new MediaException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new MediaException("could not run " + cmd.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("interrupted running " + cmd.get(0), e);
    }
  }
}
