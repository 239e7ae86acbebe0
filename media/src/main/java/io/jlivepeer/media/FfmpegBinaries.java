package io.jlivepeer.media;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;

/**
 * The ffmpeg and ffprobe programs bundled in the bytedeco FFmpeg dependency (extracted to JavaCPP's cache
 * on first use), so no system FFmpeg is needed for the demo's test stream, benchmarks or tests.
 */
public final class FfmpegBinaries {
  static {
    usePlatformExtension();
  }

  private FfmpegBinaries() {}

  /**
   * The FFmpeg natives we depend on are the {@code linux-x86_64-gpl} build (it has libx264); JavaCPP only
   * looks for it when told the platform extension. Call before touching any {@code org.bytedeco.ffmpeg} class.
   */
  public static void usePlatformExtension() {
    if (System.getProperty("org.bytedeco.javacpp.platform.extension") == null) {
      System.setProperty("org.bytedeco.javacpp.platform.extension", "-gpl");
    }
  }

  public static Path ffmpeg() {
    return load(org.bytedeco.ffmpeg.ffmpeg.class, "ffmpeg");
  }

  public static Path ffprobe() {
    return load(org.bytedeco.ffmpeg.ffprobe.class, "ffprobe");
  }

  /**
   * A process builder for a bundled program ({@link #ffmpeg()} or {@link #ffprobe()}) with its shared libraries
   * (extracted beside it) on the loader path; use this rather than starting the path directly.
   */
  public static ProcessBuilder processBuilder(Path program, java.util.List<String> args) {
    var command = new java.util.ArrayList<String>();
    command.add(program.toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    String libDir = program.getParent().toString();
    String existing = pb.environment().get("LD_LIBRARY_PATH");
    pb.environment().put("LD_LIBRARY_PATH", existing == null || existing.isEmpty() ? libDir : libDir + ":" + existing);
    return pb;
  }

  private static Path load(Class<?> program, String name) {
    try {
      Path path = Path.of(Loader.load(program));
      if (!Files.isExecutable(path)) {
        throw new MediaException("bundled " + name + " at " + path + " is not executable");
      }
      return path;
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      throw new MediaException("could not extract the bundled " + name + " program: " + e.getMessage(), e);
    }
  }
}
