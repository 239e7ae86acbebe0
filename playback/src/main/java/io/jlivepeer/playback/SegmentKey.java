package io.jlivepeer.playback;

import java.util.Objects;

/**
 * Where a segment lives in a {@link SegmentStore}.
 *
 * @param manifestId the stream
 * @param rendition the variant's name
 * @param mediaSequence the segment's HLS media sequence number (also its URL name, {@code <n>.ts})
 */
public record SegmentKey(String manifestId, String rendition, long mediaSequence) {
  public SegmentKey {
    StreamNames.requireSafe(Objects.requireNonNull(manifestId, "manifestId"), "manifest id");
    StreamNames.requireSafe(Objects.requireNonNull(rendition, "rendition"), "rendition name");
    if (mediaSequence < 0) {
      throw new IllegalArgumentException("negative media sequence number " + mediaSequence);
    }
  }
}
