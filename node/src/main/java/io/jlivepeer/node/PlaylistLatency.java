package io.jlivepeer.node;

import java.util.Arrays;

/**
 * Per segment at the broadcaster: from the segment being complete (cut from RTMP, or a pushed segment received) to
 * every rendition being in the playlists, the latency a viewer of the renditions sees on top of the segment itself.
 * Kept as a histogram (seconds) and, for quantiles, as a fraction of the segment's duration over the last
 * {@link #WINDOW} segments of all streams: 1.0 means a rendition lags its source by one segment duration.
 */
public final class PlaylistLatency {
  /** Segments the quantiles are taken over. */
  public static final int WINDOW = 1024;

  public final LatencyHistogram seconds = new LatencyHistogram();
  private final double[] ratios = new double[WINDOW];
  private long observed;

  public void observe(long nanos, long segmentMillis) {
    seconds.observeNanos(nanos);
    if (segmentMillis > 0) {
      synchronized (this) {
        ratios[(int) (observed++ % WINDOW)] = nanos / 1e6 / segmentMillis;
      }
    }
  }

  /** Nearest-rank quantile (0 < q <= 1) of latency / segment duration over the window; NaN before any segment. */
  public synchronized double quantile(double q) {
    int n = (int) Math.min(observed, WINDOW);
    if (n == 0) {
      return Double.NaN;
    }
    double[] sorted = Arrays.copyOf(ratios, n);
    Arrays.sort(sorted);
    return sorted[Math.max(0, (int) Math.ceil(q * n) - 1)];
  }
}
