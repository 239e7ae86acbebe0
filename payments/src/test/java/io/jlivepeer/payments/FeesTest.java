package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeesTest {
  @Test
  void sumsPixelsOverRenditionsWithCeiledFpsAndDuration() {
    List<Fees.Output> outs = List.of(Fees.Output.of(1280, 720, 30), new Fees.Output(640, 360, 30000, 1001));
    // 2.001 s -> 3 s; 29.97 fps -> 30
    BigInteger expected = BigInteger.valueOf(1280L * 720 * 30 * 3 + 640L * 360 * 30 * 3);
    assertThat(Fees.pixels(outs, 2001)).isEqualTo(expected);
  }

  @Test
  void countsPassthroughFpsAsSixty() {
    assertThat(Fees.pixels(List.of(Fees.Output.passthroughFps(100, 100)), 2000)).isEqualTo(BigInteger.valueOf(100L * 100 * 60 * 2));
  }

  @Test
  void feeAddsTwoPercentAndAppliesPricePerPixel() {
    List<Fees.Output> outs = List.of(Fees.Output.of(1280, 720, 30));
    BigDecimal fee = Fees.segmentFee(outs, 2000, Price.of(3, 2)); // 1.5 wei per pixel
    BigDecimal expected = BigDecimal.valueOf(1280L * 720 * 30 * 2).multiply(new BigDecimal("1.02")).multiply(new BigDecimal("1.5"));
    assertThat(fee).isEqualByComparingTo(expected);
  }

  @Test
  void freePriceCostsNothing() {
    assertThat(Fees.segmentFee(List.of(Fees.Output.of(1920, 1080, 60)), 2000, Price.FREE)).isEqualByComparingTo("0");
  }
}
