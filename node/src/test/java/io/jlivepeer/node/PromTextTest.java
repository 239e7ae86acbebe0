package io.jlivepeer.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromTextTest {
  @Test
  void histogramBucketsAreCumulativeAndEndInInfEqualToCount() {
    LatencyHistogram h = new LatencyHistogram();
    h.observeMillis(5); // <= 0.01
    h.observeMillis(300); // <= 0.5
    h.observeMillis(300);
    h.observeMillis(120_000); // over 60 s: only +Inf
    Map<String, Double> s = PromParser.parse(new PromText().histogram("x_seconds", "help", h).toString());
    assertThat(s).containsEntry("x_seconds_bucket{le=\"0.01\"}", 1.0)
        .containsEntry("x_seconds_bucket{le=\"0.25\"}", 1.0)
        .containsEntry("x_seconds_bucket{le=\"0.5\"}", 3.0)
        .containsEntry("x_seconds_bucket{le=\"60\"}", 3.0)
        .containsEntry("x_seconds_bucket{le=\"+Inf\"}", 4.0)
        .containsEntry("x_seconds_count", 4.0);
    assertThat(s.get("x_seconds_sum")).isCloseTo(120.605, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void countersGaugesAndSummariesParse() {
    Map<String, Double> s = PromParser.parse(new PromText().counter("a_total", "A.", 3).gauge("b", "B.", 0.25)
        .summary("c_seconds", "C.", 1.5, 2).toString());
    assertThat(s).containsEntry("a_total", 3.0).containsEntry("b", 0.25).containsEntry("c_seconds_sum", 1.5)
        .containsEntry("c_seconds_count", 2.0);
  }

  @Test
  void theTestParserRejectsSamplesWithoutTypeAndBrokenLines() {
    assertThatThrownBy(() -> PromParser.parse("x 1\n")).hasMessageContaining("without a TYPE");
    assertThatThrownBy(() -> PromParser.parse("# TYPE x gauge\nx one\n")).isInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> PromParser.parse("# TYPE x gauge\nx{le=0.5} 1\n")).hasMessageContaining("bad sample");
  }
}
