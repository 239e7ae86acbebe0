package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import java.util.List;

/**
 * Where a stream's segments go: the HLS store and playlists. Calls for one stream come from that stream's
 * worker, in order; calls for different streams may be concurrent.
 */
interface SegmentOutput {
  /** A publish began (again, after a restart: what follows comes after a discontinuity). */
  void streamStarted(String manifestId, SourceInfo source);

  /** The source segment, as cut or pushed. */
  void sourceSegment(Segment segment);

  /** The renditions of a source segment, in ladder order. */
  void renditions(Segment source, List<Rendition> renditions);

  /** The publisher went away and every queued segment is done: playlists end. */
  void streamEnded(String manifestId);
}
