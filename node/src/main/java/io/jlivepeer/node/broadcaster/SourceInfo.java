package io.jlivepeer.node.broadcaster;

/**
 * What is known of a stream's source when it starts, for the master playlist's source variant.
 *
 * @param width 0 when unknown
 * @param height 0 when unknown
 * @param frameRate 0 when unknown
 * @param bandwidthBps estimated total bitrate (video + audio)
 * @param codecs RFC 6381 codec list, empty when unknown
 */
public record SourceInfo(int width, int height, double frameRate, long bandwidthBps, String codecs) {
  /** Used when the publisher says nothing about its bitrate. */
  public static final long UNKNOWN_BANDWIDTH_BPS = 5_000_000;
}
