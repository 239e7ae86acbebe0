package io.jlivepeer.playback;

/**
 * Live playlist settings (RFC 8216 section 6.2.2, "Live Playlists").
 *
 * @param windowSegments segments listed in each live media playlist. Default {@link #DEFAULT_WINDOW_SEGMENTS}
 *     (10, i.e. 20 s at the default 2 s segments): RFC 8216 6.2.2 wants a live playlist to be at least three
 *     target durations long, players start three segments from the live edge (Safari needs 3 segments), and the
 *     extra segments let a viewer on a slow link catch up instead of stalling
 * @param retainedAfterWindow segments kept in the {@link SegmentStore} after they leave the window, then evicted.
 *     RFC 8216 6.2.2 requires a removed segment to stay available for its duration plus the duration of the longest
 *     playlist that contained it; with segments of similar length that is one window plus one segment, hence the
 *     default {@link #DEFAULT_WINDOW_SEGMENTS} + 1
 * @param initialTargetDurationSeconds EXT-X-TARGETDURATION of a playlist that has no segment yet; default 2
 *     (the segmenter's default target)
 */
public record HlsConfig(int windowSegments, int retainedAfterWindow, int initialTargetDurationSeconds) {
  public static final int DEFAULT_WINDOW_SEGMENTS = 10;
  public static final int DEFAULT_INITIAL_TARGET_DURATION_SECONDS = 2;

  public HlsConfig {
    if (windowSegments < 3) {
      throw new IllegalArgumentException(
          "HLS window must hold at least 3 segments (RFC 8216 6.2.2), got " + windowSegments);
    }
    if (retainedAfterWindow < 0) {
      throw new IllegalArgumentException("retainedAfterWindow must be 0 or more, got " + retainedAfterWindow);
    }
    if (initialTargetDurationSeconds <= 0) {
      throw new IllegalArgumentException(
          "initialTargetDurationSeconds must be positive, got " + initialTargetDurationSeconds);
    }
  }

  /** Window of 10, 11 more kept for late readers, 2 s initial target duration. */
  public static HlsConfig defaults() {
    return new HlsConfig(DEFAULT_WINDOW_SEGMENTS, DEFAULT_WINDOW_SEGMENTS + 1, DEFAULT_INITIAL_TARGET_DURATION_SECONDS);
  }

  /** The defaults with another window (and a retention of one window plus one). */
  public static HlsConfig withWindow(int windowSegments) {
    return new HlsConfig(windowSegments, windowSegments + 1, DEFAULT_INITIAL_TARGET_DURATION_SECONDS);
  }
}
