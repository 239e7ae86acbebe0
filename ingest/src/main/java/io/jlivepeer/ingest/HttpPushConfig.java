package io.jlivepeer.ingest;

/**
 * Limits of HTTP push ingest (wire.md, "HTTP push ingest on B").
 *
 * @param maxSegmentBytes largest segment accepted, answered 413 above it. Default
 *     {@link #DEFAULT_MAX_SEGMENT_BYTES} (32 MiB, about a minute at 4 Mbit/s). The HTTP server in front has its own
 *     request limit (64 MiB by default) which must be at least this large for this limit to be the one that
 *     answers
 * @param maxDurationMillis largest {@code Content-Duration} accepted; default 5 minutes, the longest segment the
 *     node handles (media.md "Segments")
 */
public record HttpPushConfig(int maxSegmentBytes, long maxDurationMillis) {
  public static final int DEFAULT_MAX_SEGMENT_BYTES = 32 * 1024 * 1024;
  public static final long DEFAULT_MAX_DURATION_MILLIS = 5 * 60 * 1000;

  public HttpPushConfig {
    if (maxSegmentBytes < TsCheck.PACKET_SIZE) {
      throw new IllegalArgumentException("maxSegmentBytes must allow at least one TS packet, got " + maxSegmentBytes);
    }
    if (maxDurationMillis <= 0) {
      throw new IllegalArgumentException("maxDurationMillis must be positive, got " + maxDurationMillis);
    }
  }

  public static HttpPushConfig defaults() {
    return new HttpPushConfig(DEFAULT_MAX_SEGMENT_BYTES, DEFAULT_MAX_DURATION_MILLIS);
  }
}
