package io.jlivepeer.node;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The node's running counters; {@link #snapshot()} gives {@link NodeStats}. */
public final class Counters {
  public final AtomicInteger liveStreams = new AtomicInteger();
  private final LongAdder in = new LongAdder();
  private final LongAdder out = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder mediaMillis = new LongAdder();
  private final LongAdder transcodeMillis = new LongAdder();
  /** Per segment: the transcoder call (for a remote transcoder: B's whole round trip, retries included). */
  public final LatencyHistogram transcodeLatency = new LatencyHistogram();

  public void segmentIn() {
    in.increment();
  }

  public void segmentOut(long mediaMs, long tookMs) {
    out.increment();
    mediaMillis.add(mediaMs);
    transcodeMillis.add(tookMs);
    transcodeLatency.observeMillis(tookMs);
  }

  public void segmentFailed() {
    failed.increment();
  }

  public void segmentDropped() {
    dropped.increment();
  }

  public NodeStats snapshot() {
    return new NodeStats(liveStreams.get(), in.sum(), out.sum(), failed.sum(), dropped.sum(), mediaMillis.sum(),
        transcodeMillis.sum());
  }
}
