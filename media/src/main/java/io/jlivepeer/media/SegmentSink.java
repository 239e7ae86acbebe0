package io.jlivepeer.media;

/**
 * Receives the segments a {@link Segmenter} cuts, on the thread that fed the segmenter (the RTMP event loop):
 * hand heavy work (transcoding, uploads) to another executor.
 */
@FunctionalInterface
public interface SegmentSink {
  void accept(Segment segment);
}
