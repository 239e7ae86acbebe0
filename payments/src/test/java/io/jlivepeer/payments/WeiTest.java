package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class WeiTest {
  @Test
  void parsesWholeNumbersAndEtherAmounts() {
    assertThat(Wei.parse(" 1000 ").value()).isEqualTo(BigInteger.valueOf(1000));
    assertThat(Wei.ofEther("1.5")).isEqualTo(Wei.of(new BigInteger("1500000000000000000")));
    assertThat(Wei.ofEther("1.5").toEtherString()).isEqualTo("1.5");
    assertThat(Wei.of(7).plus(Wei.of(5)).minus(Wei.of(2))).isEqualTo(Wei.of(10));
  }

  @Test
  void rejectsNegativeFractionalAndOversizedAmounts() {
    assertThatThrownBy(() -> Wei.parse("-1")).hasMessageContaining("not an amount in wei");
    assertThatThrownBy(() -> Wei.parse("1.5")).hasMessageContaining("not an amount in wei");
    assertThatThrownBy(() -> Wei.ofEther("0.0000000000000000001")).hasMessageContaining("at most 18 decimals");
    assertThatThrownBy(() -> Wei.of(BigInteger.ONE.shiftLeft(256))).hasMessageContaining("uint256");
    assertThatThrownBy(() -> Wei.of(1).minus(Wei.of(2))).isInstanceOf(PaymentsException.class);
  }
}
