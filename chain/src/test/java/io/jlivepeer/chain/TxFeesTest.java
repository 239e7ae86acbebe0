package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class TxFeesTest {
  private static final BigInteger CAP = BigInteger.valueOf(1_000_000);

  @Test
  void replacementRaisesBothFeesByMoreThanTenPercent() {
    TxManager.Fees f = new TxManager.Fees(true, BigInteger.valueOf(1000), BigInteger.valueOf(100)).bumped(CAP);
    assertThat(f.maxFee()).isEqualTo(1151);
    assertThat(f.tip()).isEqualTo(116);
    assertThat(f.maxFee().multiply(BigInteger.TEN)).isGreaterThan(BigInteger.valueOf(11_000));
  }

  @Test
  void replacementNeverExceedsTheCapAndTipNeverExceedsFee() {
    TxManager.Fees f = new TxManager.Fees(true, BigInteger.valueOf(990_000), BigInteger.valueOf(990_000)).bumped(CAP);
    assertThat(f.maxFee()).isEqualTo(CAP);
    assertThat(f.tip()).isEqualTo(CAP);
  }
}
