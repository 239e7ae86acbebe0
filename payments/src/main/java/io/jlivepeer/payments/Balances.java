package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credit per sender and session, in fractional wei: the orchestrator credits the EV of every valid ticket and
 * debits price x encoded pixels after each segment; the broadcaster mirrors the same bookkeeping. A balance
 * untouched for {@code idleExpiry} (default 10 minutes) is forgotten.
 */
public final class Balances {
  public static final Duration DEFAULT_IDLE_EXPIRY = Duration.ofMinutes(10);

  private record Key(EthAddress sender, String sessionId) {}

  private static final class Entry {
    BigDecimal amount = BigDecimal.ZERO;
    Instant touched;
  }

  private final Clock clock;
  private final Duration idleExpiry;
  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

  public Balances(Clock clock, Duration idleExpiry) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.idleExpiry = Objects.requireNonNull(idleExpiry, "idleExpiry");
  }

  public Balances(Clock clock) {
    this(clock, DEFAULT_IDLE_EXPIRY);
  }

  public BigDecimal credit(EthAddress sender, String sessionId, BigDecimal amount) {
    return add(sender, sessionId, amount);
  }

  /** Debits may take a balance below zero: the work was done, the next payment has to cover it. */
  public BigDecimal debit(EthAddress sender, String sessionId, BigDecimal amount) {
    return add(sender, sessionId, amount.negate());
  }

  /** The current balance; zero for an unknown or expired session. */
  public BigDecimal balance(EthAddress sender, String sessionId) {
    Key key = new Key(sender, sessionId);
    Instant now = clock.instant();
    Entry e = entries.computeIfPresent(key, (k, v) -> expired(v, now) ? null : v);
    if (e == null) {
      return BigDecimal.ZERO;
    }
    synchronized (e) {
      return e.amount;
    }
  }

  /** Whether the balance is at least {@code minimum} (O requires one ticket's EV before transcoding). */
  public boolean covers(EthAddress sender, String sessionId, BigDecimal minimum) {
    return balance(sender, sessionId).compareTo(minimum) >= 0;
  }

  /** Drops every balance idle for longer than the expiry; returns how many. Call it periodically. */
  public int expireIdle() {
    Instant now = clock.instant();
    int before = entries.size();
    entries.values().removeIf(e -> expired(e, now));
    return before - entries.size();
  }

  public int size() {
    return entries.size();
  }

  private BigDecimal add(EthAddress sender, String sessionId, BigDecimal delta) {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(sessionId, "sessionId");
    Instant now = clock.instant();
    Entry e = entries.compute(new Key(sender, sessionId), (k, v) -> {
      Entry fresh = v == null || expired(v, now) ? new Entry() : v;
      synchronized (fresh) {
        fresh.amount = fresh.amount.add(delta, Amounts.MC);
        fresh.touched = now;
      }
      return fresh;
    });
    synchronized (e) {
      return e.amount;
    }
  }

  private boolean expired(Entry e, Instant now) {
    synchronized (e) {
      return e.touched != null && !now.isBefore(e.touched.plus(idleExpiry));
    }
  }
}
