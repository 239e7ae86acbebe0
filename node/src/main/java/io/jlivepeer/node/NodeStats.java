package io.jlivepeer.node;

/**
 * Counters of a node since it started (a consistent-enough snapshot for progress lines and metrics).
 *
 * @param liveStreams streams with a publisher right now
 * @param segmentsIn source segments cut or pushed
 * @param segmentsOut segments whose every rendition was transcoded
 * @param segmentsFailed segments whose transcode failed
 * @param segmentsDropped segments skipped because transcoding fell behind real time
 * @param mediaMillisTranscoded media duration of the transcoded segments
 * @param transcodeMillis wall time spent transcoding them
 */
public record NodeStats(
    int liveStreams,
    long segmentsIn,
    long segmentsOut,
    long segmentsFailed,
    long segmentsDropped,
    long mediaMillisTranscoded,
    long transcodeMillis) {

  /** Transcode time / media duration: below 1 keeps up with live; the reference's hardware limit is 0.8. */
  public double realTimeRatio() {
    return mediaMillisTranscoded == 0 ? 0 : (double) transcodeMillis / mediaMillisTranscoded;
  }
}
