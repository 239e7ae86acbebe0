package io.jlivepeer.media;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One rung of an adaptive-bitrate ladder (shared/spec/media.md "Renditions").
 *
 * @param name profile name, e.g. {@code P720p30fps16x9}; also the rendition's name in playlists
 * @param width output width in pixels (0 = keep the source's)
 * @param height output height in pixels (0 = keep the source's)
 * @param bitrateBps target average bitrate in bits per second
 * @param fps output frame-rate numerator (0 = keep the source's)
 * @param fpsDen output frame-rate denominator (1 for integer rates)
 * @param codecProfile H.264 profile to encode
 * @param gopMillis keyframe interval in ms; 0 = encoder default (one IDR per segment), {@link #GOP_INTRA} = intra only
 */
public record VideoProfile(
    String name, int width, int height, int bitrateBps, int fps, int fpsDen, CodecProfile codecProfile, int gopMillis) {

  /** The wire value of "intra only" for {@link #gopMillis} (a negative special value, as in the reference node). */
  public static final int GOP_INTRA = -1;

  public enum CodecProfile {
    ENCODER_DEFAULT,
    H264_BASELINE,
    H264_MAIN,
    H264_HIGH,
    H264_CONSTRAINED_HIGH
  }

  public VideoProfile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(codecProfile, "codecProfile");
    if (name.isBlank() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/')) {
      throw new IllegalArgumentException("profile name must be printable ASCII without spaces or '/': '" + name + "'");
    }
    if (width < 0 || height < 0 || width > 8192 || height > 8192) {
      throw new IllegalArgumentException("profile " + name + ": size " + width + "x" + height + " out of range");
    }
    if (bitrateBps <= 0) {
      throw new IllegalArgumentException("profile " + name + ": bitrate must be positive");
    }
    if (fps < 0 || fpsDen <= 0) {
      throw new IllegalArgumentException("profile " + name + ": bad frame rate " + fps + "/" + fpsDen);
    }
  }

  /** A 16x9-style profile with integer fps and encoder defaults. */
  public static VideoProfile of(String name, int width, int height, int bitrateBps, int fps) {
    return new VideoProfile(name, width, height, bitrateBps, fps, 1, CodecProfile.ENCODER_DEFAULT, 0);
  }

  /** The name as ASCII bytes (what signatures and legacy ids are computed over). */
  public byte[] nameBytes() {
    return name.getBytes(StandardCharsets.US_ASCII);
  }

  /** Frame rate as a double, or 0 when the source's rate is kept. */
  public double frameRate() {
    return fps == 0 ? 0 : (double) fps / fpsDen;
  }
}
