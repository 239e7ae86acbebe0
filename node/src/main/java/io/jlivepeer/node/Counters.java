package io.jlivepeer.node;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The node's running counters; {@link #snapshot()} gives {@link NodeStats}. */
final class Counters {
  final AtomicInteger liveStreams = new AtomicInteger();
  private final LongAdder in = new LongAdder();
  private final LongAdder out = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder mediaMillis = new LongAdder();
  private final LongAdder transcodeMillis = new LongAdder();
  /** Per segment: the transcoder call (for a remote transcoder: B's whole round trip, retries included). */
  final LatencyHistogram transcodeLatency = new LatencyHistogram();
  /** Per segment: complete at B to every rendition in the playlists. */
  final PlaylistLatency playlistLatency = new PlaylistLatency();

  void segmentIn() {
    in.increment();
  }

  void segmentOut(long mediaMs, long tookMs) {
    out.increment();
    mediaMillis.add(mediaMs);
    transcodeMillis.add(tookMs);
    transcodeLatency.observeMillis(tookMs);
  }

  void segmentFailed() {
    failed.increment();
  }

  void segmentDropped() {
    dropped.increment();
  }

  NodeStats snapshot() {
    return new NodeStats(liveStreams.get(), in.sum(), out.sum(), failed.sum(), dropped.sum(), mediaMillis.sum(),
        transcodeMillis.sum());
  }
}
