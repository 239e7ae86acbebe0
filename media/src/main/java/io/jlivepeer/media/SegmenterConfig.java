package io.jlivepeer.media;

/**
 * How a {@link Segmenter} cuts a stream into MPEG-TS segments (spec media.md, Segments).
 *
 * @param targetDurationMillis cut at the first video keyframe at or after this much media time (default 2000);
 *     a keyframe within half a frame of the target counts, so millisecond rounding of FLV timestamps does not
 *     push a cut a whole GOP later
 * @param maxSegmentMillis hard cap on a segment's media time (default 300000, 5 minutes): a stream without a
 *     keyframe in that time is cut anyway, on a non-keyframe (logged)
 * @param longGopWarnMillis a keyframe interval longer than this (default 8000) logs one warning per stream:
 *     segments then grow to the GOP length, which HLS players and transcoders tolerate badly
 * @param maxSegmentBytes the most MPEG-TS bytes buffered for one segment (default 64 MiB), checked before the
 *     buffer grows: a frame that would pass it cuts the segment early (logged); a single access unit larger than
 *     the limit is refused with a {@link MediaException}
 * @param maxStartTimestampMillis a publisher whose first timestamp is above this (default 10000) or negative is
 *     rebased to start at 0 (logged); smaller start values are kept as they are
 * @param maxTimestampJumpMillis a timestamp that moves forward by more than this (default 10000) from the
 *     previous frame of the same kind, or moves backwards at all, is treated as a publisher clock jump: the
 *     stream is rebased to continue one frame after the previous one (logged)
 */
public record SegmenterConfig(
    long targetDurationMillis,
    long maxSegmentMillis,
    long longGopWarnMillis,
    int maxSegmentBytes,
    long maxStartTimestampMillis,
    long maxTimestampJumpMillis) {

  public static final long DEFAULT_TARGET_DURATION_MILLIS = 2_000;
  public static final long DEFAULT_MAX_SEGMENT_MILLIS = 300_000;
  public static final long DEFAULT_LONG_GOP_WARN_MILLIS = 8_000;
  public static final int DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
  public static final long DEFAULT_MAX_START_TIMESTAMP_MILLIS = 10_000;
  public static final long DEFAULT_MAX_TIMESTAMP_JUMP_MILLIS = 10_000;

  public SegmenterConfig {
    if (targetDurationMillis <= 0) {
      throw new IllegalArgumentException("targetDurationMillis must be positive, got " + targetDurationMillis);
    }
    if (maxSegmentMillis < targetDurationMillis) {
      throw new IllegalArgumentException("maxSegmentMillis (" + maxSegmentMillis
          + ") must be at least targetDurationMillis (" + targetDurationMillis + ")");
    }
    if (longGopWarnMillis <= 0) {
      throw new IllegalArgumentException("longGopWarnMillis must be positive, got " + longGopWarnMillis);
    }
    if (maxSegmentBytes < 64 * 1024) {
      throw new IllegalArgumentException("maxSegmentBytes must be at least 64 KiB, got " + maxSegmentBytes);
    }
    if (maxStartTimestampMillis < 0 || maxTimestampJumpMillis <= 0) {
      throw new IllegalArgumentException("maxStartTimestampMillis must be >= 0 and maxTimestampJumpMillis > 0");
    }
  }

  /** The documented defaults: 2 s target, 5 min cap, warn above 8 s GOPs, 64 MiB per segment. */
  public static SegmenterConfig defaults() {
    return new SegmenterConfig(DEFAULT_TARGET_DURATION_MILLIS, DEFAULT_MAX_SEGMENT_MILLIS,
        DEFAULT_LONG_GOP_WARN_MILLIS, DEFAULT_MAX_SEGMENT_BYTES, DEFAULT_MAX_START_TIMESTAMP_MILLIS,
        DEFAULT_MAX_TIMESTAMP_JUMP_MILLIS);
  }

  public SegmenterConfig withTargetDurationMillis(long millis) {
    return new SegmenterConfig(millis, Math.max(maxSegmentMillis, millis), longGopWarnMillis, maxSegmentBytes,
        maxStartTimestampMillis, maxTimestampJumpMillis);
  }
}
