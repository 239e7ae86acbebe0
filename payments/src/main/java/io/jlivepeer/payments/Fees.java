package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * What a broadcaster expects to pay for a segment (payments.md): the sum over renditions of
 * width x height x ceil(fps) x ceil(duration in s), plus 2%, times the price per pixel. Takes plain numbers so
 * that payments does not depend on media's profile types.
 */
public final class Fees {
  /** Frame rate counted for a passthrough rendition (no frame rate set): the worst case. */
  public static final int PASSTHROUGH_FPS = 60;
  private static final BigDecimal OVERHEAD = new BigDecimal("1.02");

  /**
   * One rendition's size and frame rate; fpsNumerator 0 means passthrough (counted as {@link #PASSTHROUGH_FPS}).
   */
  public record Output(int width, int height, int fpsNumerator, int fpsDenominator) {
    public Output {
      if (width <= 0 || height <= 0 || fpsNumerator < 0 || fpsDenominator <= 0) {
        throw new PaymentsException("bad rendition " + width + "x" + height + " at " + fpsNumerator + "/" + fpsDenominator + " fps");
      }
    }

    public static Output of(int width, int height, int fps) {
      return new Output(width, height, fps, 1);
    }

    public static Output passthroughFps(int width, int height) {
      return new Output(width, height, 0, 1);
    }

    long framesPerSecondCeil() {
      return fpsNumerator == 0 ? PASSTHROUGH_FPS : Math.ceilDiv(fpsNumerator, fpsDenominator);
    }
  }

  private Fees() {}

  /** Sum of width x height x ceil(fps) x ceil(duration s) over the renditions, without the 2%. */
  public static BigInteger pixels(List<Output> outputs, long durationMillis) {
    long seconds = Math.ceilDiv(Math.max(0, durationMillis), 1000L);
    BigInteger sum = BigInteger.ZERO;
    for (Output o : outputs) {
      sum = sum.add(BigInteger.valueOf(o.width()).multiply(BigInteger.valueOf(o.height()))
          .multiply(BigInteger.valueOf(o.framesPerSecondCeil())).multiply(BigInteger.valueOf(seconds)));
    }
    return sum;
  }

  /** The fee for one segment in fractional wei. */
  public static BigDecimal segmentFee(List<Output> outputs, long durationMillis, Price price) {
    BigDecimal px = new BigDecimal(pixels(outputs, durationMillis)).multiply(OVERHEAD);
    return px.multiply(new BigDecimal(price.pricePerUnit())).divide(new BigDecimal(price.pixelsPerUnit()), Amounts.MC);
  }
}
