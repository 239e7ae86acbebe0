package io.jlivepeer.playback;

import io.jlivepeer.media.VideoProfile;
import java.util.Objects;

/**
 * One variant stream of a master playlist (RFC 8216 4.3.4.2, EXT-X-STREAM-INF): a transcoded rendition or the
 * source.
 *
 * @param name rendition name, also its URL segment (e.g. {@code P360p30fps16x9} or {@code source}); letters,
 *     digits, '-' and '_' only
 * @param width picture width, 0 when unknown (RESOLUTION is then left out)
 * @param height picture height, 0 when unknown
 * @param bandwidthBps peak bit rate of video plus audio in bits per second (BANDWIDTH)
 * @param codecs RFC 6381 codec list, e.g. {@code avc1.64001f,mp4a.40.2}; empty when unknown (CODECS left out)
 * @param frameRate frames per second, 0 when unknown (FRAME-RATE left out)
 */
public record HlsVariant(String name, int width, int height, long bandwidthBps, String codecs, double frameRate) {
  /** The name under which {@link #source} variants are published. */
  public static final String SOURCE_NAME = "source";

  public HlsVariant {
    StreamNames.requireSafe(Objects.requireNonNull(name, "name"), "rendition name");
    Objects.requireNonNull(codecs, "codecs");
    if (width < 0 || height < 0 || (width == 0) != (height == 0)) {
      throw new IllegalArgumentException("variant " + name + ": bad resolution " + width + "x" + height);
    }
    if (bandwidthBps <= 0) {
      throw new IllegalArgumentException("variant " + name + ": BANDWIDTH must be positive, got " + bandwidthBps);
    }
    if (!codecs.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"')) {
      throw new IllegalArgumentException("variant " + name + ": CODECS must be printable without quotes or spaces");
    }
    if (!(frameRate >= 0) || Double.isInfinite(frameRate)) {
      throw new IllegalArgumentException("variant " + name + ": bad frame rate " + frameRate);
    }
  }

  /**
   * The variant of a transcoding profile. {@code bandwidthBps} is the profile's video bitrate plus
   * {@code audioBps} (audio is copied from the source, so the caller knows its rate).
   */
  public static HlsVariant of(VideoProfile profile, int audioBps, String codecs) {
    return new HlsVariant(profile.name(), profile.width(), profile.height(),
        (long) profile.bitrateBps() + audioBps, codecs, profile.frameRate());
  }

  /** The source as a variant, named {@value #SOURCE_NAME}. */
  public static HlsVariant source(int width, int height, long bandwidthBps, String codecs, double frameRate) {
    return new HlsVariant(SOURCE_NAME, width, height, bandwidthBps, codecs, frameRate);
  }
}
