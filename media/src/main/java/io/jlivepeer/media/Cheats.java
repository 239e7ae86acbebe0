package io.jlivepeer.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tampered renditions, for a deliberately cheating orchestrator in tests of the broadcaster's verification (a test
 * double that lives in main code so a node can be started with it). Never on an honest node's path.
 *
 * <p>Each kind re-encodes an honest rendition with the bundled ffmpeg program (libx264 veryfast at the profile's
 * bitrate, capped as our transcoder caps it, audio copied) keeping its timestamps ({@code -copyts}, no mux delay,
 * frames passed through without rate conversion), so the result is a valid MPEG-TS that still plays in its place in
 * the HLS stream. The fourth cheat, another segment's content, needs no media work: the node replays an older
 * rendition.
 */
public final class Cheats {
  private static final int TIMEOUT_SECONDS = 120;

  /** What the cheat does to the pictures. */
  public enum Kind {
    /** An opaque white box (a logo's worth of frame: a third of the width, a quarter of the height) near the top left. */
    WATERMARK,
    /** Half the width and height (even dimensions), as if a cheaper rung had been encoded. */
    LOW_RESOLUTION,
    /** Every other frame dropped (the kept ones keep their timestamps); audio kept whole. */
    DROPPED_FRAMES
  }

  private Cheats() {}

  /**
   * Tampers {@code renditionTs} (an honest rendition, MPEG-TS) encoded for {@code profile}.
   *
   * @return the tampered rendition, MPEG-TS
   * @throws MediaException when ffmpeg fails (e.g. the input is not a rendition)
   */
  public static byte[] apply(Kind kind, byte[] renditionTs, VideoProfile profile) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(renditionTs, "renditionTs");
    Objects.requireNonNull(profile, "profile");
    Path dir = null;
    try {
      dir = Files.createTempDirectory("jlivepeer-cheat");
      Path in = dir.resolve("in.ts");
      Path out = dir.resolve("out.ts");
      Files.write(in, renditionTs);
      FfmpegCli.ffmpeg(arguments(kind, profile, in, out), TIMEOUT_SECONDS);
      return Files.readAllBytes(out);
    } catch (IOException e) {
      throw new MediaException("could not make a " + kind + " rendition: " + e.getMessage(), e);
    } finally {
      deleteQuietly(dir);
    }
  }

  static List<String> arguments(Kind kind, VideoProfile profile, Path in, Path out) {
    String bitrate = Integer.toString(profile.bitrateBps());
    List<String> args = new ArrayList<>(List.of("-hide_banner", "-loglevel", "error", "-y", "-copyts",
        "-i", in.toString(), "-map", "0:v:0", "-map", "0:a?", "-vf", filter(kind), "-fps_mode", "passthrough",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-b:v", bitrate, "-minrate", bitrate, "-maxrate", bitrate, "-bufsize", bitrate));
    switch (profile.codecProfile()) {
      case H264_BASELINE -> args.addAll(List.of("-profile:v", "baseline"));
      case H264_MAIN -> args.addAll(List.of("-profile:v", "main"));
      case H264_HIGH, H264_CONSTRAINED_HIGH -> args.addAll(List.of("-profile:v", "high"));
      case ENCODER_DEFAULT -> { }
    }
    if (profile.gopMillis() == VideoProfile.GOP_INTRA) {
      args.addAll(List.of("-g", "1"));
    } else if (profile.gopMillis() > 0) {
      double fps = profile.fps() > 0 ? profile.frameRate() : 30;
      args.addAll(List.of("-g", Long.toString(Math.max(1, Math.round(profile.gopMillis() * fps / 1000.0)))));
    }
    args.addAll(List.of("-c:a", "copy", "-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts", out.toString()));
    return args;
  }

  private static String filter(Kind kind) {
    return switch (kind) {
      case WATERMARK -> "drawbox=x=iw/16:y=ih/16:w=iw/3:h=ih/4:color=white:t=fill";
      case LOW_RESOLUTION -> "scale=trunc(iw/4)*2:trunc(ih/4)*2";
      // n is the input frame number; the comma inside the expression is escaped for the filtergraph parser
      case DROPPED_FRAMES -> "select=not(mod(n\\,2))";
    };
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
