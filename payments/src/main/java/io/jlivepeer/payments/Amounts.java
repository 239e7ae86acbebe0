package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/** Shared arithmetic: expected values and balances are fractional wei, kept as BigDecimal with 60 digits. */
final class Amounts {
  /** 60 significant digits: face values (<= 78 digits) times probabilities stay exact well past a wei. */
  static final MathContext MC = new MathContext(60, RoundingMode.HALF_EVEN);
  static final BigInteger MAX_UINT256 = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  private Amounts() {}

  /** faceValue x winProb / (2^256 - 1). */
  static BigDecimal expectedValue(BigInteger faceValue, BigInteger winProb) {
    return new BigDecimal(faceValue.multiply(winProb)).divide(new BigDecimal(MAX_UINT256), MC);
  }

  static BigInteger ceil(BigDecimal d) {
    return d.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
  }

  static BigInteger ceilDiv(BigInteger a, BigInteger b) {
    BigInteger[] qr = a.divideAndRemainder(b);
    return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
  }
}
