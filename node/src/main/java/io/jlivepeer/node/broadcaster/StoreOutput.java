package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.node.store.LiveMirror;
import io.jlivepeer.node.store.StreamRecorder;
import io.jlivepeer.playback.HlsStreams;
import io.jlivepeer.playback.HlsVariant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live HLS first, then the object stores: the {@code -objectStore} mirror and the {@code -recordObjectStore}
 * recorder. Store calls only queue uploads; anything they throw is logged and never reaches the segment path.
 */
final class StoreOutput implements SegmentOutput {
  private static final Logger log = LoggerFactory.getLogger(StoreOutput.class);

  private final SegmentOutput live;
  private final HlsStreams hls;
  private final Optional<LiveMirror> mirror;
  private final Optional<StreamRecorder> recorder;

  StoreOutput(SegmentOutput live, HlsStreams hls, Optional<LiveMirror> mirror, Optional<StreamRecorder> recorder) {
    this.live = live;
    this.hls = hls;
    this.mirror = mirror;
    this.recorder = recorder;
  }

  @Override
  public void streamStarted(String manifestId, SourceInfo source) {
    live.streamStarted(manifestId, source);
    guard(manifestId, () -> {
      mirror.ifPresent(m -> m.streamStarted(manifestId));
      recorder.ifPresent(r -> r.streamStarted(manifestId, hls.variants(manifestId)));
    });
  }

  @Override
  public void sourceSegment(Segment segment) {
    live.sourceSegment(segment);
    guard(segment.streamId(), () -> {
      mirror.ifPresent(m -> m.segmentAdded(segment.streamId(), HlsVariant.SOURCE_NAME));
      recorder.ifPresent(r -> r.segment(segment.streamId(), HlsVariant.SOURCE_NAME, segment.seq(),
          segment.durationMillis(), segment.data()));
    });
  }

  @Override
  public void renditions(Segment source, List<Rendition> renditions) {
    live.renditions(source, renditions);
    guard(source.streamId(), () -> {
      for (Rendition r : renditions) {
        mirror.ifPresent(m -> m.segmentAdded(source.streamId(), r.profile().name()));
        recorder.ifPresent(rec -> rec.segment(source.streamId(), r.profile().name(), source.seq(),
            source.durationMillis(), r.data()));
      }
    });
  }

  @Override
  public void failed(Segment source) {
    live.failed(source);
  }

  @Override
  public void streamEnded(String manifestId) {
    live.streamEnded(manifestId);
    guard(manifestId, () -> {
      mirror.ifPresent(m -> m.streamEnded(manifestId));
      recorder.ifPresent(r -> r.streamEnded(manifestId));
    });
  }

  private static void guard(String manifestId, Runnable storeWork) {
    try {
      storeWork.run();
    } catch (RuntimeException e) {
      log.error("stream {}: copying to the object store failed (live HLS is not affected): {}", manifestId,
          e.toString(), e);
    }
  }
}
