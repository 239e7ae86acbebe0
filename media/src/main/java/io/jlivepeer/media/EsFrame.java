package io.jlivepeer.media;

/**
 * One elementary-stream access unit as it arrives from an FLV-style source (RTMP).
 *
 * <p>Video payloads are AVCC: 4-byte big-endian length-prefixed NAL units (the FLV/RTMP layout; the
 * parameter sets come separately as an AVCDecoderConfigurationRecord). Audio payloads are raw AAC frames
 * without ADTS headers (the AudioSpecificConfig comes separately).
 *
 * @param kind video or audio
 * @param dtsMillis decode timestamp in milliseconds on the publisher's clock
 * @param compositionOffsetMillis pts - dts in milliseconds (video with B-frames), 0 for audio
 * @param keyframe true for an IDR access unit (always true for audio)
 * @param payload the access unit bytes, owned by the receiver
 */
public record EsFrame(Kind kind, long dtsMillis, int compositionOffsetMillis, boolean keyframe, byte[] payload) {
  public enum Kind {
    VIDEO,
    AUDIO
  }

  public long ptsMillis() {
    return dtsMillis + compositionOffsetMillis;
  }
}
