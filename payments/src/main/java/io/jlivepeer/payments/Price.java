package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A transcoding price: {@code pricePerUnit} wei for every {@code pixelsPerUnit} output pixels (the reference
 * node's -pricePerUnit / -pixelsPerUnit). Kept as a fraction because it enters the recipientRand derivation.
 */
public record Price(BigInteger pricePerUnit, BigInteger pixelsPerUnit) {
  public static final Price FREE = new Price(BigInteger.ZERO, BigInteger.ONE);

  public Price {
    Objects.requireNonNull(pricePerUnit, "pricePerUnit");
    Objects.requireNonNull(pixelsPerUnit, "pixelsPerUnit");
    if (pricePerUnit.signum() < 0) {
      throw new PaymentsException("price per unit must not be negative: " + pricePerUnit);
    }
    if (pixelsPerUnit.signum() <= 0) {
      throw new PaymentsException("pixels per unit must be at least 1: " + pixelsPerUnit);
    }
  }

  public static Price of(long pricePerUnit, long pixelsPerUnit) {
    return new Price(BigInteger.valueOf(pricePerUnit), BigInteger.valueOf(pixelsPerUnit));
  }

  public boolean isFree() {
    return pricePerUnit.signum() == 0;
  }

  /** Wei per pixel. */
  public BigDecimal perPixel() {
    return new BigDecimal(pricePerUnit).divide(new BigDecimal(pixelsPerUnit), Amounts.MC);
  }

  /** Compares the per-pixel prices exactly (cross-multiplied). */
  public int comparePerPixel(Price other) {
    return pricePerUnit.multiply(other.pixelsPerUnit).compareTo(other.pricePerUnit.multiply(pixelsPerUnit));
  }

  /** The price for {@code pixels} output pixels, in (fractional) wei. */
  public BigDecimal forPixels(long pixels) {
    return new BigDecimal(pricePerUnit.multiply(BigInteger.valueOf(pixels))).divide(new BigDecimal(pixelsPerUnit), Amounts.MC);
  }
}
