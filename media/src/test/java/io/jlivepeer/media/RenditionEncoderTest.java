package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RenditionEncoderTest {
  private static double factor(String zone) {
    return Double.parseDouble(zone.substring(zone.indexOf("b=") + 2));
  }

  @Test
  void abrCorrectionRaisesTheRateAtLowBitsPerMacroblockAndFadesOut() {
    // 240p at 250 kbit/s, carried QP 21: x264's prior is several times the real complexity
    List<String> zones = RenditionEncoder.abrCorrection(10, 21, 250_000, 30, 426, 240, "veryfast");
    assertThat(zones).isNotEmpty();
    assertThat(zones.get(0)).startsWith("10,14,b=");
    double previous = Double.MAX_VALUE;
    for (String zone : zones) {
      double f = factor(zone);
      assertThat(f).as(zone).isGreaterThanOrEqualTo(1.01).isLessThan(previous);
      previous = f;
    }
    assertThat(factor(zones.get(0))).isGreaterThan(1.5);
  }

  @Test
  void abrCorrectionBlocksAreContiguous() {
    List<String> zones = RenditionEncoder.abrCorrection(10, 21, 250_000, 30, 426, 240, "veryfast");
    int next = 10;
    for (String zone : zones) {
      String[] f = zone.split(",");
      assertThat(Integer.parseInt(f[0])).isEqualTo(next);
      next = Integer.parseInt(f[1]) + 1;
    }
  }

  @Test
  void abrCorrectionIsSmallWhereThePriorIsCloseToTheRealComplexity() {
    // 720p at 3 Mbit/s: the prior is within a factor of two of the real complexity
    List<String> high = RenditionEncoder.abrCorrection(10, 21, 3_000_000, 30, 1280, 720, "veryfast");
    List<String> low = RenditionEncoder.abrCorrection(10, 21, 250_000, 30, 426, 240, "veryfast");
    assertThat(factor(high.get(0))).isLessThan(factor(low.get(0)));
    assertThat(high.size()).isLessThanOrEqualTo(low.size());
  }

  @Test
  void abrCorrectionLowersTheRateWithoutMbTreeWhereThePriorIsTooSmall() {
    // without MB-tree (ultrafast) the prior uses qcomp 0.6 and is far below the real complexity
    List<String> zones = RenditionEncoder.abrCorrection(10, 21, 250_000, 30, 426, 240, "ultrafast");
    assertThat(zones).isNotEmpty();
    assertThat(zones).allSatisfy(z -> assertThat(factor(z)).isLessThan(1));
  }

  @Test
  void vbvBufferDrainsByFrameBitsAndRefillsByOneFramePeriodCapped() {
    double size = 250_000;
    double perFrame = size / 30;
    assertThat(RenditionEncoder.vbvAfter(size, 2000, size, perFrame)).isCloseTo(size - 16_000 + perFrame, within(1e-6));
    assertThat(RenditionEncoder.vbvAfter(size, 10, size, perFrame)).as("capped at the buffer size").isEqualTo(size);
    assertThat(RenditionEncoder.vbvAfter(1000, 100_000, size, perFrame)).as("never below empty").isEqualTo(perFrame);
  }

  @Test
  void abrCorrectionFactorsAreBoundedForExtremeBitsPerMacroblock() {
    // 1080p at 100 kbit/s: the prior is a hundred times the real complexity; the VBV is left to bound the frames
    List<String> zones = RenditionEncoder.abrCorrection(10, 30, 100_000, 30, 1920, 1080, "veryfast");
    assertThat(zones).allSatisfy(z -> assertThat(factor(z)).isLessThanOrEqualTo(3.0));
    assertThat(factor(zones.get(0))).isEqualTo(3.0);
  }
}
