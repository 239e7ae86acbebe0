package io.jlivepeer.p2p;

/**
 * LEDBAT congestion control (RFC 6817) for one channel's DATA, counted in chunks: the window grows while the
 * one-way queuing delay (current delay minus the lowest delay seen, the base) stays under the target and shrinks
 * as it passes it, so swarm traffic yields to other traffic on the viewer's link. Delay samples come from the
 * receiver's ACKs (its receive time minus our DATA timestamp: a clock offset cancels out against the base delay).
 * Confined to the engine thread.
 */
final class Ledbat {
  /** RFC 6817 section 3.3: TARGET must not exceed 100 ms; a viewer's access link queues far less before loss. */
  static final long TARGET_MICROS = 25_000;
  /** RFC 6817 section 3.3: GAIN must not exceed 1. */
  static final double GAIN = 1.0;
  static final double MIN_CWND = 2;
  static final double INIT_CWND = 4;
  static final double MAX_CWND = 128;
  /** RFC 6817 section 3.4.2: BASE_HISTORY minutes of per-minute minima; CURRENT_FILTER samples for the current. */
  static final int BASE_HISTORY = 10;
  static final int CURRENT_FILTER = 4;
  private static final long MINUTE_MICROS = 60_000_000L;

  private final long[] baseHistory = new long[BASE_HISTORY];
  private int baseIndex;
  private long minuteStart = Long.MIN_VALUE;
  private final long[] current = new long[CURRENT_FILTER];
  private int currentCount;
  private double cwnd = INIT_CWND;
  private long lastLossMicros = Long.MIN_VALUE;

  Ledbat() {
    java.util.Arrays.fill(baseHistory, Long.MAX_VALUE);
  }

  double cwnd() {
    return cwnd;
  }

  long baseDelay() {
    long min = Long.MAX_VALUE;
    for (long b : baseHistory) {
      min = Math.min(min, b);
    }
    return min;
  }

  /** {@code acked} chunks were acknowledged with one-way delay sample {@code delayMicros}, at {@code nowMicros}. */
  void onAck(long delayMicros, int acked, long nowMicros) {
    if (minuteStart == Long.MIN_VALUE || nowMicros - minuteStart >= MINUTE_MICROS) {
      minuteStart = nowMicros;
      baseIndex = (baseIndex + 1) % BASE_HISTORY;
      baseHistory[baseIndex] = delayMicros;
    } else {
      baseHistory[baseIndex] = Math.min(baseHistory[baseIndex], delayMicros);
    }
    current[currentCount++ % CURRENT_FILTER] = delayMicros;
    long cur = Long.MAX_VALUE;
    for (int i = 0; i < Math.min(currentCount, CURRENT_FILTER); i++) {
      cur = Math.min(cur, current[i]);
    }
    long queuing = cur - baseDelay();
    double offTarget = (TARGET_MICROS - queuing) / (double) TARGET_MICROS;
    cwnd += GAIN * offTarget * acked / cwnd;
    cwnd = Math.max(MIN_CWND, Math.min(MAX_CWND, cwnd));
  }

  /** A chunk was not acknowledged in time: halve, at most once per target delay's worth of time. */
  void onLoss(long nowMicros) {
    if (lastLossMicros != Long.MIN_VALUE && nowMicros - lastLossMicros < 4 * TARGET_MICROS) {
      return;
    }
    lastLossMicros = nowMicros;
    cwnd = Math.max(MIN_CWND, cwnd / 2);
  }
}
