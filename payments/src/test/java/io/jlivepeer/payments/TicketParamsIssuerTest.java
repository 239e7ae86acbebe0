package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketParamsIssuerTest {
  private static final TicketParamsIssuer.Config CONFIG = TicketParamsIssuer.Config.defaults(); // EV 1e12
  private static final Wei BIG = Wei.of(Amounts.MAX_UINT256);

  @TempDir
  Path dir;

  @Test
  void faceValueIsHundredTimesTxCostWhenThatExceedsHundredEv() {
    Wei txCost = Wei.of(1_200_000_000_000L); // 1.2M gas at 1e6 wei
    assertThat(TicketParamsIssuer.faceValue(txCost, CONFIG, BIG)).isEqualTo(Wei.of(120_000_000_000_000L));
  }

  @Test
  void faceValueIsHundredEvWhenGasIsCheap() {
    assertThat(TicketParamsIssuer.faceValue(Wei.of(1), CONFIG, BIG)).isEqualTo(Wei.of(100_000_000_000_000L));
  }

  @Test
  void faceValueIsCappedByMaxFloatAndMaxFaceValue() {
    assertThat(TicketParamsIssuer.faceValue(Wei.of(1), CONFIG, Wei.of(5_000_000_000_000L)))
        .isEqualTo(Wei.of(5_000_000_000_000L));
    assertThat(TicketParamsIssuer.faceValue(Wei.of(1), CONFIG.withMaxFaceValue(Wei.of(2_000_000_000_000L)), BIG))
        .isEqualTo(Wei.of(2_000_000_000_000L));
  }

  @Test
  void refusesWhenMaxFloatIsBelowEv() {
    assertThatThrownBy(() -> TicketParamsIssuer.faceValue(Wei.of(1), CONFIG, Wei.of(999_999_999_999L)))
        .isInstanceOf(PaymentsException.class).hasMessageContaining("insufficient sender reserve");
  }

  @Test
  void winProbMakesTheTicketWorthTheEv() {
    Wei fv = Wei.of(120_000_000_000_000L);
    BigInteger p = TicketParamsIssuer.winProb(Wei.of(1_000_000_000_000L), fv);
    BigInteger expected = BigInteger.valueOf(1_000_000_000_000L)
        .multiply(Amounts.ceilDiv(Amounts.MAX_UINT256, fv.value()));
    assertThat(p).isEqualTo(expected);
    double ev = Amounts.expectedValue(fv.value(), p).doubleValue();
    assertThat(ev).isBetween(1e12, 1e12 * 1.000001);
  }

  @Test
  void winProbIsCappedAtCertainty() {
    assertThat(TicketParamsIssuer.winProb(Wei.of(1000), Wei.of(1000))).isEqualTo(Amounts.MAX_UINT256);
    assertThat(TicketParamsIssuer.winProb(Wei.of(1000), Wei.ZERO)).isZero();
  }

  @Test
  void issuesParamsFromChainState() {
    try (Fixture f = new Fixture(dir)) {
      TicketParams p = f.params();
      assertThat(p.recipient()).isEqualTo(f.orchestratorKey.address());
      assertThat(p.faceValue()).isEqualTo(Wei.of(120_000_000_000_000L)); // 1.2M gas x 1e6 wei x 100
      assertThat(p.expirationBlock()).isEqualTo(f.rounds.latestBlock + 40);
      assertThat(p.expirationParams()).isEqualTo(f.rounds.round);
      BigInteger rand = f.issuer.recipientRand(p.seed(), f.broadcasterKey.address(), p.faceValue(), p.winProb(),
          p.expirationBlock(), f.price, p.expirationParams());
      assertThat(TicketParamsIssuer.recipientRandHash(rand)).isEqualTo(p.recipientRandHash());
      assertThat(f.params().seed()).isNotEqualTo(p.seed());
    }
  }

  @Test
  void freePriceGivesZeroFaceValue() {
    try (Fixture f = new Fixture(dir)) {
      TicketParams p = f.issuer.issue(f.broadcasterKey.address(), Price.FREE);
      assertThat(p.faceValue()).isEqualTo(Wei.ZERO);
      assertThat(p.winProb()).isZero();
    }
  }

  @Test
  void refusesSenderWithoutReserve() {
    try (Fixture f = new Fixture(dir)) {
      f.broker.fund(f.broadcasterKey.address(), Fixture.DEPOSIT, 0);
      assertThatThrownBy(f::params).hasMessageContaining("insufficient sender reserve");
    }
  }

  @Test
  void recipientRandCommitsToEveryInput() throws Exception {
    try (Fixture f = new Fixture(dir)) {
      TicketParams p = f.params();
      EthAddress s = f.broadcasterKey.address();
      BigInteger base = f.issuer.recipientRand(p.seed(), s, p.faceValue(), p.winProb(), p.expirationBlock(), f.price,
          p.expirationParams());
      assertThat(f.issuer.recipientRand(p.seed(), s, p.faceValue(), p.winProb(), p.expirationBlock() + 1, f.price,
          p.expirationParams())).isNotEqualTo(base);
      assertThat(f.issuer.recipientRand(p.seed(), s, p.faceValue(), p.winProb(), p.expirationBlock(), Price.of(1000, 2),
          p.expirationParams())).isNotEqualTo(base);
      assertThat(f.issuer.recipientRand(p.seed(), s, p.faceValue(), p.winProb(), p.expirationBlock(), f.price,
          TicketExpirationParams.NONE)).isNotEqualTo(base);
      // the exact construction: HMAC-SHA256 over the concatenation with minimal big-endian numbers
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
      java.io.ByteArrayOutputStream msg = new java.io.ByteArrayOutputStream();
      msg.write(p.seed().toBytes());
      msg.write(s.toBytes());
      msg.write(TicketParamsIssuer.minimal(p.faceValue().value()));
      msg.write(TicketParamsIssuer.minimal(p.winProb()));
      msg.write(TicketParamsIssuer.minimal(BigInteger.valueOf(p.expirationBlock())));
      msg.write(new byte[] {0x03, (byte) 0xe8}); // 1000
      msg.write(new byte[] {0x01});
      msg.write(p.expirationParams().auxData());
      assertThat(base).isEqualTo(new BigInteger(1, mac.doFinal(msg.toByteArray())));
    }
  }

  @Test
  void minimalBytesDropLeadingZeros() {
    assertThat(TicketParamsIssuer.minimal(BigInteger.ZERO)).isEmpty();
    assertThat(TicketParamsIssuer.minimal(BigInteger.valueOf(255))).containsExactly((byte) 0xff);
    assertThat(TicketParamsIssuer.minimal(BigInteger.valueOf(256))).containsExactly(1, 0);
  }
}
