package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/** A non-negative uint256 amount of wei. */
public record Wei(BigInteger value) implements Comparable<Wei> {
  public static final Wei ZERO = new Wei(BigInteger.ZERO);

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

  public Wei plus(Wei other) {
    return new Wei(value.add(other.value));
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

  @Override
  public String toString() {
    return value.toString();
  }
}
