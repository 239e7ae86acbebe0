package io.jlivepeer.node;

import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed buckets from 10 ms to 60 s: wide enough for a loopback hop and for a segment that
 * took several times its duration. Lock-free; a scrape may see a sample in the count a moment before the sum.
 */
public final class LatencyHistogram {
  /** Upper bounds (seconds) of the buckets, ascending; an implicit +Inf bucket follows. */
  static final double[] BOUNDS_SECONDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 60};

  private final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length + 1];
  private final LongAdder count = new LongAdder();
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram() {
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  public void observeNanos(long nanos) {
    double seconds = nanos / 1e9;
    int i = 0;
    while (i < BOUNDS_SECONDS.length && seconds > BOUNDS_SECONDS[i]) {
      i++;
    }
    buckets[i].increment();
    sumNanos.add(nanos);
    count.increment();
  }

  void observeMillis(long millis) {
    observeNanos(millis * 1_000_000L);
  }

  /** Per-bucket (not cumulative) counts, the +Inf bucket last. */
  public record Snapshot(long[] buckets, long count, double sumSeconds) {}

  public Snapshot snapshot() {
    long[] b = new long[buckets.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = buckets[i].sum();
    }
    return new Snapshot(b, count.sum(), sumNanos.sum() / 1e9);
  }
}
