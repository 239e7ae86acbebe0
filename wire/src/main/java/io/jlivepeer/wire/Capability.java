package io.jlivepeer.wire;

/** Capability ids of wire.md "Capability bits" (27 and up are AI pipelines: out of scope). */
public enum Capability {
  H264(0),
  MPEGTS(1),
  MP4(2),
  FRACTIONAL_FRAMERATES(3),
  STORAGE_DIRECT(4),
  STORAGE_S3(5),
  STORAGE_GCS(6),
  PROFILE_H264_BASELINE(7),
  PROFILE_H264_MAIN(8),
  PROFILE_H264_HIGH(9),
  PROFILE_H264_CONSTRAINED_HIGH(10),
  GOP(11),
  AUTH_TOKEN(12),
  MPEG7_VIDEO_SIGNATURE(14),
  HEVC_DECODE(15),
  HEVC_ENCODE(16),
  VP8_DECODE(17),
  VP9_DECODE(18),
  VP8_ENCODE(19),
  VP9_ENCODE(20),
  SEGMENT_SLICING(26);

  private final int id;

  Capability(int id) {
    this.id = id;
  }

  /** The bit number on the wire. */
  public int id() {
    return id;
  }
}
