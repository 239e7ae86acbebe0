package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A non-negative uint256 amount in the smallest unit of an 18-decimal token: wei for ETH, and the base unit of LPT
 * (1 LPT = 10^18) for stake.
 */
public record Wei(BigInteger value) implements Comparable<Wei> {
  public static final Wei ZERO = new Wei(BigInteger.ZERO);
  private static final BigDecimal ONE_ETHER = BigDecimal.TEN.pow(18);

  public Wei {
    Objects.requireNonNull(value, "value");
    if (value.signum() < 0) {
      throw new PaymentsException("not an amount: " + value + " is negative");
    }
    if (value.bitLength() > 256) {
      throw new PaymentsException("not an amount: " + value + " does not fit in uint256");
    }
  }

  public static Wei of(long value) {
    return new Wei(BigInteger.valueOf(value));
  }

  public static Wei of(BigInteger value) {
    return new Wei(value);
  }

  /** Parses a decimal whole number of wei. */
  public static Wei parse(String text) {
    String t = Objects.requireNonNull(text, "text").strip();
    if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new PaymentsException("not an amount in wei: \"" + text + "\" (expected a non-negative whole number)");
    }
    return new Wei(new BigInteger(t));
  }

  /** Parses a decimal amount of whole tokens ("1.5" ether or LPT) into base units. */
  public static Wei ofEther(String decimal) {
    try {
      BigDecimal d = new BigDecimal(Objects.requireNonNull(decimal, "decimal").strip()).multiply(ONE_ETHER);
      return new Wei(d.toBigIntegerExact());
    } catch (NumberFormatException | ArithmeticException e) {
      throw new PaymentsException("not an amount: \"" + decimal + "\" (expected a decimal number with at most 18 decimals)");
    }
  }

  public Wei plus(Wei other) {
    return new Wei(value.add(other.value));
  }

  /** this - other; throws {@link PaymentsException} when other is the larger (amounts are never negative). */
  public Wei minus(Wei other) {
    return new Wei(value.subtract(other.value));
  }

  /** this - other, never below zero. */
  public Wei minusOrZero(Wei other) {
    return value.compareTo(other.value) <= 0 ? ZERO : new Wei(value.subtract(other.value));
  }

  public Wei times(long factor) {
    return new Wei(value.multiply(BigInteger.valueOf(factor)));
  }

  public Wei min(Wei other) {
    return compareTo(other) <= 0 ? this : other;
  }

  public Wei max(Wei other) {
    return compareTo(other) >= 0 ? this : other;
  }

  public boolean isZero() {
    return value.signum() == 0;
  }

  public BigDecimal toBigDecimal() {
    return new BigDecimal(value);
  }

  @Override
  public int compareTo(Wei o) {
    return value.compareTo(o.value);
  }

  /** The amount in whole tokens, without trailing zeros ("1.5"). */
  public String toEtherString() {
    return new BigDecimal(value).divide(ONE_ETHER).stripTrailingZeros().toPlainString();
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
