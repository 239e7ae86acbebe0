package io.jlivepeer.media;

/**
 * Frame-rate conversion onto a fixed output grid, as FFmpeg's {@code fps} filter does it with its default
 * "near" rounding: each input frame is placed on the output slot nearest to its timestamp; when several frames
 * land on one slot the last one wins (the others are dropped), and a frame is repeated for every slot until the
 * next frame's slot (duplication). Pure arithmetic, no FFmpeg: the caller holds the pending frame.
 *
 * <p>Usage per segment: {@link #offer} for every decoded frame in presentation order (it answers which slots the
 * previously offered frame fills), then {@link #finish} with the segment's end time (which slots the last frame
 * fills). Slots are output timestamps in units of 1/fps, so consecutive segments continue on the same grid.
 */
final class FrameRateConverter {
  /** A run of output slots {@code [first, first + count)} to be filled with one frame. */
  record Run(long first, int count) {}

  private final long num;
  private final long den;
  private boolean pending;
  private long next;

  /**
   * @param fps output rate numerator
   * @param fpsDen output rate denominator
   * @param tbNum input time base numerator (1 for MPEG-TS's 1/90000)
   * @param tbDen input time base denominator
   */
  FrameRateConverter(long fps, long fpsDen, long tbNum, long tbDen) {
    if (fps <= 0 || fpsDen <= 0 || tbNum <= 0 || tbDen <= 0) {
      throw new IllegalArgumentException("bad rate " + fps + "/" + fpsDen + " or time base " + tbNum + "/" + tbDen);
    }
    this.num = fps * tbNum;
    this.den = fpsDen * tbDen;
  }

  /** The output slot nearest to an input timestamp (round half up). */
  long slotOf(long pts) {
    return Math.floorDiv(Math.multiplyExact(2 * pts, num) + den, 2 * den);
  }

  /**
   * Offers the next frame; returns the slots the previously offered frame fills (count 0: it was dropped, or
   * this is the segment's first frame). The offered frame becomes the pending one.
   */
  Run offer(long pts) {
    long slot = slotOf(pts);
    if (!pending) {
      pending = true;
      next = slot;
      return new Run(slot, 0);
    }
    long first = next;
    int count = (int) Math.max(0, slot - next);
    next += count;
    return new Run(first, count);
  }

  /** Ends the segment at {@code endPts} (last frame's pts + its duration): the slots the pending frame fills. */
  Run finish(long endPts) {
    if (!pending) {
      return new Run(0, 0);
    }
    pending = false;
    long first = next;
    int count = (int) Math.max(0, slotOf(endPts) - next);
    return new Run(first, count);
  }
}
