package io.jlivepeer.ingest;

import io.jlivepeer.media.Segment;
import java.util.Objects;

/**
 * A segment pushed over HTTP that passed the checks.
 *
 * @param segment the segment; its {@code streamId} is the manifest id from the URL, {@code seq} the URL's number,
 *     {@code durationMillis} the {@code Content-Duration} header or, without it, the span of its video timestamps
 * @param width source width from {@code Content-Resolution}, 0 when the header was absent
 * @param height source height from {@code Content-Resolution}, 0 when the header was absent
 */
public record HttpPushSegment(Segment segment, int width, int height) {
  public HttpPushSegment {
    Objects.requireNonNull(segment, "segment");
    if (width < 0 || height < 0 || (width == 0) != (height == 0)) {
      throw new IllegalArgumentException("bad resolution " + width + "x" + height);
    }
  }

  public String manifestId() {
    return segment.streamId();
  }

  /** Whether the pusher sent {@code Content-Resolution}. */
  public boolean hasResolution() {
    return width > 0;
  }
}
