package io.jlivepeer.node;

/**
 * Writes the Prometheus text exposition format 0.0.4 (one HELP and TYPE line per family, then its samples), the same
 * way for every role so a scraper sees one naming scheme: {@code livepeer_<role>_<what>[_unit][_total]}.
 */
public final class PromText {
  /** The Content-Type a /metrics answer carries. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder(2048);

  public PromText counter(String name, String help, long value) {
    head(name, help, "counter");
    out.append(name).append(' ').append(value).append('\n');
    return this;
  }

  public PromText gauge(String name, String help, double value) {
    head(name, help, "gauge");
    out.append(name).append(' ').append(format(value)).append('\n');
    return this;
  }

  public PromText summary(String name, String help, double sumSeconds, long count) {
    head(name, help, "summary");
    out.append(name).append("_sum ").append(format(sumSeconds)).append('\n')
        .append(name).append("_count ").append(count).append('\n');
    return this;
  }

  public PromText histogram(String name, String help, LatencyHistogram h) {
    head(name, help, "histogram");
    LatencyHistogram.Snapshot s = h.snapshot();
    long cumulative = 0;
    for (int i = 0; i < LatencyHistogram.BOUNDS_SECONDS.length; i++) {
      cumulative += s.buckets()[i];
      out.append(name).append("_bucket{le=\"").append(format(LatencyHistogram.BOUNDS_SECONDS[i])).append("\"} ")
          .append(cumulative).append('\n');
    }
    cumulative += s.buckets()[LatencyHistogram.BOUNDS_SECONDS.length];
    // count from the buckets themselves, so +Inf and _count always agree within one scrape
    out.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n')
        .append(name).append("_sum ").append(format(s.sumSeconds())).append('\n')
        .append(name).append("_count ").append(cumulative).append('\n');
    return this;
  }

  private void head(String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** Integers without a fraction, the rest as Java prints doubles (both parse as Go/Prometheus floats). */
  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
