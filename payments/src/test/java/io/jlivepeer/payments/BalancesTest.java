package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BalancesTest {
  private static final EthAddress A = EthAddress.of("0x" + "0a".repeat(20));
  private static final EthAddress B = EthAddress.of("0x" + "0b".repeat(20));
  private final MutableClock clock = new MutableClock();
  private final Balances balances = new Balances(clock);

  @Test
  void creditsAndDebitsPerSenderAndSession() {
    balances.credit(A, "s1", new BigDecimal("1000.5"));
    balances.credit(A, "s2", BigDecimal.TEN);
    balances.credit(B, "s1", BigDecimal.ONE);
    balances.debit(A, "s1", new BigDecimal("400.25"));
    assertThat(balances.balance(A, "s1")).isEqualByComparingTo("600.25");
    assertThat(balances.balance(A, "s2")).isEqualByComparingTo("10");
    assertThat(balances.balance(B, "s1")).isEqualByComparingTo("1");
    assertThat(balances.balance(B, "nope")).isEqualByComparingTo("0");
  }

  @Test
  void debitCanGoNegativeAndIsCoveredByLaterCredit() {
    balances.debit(A, "s", new BigDecimal("5"));
    assertThat(balances.covers(A, "s", BigDecimal.ONE)).isFalse();
    balances.credit(A, "s", new BigDecimal("6"));
    assertThat(balances.covers(A, "s", BigDecimal.ONE)).isTrue();
  }

  @Test
  void forgetsBalancesIdleForTenMinutes() {
    balances.credit(A, "s", BigDecimal.TEN);
    balances.credit(B, "s", BigDecimal.TEN);
    clock.advance(Duration.ofMinutes(9));
    balances.credit(B, "s", BigDecimal.ONE); // B stays active
    clock.advance(Duration.ofMinutes(1));
    assertThat(balances.balance(A, "s")).isEqualByComparingTo("0");
    assertThat(balances.balance(B, "s")).isEqualByComparingTo("11");
    clock.advance(Duration.ofMinutes(10));
    assertThat(balances.expireIdle()).isEqualTo(1);
    assertThat(balances.size()).isZero();
  }

  @Test
  void creditAfterExpiryStartsFromZero() {
    balances.credit(A, "s", BigDecimal.TEN);
    clock.advance(Duration.ofMinutes(11));
    assertThat(balances.credit(A, "s", BigDecimal.ONE)).isEqualByComparingTo("1");
  }
}
