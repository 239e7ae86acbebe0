package io.jlivepeer.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlaylistLatencyTest {

  @Test
  void quantilesAreFractionsOfTheSegmentDurationOverTheLastWindow() {
    PlaylistLatency latency = new PlaylistLatency();
    assertThat(latency.quantile(0.5)).isNaN();
    for (int i = 1; i <= 100; i++) {
      latency.observe(i * 20_000_000L, 2000); // 20 ms .. 2 s of a 2 s segment: 0.01 .. 1.0
    }
    assertThat(latency.quantile(0.5)).isEqualTo(0.5);
    assertThat(latency.quantile(0.95)).isEqualTo(0.95);
    assertThat(latency.seconds.snapshot().count()).isEqualTo(100);
    assertThat(latency.seconds.snapshot().sumSeconds()).isCloseTo(101.0, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void forgetsSegmentsOlderThanTheWindow() {
    PlaylistLatency latency = new PlaylistLatency();
    for (int i = 0; i < PlaylistLatency.WINDOW; i++) {
      latency.observe(4_000_000_000L, 2000); // 2.0
    }
    for (int i = 0; i < PlaylistLatency.WINDOW; i++) {
      latency.observe(200_000_000L, 2000); // 0.1
    }
    assertThat(latency.quantile(0.95)).isEqualTo(0.1);
    assertThat(latency.seconds.snapshot().count()).isEqualTo(2L * PlaylistLatency.WINDOW);
  }
}
