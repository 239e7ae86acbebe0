package io.jlivepeer.media;

/**
 * A keyframe-aligned MPEG-TS segment of one stream.
 *
 * @param streamId the manifest id of the stream the segment belongs to
 * @param seq sequence number, from 0 per stream
 * @param durationMillis media duration
 * @param data the MPEG-TS bytes (188-byte packets)
 */
public record Segment(String streamId, long seq, long durationMillis, byte[] data) {
  public Segment {
    if (seq < 0) {
      throw new IllegalArgumentException("negative segment sequence number " + seq);
    }
    if (durationMillis < 0) {
      throw new IllegalArgumentException("negative segment duration " + durationMillis);
    }
  }

  @Override
  public String toString() {
    return "Segment[" + streamId + "/" + seq + ", " + durationMillis + " ms, " + data.length + " bytes]";
  }
}
