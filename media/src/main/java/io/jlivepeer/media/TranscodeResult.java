package io.jlivepeer.media;

import java.util.List;

/**
 * What a transcode of one segment produced.
 *
 * @param decodedPixels width x height summed over every decoded source frame
 * @param renditions one per requested profile, in the requested order
 */
public record TranscodeResult(long decodedPixels, List<Rendition> renditions) {
  public TranscodeResult {
    renditions = List.copyOf(renditions);
  }
}
