package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.node.studio.Studio;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a stream's output on to HLS and tells the stream API what happened (sessions, counts, webhooks). The API's
 * bookkeeping never stops the media: its failures are logged and the segment goes on.
 */
final class StudioOutput implements SegmentOutput {
  private static final Logger log = LoggerFactory.getLogger(StudioOutput.class);

  private final SegmentOutput next;
  private final Studio studio;

  StudioOutput(SegmentOutput next, Studio studio) {
    this.next = next;
    this.studio = studio;
  }

  @Override
  public void streamStarted(String manifestId, SourceInfo source) {
    next.streamStarted(manifestId, source);
    guard(manifestId, () -> studio.started(manifestId));
  }

  @Override
  public void sourceSegment(Segment segment) {
    next.sourceSegment(segment);
    guard(segment.streamId(), () -> studio.sourceSegment(segment.streamId(), segment.seq(), segment.durationMillis(),
        segment.data().length));
  }

  @Override
  public void renditions(Segment source, List<Rendition> renditions) {
    next.renditions(source, renditions);
    long bytes = renditions.stream().mapToLong(r -> r.data().length).sum();
    guard(source.streamId(), () -> studio.transcoded(source.streamId(), source.seq(), source.durationMillis(), bytes));
  }

  @Override
  public void failed(Segment source) {
    next.failed(source);
    guard(source.streamId(), () -> studio.failed(source.streamId(), source.seq()));
  }

  @Override
  public void streamEnded(String manifestId) {
    next.streamEnded(manifestId);
    guard(manifestId, () -> studio.ended(manifestId));
  }

  private static void guard(String manifestId, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.error("stream {}: the stream API could not record an event: {}", manifestId, e.getMessage(), e);
    }
  }
}
