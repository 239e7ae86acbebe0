package io.jlivepeer.ingest;

import io.jlivepeer.media.EsFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Reads the FLV audio and video tag headers that prefix RTMP audio (8) and video (9) message bodies (Adobe FLV
 * specification v10.1, annex E.4.2 and E.4.3) and turns H.264 and AAC bodies into configs and frames. Every other
 * codec is {@link Unsupported}: the ingest forwards H.264 + AAC only.
 */
final class FlvTagParser {
  static final int CODEC_AVC = 7;
  static final int SOUND_FORMAT_AAC = 10;

  private static final String[] VIDEO_CODECS = {
      "codec 0", "JPEG", "Sorenson H.263", "Screen video", "On2 VP6", "VP6 with alpha", "Screen video 2", "H.264",
      "codec 8", "codec 9", "codec 10", "codec 11", "HEVC (non-standard codec id 12)", "codec 13", "codec 14",
      "codec 15"};
  private static final String[] SOUND_FORMATS = {
      "linear PCM", "ADPCM", "MP3", "linear PCM little endian", "Nellymoser 16 kHz", "Nellymoser 8 kHz",
      "Nellymoser", "G.711 A-law", "G.711 mu-law", "format 9", "AAC", "Speex", "format 12", "format 13",
      "MP3 8 kHz", "device-specific sound"};

  /** What one audio or video message body holds. */
  sealed interface Parsed {}

  /** An AVCDecoderConfigurationRecord or AudioSpecificConfig. */
  record Config(byte[] bytes) implements Parsed {}

  /** A media frame. */
  record Frame(EsFrame frame) implements Parsed {}

  /** Nothing to forward (empty body, end of sequence, video info frame). */
  record Skip(String why) implements Parsed {}

  /** A codec or packet the ingest refuses; the publish ends with this reason. */
  record Unsupported(String reason) implements Parsed {}

  private FlvTagParser() {}

  static Parsed video(ByteBuf body, long timestamp) {
    if (!body.isReadable()) {
      return new Skip("empty video message");
    }
    int first = body.getUnsignedByte(body.readerIndex());
    if ((first & 0x80) != 0) {
      // Enhanced RTMP sets the top bit and names the codec with a FourCC (HEVC, AV1, VP9).
      String fourCc = body.readableBytes() >= 5
          ? body.toString(body.readerIndex() + 1, 4, java.nio.charset.StandardCharsets.US_ASCII) : "?";
      return new Unsupported("video codec '" + fourCc + "' (enhanced RTMP) is not supported; publish H.264");
    }
    int frameType = first >>> 4;
    int codec = first & 0x0F;
    if (frameType == 5) {
      return new Skip("video info/command frame");
    }
    if (codec != CODEC_AVC) {
      return new Unsupported("video codec " + VIDEO_CODECS[codec] + " (FLV codec id " + codec
          + ") is not supported; publish H.264");
    }
    if (body.readableBytes() < 5) {
      return new Unsupported("H.264 video message of " + body.readableBytes() + " bytes is too short");
    }
    int packetType = body.getUnsignedByte(body.readerIndex() + 1);
    int compositionOffset = body.getMedium(body.readerIndex() + 2); // signed 24-bit (FLV spec E.4.3.1)
    ByteBuf data = body.slice(body.readerIndex() + 5, body.readableBytes() - 5);
    return switch (packetType) {
      case 0 -> {
        if (data.readableBytes() < 7 || data.getUnsignedByte(data.readerIndex()) != 1) {
          yield new Unsupported("malformed AVC sequence header (not an AVCDecoderConfigurationRecord version 1)");
        }
        yield new Config(ByteBufUtil.getBytes(data));
      }
      case 1 -> data.isReadable()
          ? new Frame(new EsFrame(EsFrame.Kind.VIDEO, timestamp, compositionOffset, frameType == 1,
              ByteBufUtil.getBytes(data)))
          : new Skip("empty AVC NALU message");
      case 2 -> new Skip("AVC end of sequence");
      default -> new Unsupported("unknown AVC packet type " + packetType);
    };
  }

  static Parsed audio(ByteBuf body, long timestamp) {
    if (!body.isReadable()) {
      return new Skip("empty audio message");
    }
    int format = body.getUnsignedByte(body.readerIndex()) >>> 4;
    if (format != SOUND_FORMAT_AAC) {
      return new Unsupported("audio codec " + SOUND_FORMATS[format] + " (FLV sound format " + format
          + ") is not supported; publish AAC");
    }
    if (body.readableBytes() < 2) {
      return new Unsupported("AAC audio message of 1 byte is too short");
    }
    int packetType = body.getUnsignedByte(body.readerIndex() + 1);
    ByteBuf data = body.slice(body.readerIndex() + 2, body.readableBytes() - 2);
    return switch (packetType) {
      case 0 -> data.readableBytes() >= 2
          ? new Config(ByteBufUtil.getBytes(data))
          : new Unsupported("malformed AAC sequence header (AudioSpecificConfig shorter than 2 bytes)");
      case 1 -> data.isReadable()
          ? new Frame(new EsFrame(EsFrame.Kind.AUDIO, timestamp, 0, true, ByteBufUtil.getBytes(data)))
          : new Skip("empty AAC frame");
      default -> new Unsupported("unknown AAC packet type " + packetType);
    };
  }
}
