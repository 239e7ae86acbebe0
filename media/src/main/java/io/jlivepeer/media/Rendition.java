package io.jlivepeer.media;

/**
 * One transcoded output of a segment.
 *
 * @param profile the profile it was encoded for
 * @param data the MPEG-TS bytes
 * @param encodedPixels width x height summed over every encoded frame (payments are computed from it)
 */
public record Rendition(VideoProfile profile, byte[] data, long encodedPixels) {}
