package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.VideoProfile;
import java.util.HexFormat;

/** RFC 6381 codec strings for the master playlist's CODECS attribute. */
final class Codecs {
  private Codecs() {}

  /** {@code avc1.PPCCLL} from an AVCDecoderConfigurationRecord (profile, constraint flags, level bytes 1-3). */
  static String avc(byte[] avcDecoderConfigurationRecord) {
    if (avcDecoderConfigurationRecord.length < 4) {
      return "";
    }
    return "avc1." + HexFormat.of().formatHex(avcDecoderConfigurationRecord, 1, 4);
  }

  /** {@code mp4a.40.N} from an AudioSpecificConfig (N = audio object type, 2 for AAC-LC). */
  static String aac(byte[] audioSpecificConfig) {
    if (audioSpecificConfig.length < 1) {
      return "";
    }
    int objectType = (audioSpecificConfig[0] & 0xff) >>> 3;
    return objectType == 0 ? "" : "mp4a.40." + objectType;
  }

  /**
   * What our x264 encodes of a profile declare: High profile (or the one asked for) at the smallest
   * H.264 level whose macroblock rate (ITU-T H.264 Table A-1) fits the size and frame rate.
   */
  static String rendition(VideoProfile p, String audio) {
    int profileIdc = switch (p.codecProfile()) {
      case H264_BASELINE -> 0x42;
      case H264_MAIN -> 0x4d;
      default -> 0x64;
    };
    int constraints = p.codecProfile() == VideoProfile.CodecProfile.H264_BASELINE ? 0xc0 : 0x00;
    long mbPerFrame = (long) ((p.width() + 15) / 16) * ((p.height() + 15) / 16);
    double fps = p.frameRate() > 0 ? p.frameRate() : 30;
    long mbPerSecond = (long) Math.ceil(mbPerFrame * fps);
    int level;
    if (mbPerSecond <= 11_880 && mbPerFrame <= 396) {
      level = 21;
    } else if (mbPerSecond <= 40_500 && mbPerFrame <= 1_620) {
      level = 30;
    } else if (mbPerSecond <= 108_000 && mbPerFrame <= 3_600) {
      level = 31;
    } else if (mbPerSecond <= 216_000 && mbPerFrame <= 5_120) {
      level = 32;
    } else if (mbPerSecond <= 245_760 && mbPerFrame <= 8_192) {
      level = 40;
    } else if (mbPerSecond <= 522_240 && mbPerFrame <= 8_704) {
      level = 42;
    } else {
      level = 51;
    }
    String video = String.format("avc1.%02x%02x%02x", profileIdc, constraints, level);
    return audio.isEmpty() ? video : video + "," + audio;
  }
}
