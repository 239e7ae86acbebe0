package io.jlivepeer.node;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import java.util.List;

/** Where a stream's segments go once cut or transcoded: the HLS store and playlists. */
interface SegmentOutput {
  /** A stream started (or restarted: the next segments follow a discontinuity). */
  void streamStarted(String manifestId);

  /** The source segment, as cut or pushed; {@code discontinuity} when it follows a restart. */
  void sourceSegment(Segment segment, boolean discontinuity);

  /** The renditions of a source segment, in ladder order. */
  void renditions(Segment source, boolean discontinuity, List<Rendition> renditions);

  /** The publisher went away: playlists may end. */
  void streamEnded(String manifestId);
}
