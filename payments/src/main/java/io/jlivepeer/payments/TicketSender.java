package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broadcaster's ticket signer: one session per orchestrator session, nonces counted per recipientRandHash
 * from 1, and the broadcaster's limits checked before it signs anything (payments.md, "B's checks").
 */
public final class TicketSender {
  /**
   * @param maxTicketEV largest EV of one ticket B accepts (-maxTicketEV, default 3e12 wei)
   * @param maxTotalEV largest EV of one payment (-maxTotalEV, default 2e13 wei)
   * @param depositMultiplier face value must be at most deposit / this (-depositMultiplier, default 1)
   */
  public record Config(Wei maxTicketEV, Wei maxTotalEV, long depositMultiplier) {
    public Config {
      Objects.requireNonNull(maxTicketEV, "maxTicketEV");
      Objects.requireNonNull(maxTotalEV, "maxTotalEV");
      if (depositMultiplier < 1) {
        throw new PaymentsException("-depositMultiplier must be at least 1, got " + depositMultiplier);
      }
    }

    public static Config defaults() {
      return new Config(Wei.of(3_000_000_000_000L), Wei.of(20_000_000_000_000L), 1);
    }
  }

  private final EthKey key;
  private final TicketBroker broker;
  private final RoundsView rounds;
  private final Config config;
  private final Clock clock;
  private volatile SenderInfo lastInfo;
  private volatile Instant lastInfoAt = Instant.MIN;
  private final ConcurrentHashMap<String, TicketParams> sessions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Bytes32, AtomicLong> nonces = new ConcurrentHashMap<>();

  /** How long the sender's own deposit and reserve are taken from the cache rather than the chain. */
  public static final Duration SENDER_INFO_TTL = Duration.ofSeconds(30);

  public TicketSender(EthKey key, TicketBroker broker, RoundsView rounds, Config config, Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.key = Objects.requireNonNull(key, "key");
    this.broker = Objects.requireNonNull(broker, "broker");
    this.rounds = Objects.requireNonNull(rounds, "rounds");
    this.config = Objects.requireNonNull(config, "config");
  }

  public EthAddress address() {
    return key.address();
  }

  /** Starts paying an orchestrator under its params; returns the session id to pay with. */
  public String startSession(TicketParams params) {
    String id = UUID.randomUUID().toString();
    sessions.put(id, params);
    return id;
  }

  /** Switches a session to fresh params (after "params expired"); nonces restart with the new recipientRandHash. */
  public void updateSession(String sessionId, TicketParams params) {
    TicketParams old = sessions.replace(sessionId, params);
    if (old == null) {
      throw new PaymentsException("unknown payment session " + sessionId);
    }
    forgetNoncesIfUnused(old);
  }

  public void endSession(String sessionId) {
    TicketParams p = sessions.remove(sessionId);
    if (p != null) {
      forgetNoncesIfUnused(p);
    }
  }

  /** Old params are never paid with again once no session holds them (O would refuse them as expired). */
  private void forgetNoncesIfUnused(TicketParams old) {
    if (sessions.values().stream().noneMatch(p -> p.recipientRandHash().equals(old.recipientRandHash()))) {
      nonces.remove(old.recipientRandHash());
    }
  }

  public TicketParams params(String sessionId) {
    TicketParams p = sessions.get(sessionId);
    if (p == null) {
      throw new PaymentsException("unknown payment session " + sessionId);
    }
    return p;
  }

  /** Checks the limits, then signs {@code count} tickets with the next nonces of the session. */
  public Payment createPayment(String sessionId, int count, Price expectedPrice) {
    TicketParams p = params(sessionId);
    if (count < 1) {
      throw new PaymentsException("a payment needs at least one ticket, asked for " + count);
    }
    long latest = rounds.latestBlock();
    if (p.expirationBlock() <= latest) {
      throw new InvalidTicketException(InvalidTicketException.Reason.PARAMS_EXPIRED, "ticket params expired at block "
          + p.expirationBlock() + " (latest block " + latest + "); refresh the session's params");
    }
    validateTicketParams(p, count);
    AtomicLong counter = nonces.computeIfAbsent(p.recipientRandHash(), h -> new AtomicLong());
    long first = counter.getAndAdd(count) + 1;
    Ticket base = p.ticket(key.address(), 0);
    List<TicketSenderParams> tickets = new ArrayList<>(count);
    for (long n = first; n < first + count; n++) {
      tickets.add(new TicketSenderParams(n, key.signPersonal(base.withNonce(n).hash())));
    }
    return new Payment(p, key.address(), expectedPrice, tickets);
  }

  /** B's checks before paying under params: EV limits, face value against the deposit, funds and unlock state. */
  public void validateTicketParams(TicketParams params, int count) {
    BigDecimal ev = params.expectedValue();
    if (ev.compareTo(config.maxTicketEV().toBigDecimal()) > 0) {
      throw new PaymentsException("ticket EV " + ev.toBigInteger() + " wei is above -maxTicketEV "
          + config.maxTicketEV() + " wei; the orchestrator asks too much per ticket");
    }
    if (ev.multiply(BigDecimal.valueOf(count)).compareTo(config.maxTotalEV().toBigDecimal()) > 0) {
      throw new PaymentsException(count + " tickets of EV " + ev.toBigInteger() + " wei exceed -maxTotalEV "
          + config.maxTotalEV() + " wei");
    }
    SenderInfo info = ownInfo();
    if (info.deposit().isZero() || info.reserveFundsRemaining().isZero()) {
      throw new PaymentsException("sender " + key.address() + " has no deposit or no reserve in the TicketBroker"
          + " (deposit " + info.deposit() + ", reserve " + info.reserveFundsRemaining() + "); fund both");
    }
    if (info.unlockInProgress()) {
      throw new PaymentsException("sender " + key.address() + " is unlocking its deposit (withdraw round "
          + info.withdrawRound() + "); cancel the unlock to keep paying");
    }
    BigInteger maxFace = info.deposit().value().divide(BigInteger.valueOf(config.depositMultiplier()));
    if (params.faceValue().value().compareTo(maxFace) > 0) {
      throw new PaymentsException("ticket face value " + params.faceValue() + " wei is above deposit / "
          + "-depositMultiplier = " + maxFace + " wei; fund a larger deposit");
    }
  }

  /** The sender's own deposit and reserve, cached; the last known one while the chain is unreachable. */
  private SenderInfo ownInfo() {
    Instant now = clock.instant();
    SenderInfo cached = lastInfo;
    if (cached != null && now.isBefore(lastInfoAt.plus(SENDER_INFO_TTL))) {
      return cached;
    }
    try {
      SenderInfo fresh = broker.senderInfo(key.address());
      lastInfo = fresh;
      lastInfoAt = now;
      return fresh;
    } catch (BrokerUnavailableException e) {
      if (cached != null) {
        return cached; // keep streaming on what we knew
      }
      throw e;
    }
  }

  /** Forgets the cached deposit and reserve (after funding them). */
  public void refreshSenderInfo() {
    lastInfo = null;
  }

  /** ceil((max(fee, EV) - balance) / EV), at least 0: enough tickets to cover the fee, at least one EV. */
  public static int ticketsNeeded(BigDecimal fee, BigDecimal ev, BigDecimal balance) {
    if (ev.signum() <= 0) {
      return 0; // free: nothing to pay
    }
    BigDecimal owed = fee.max(ev).subtract(balance);
    if (owed.signum() <= 0) {
      return 0;
    }
    return owed.divide(ev, 0, RoundingMode.CEILING).intValueExact();
  }

  /**
   * B's price checks: the offered price must not exceed the maximum and must not have more than doubled since
   * the session began.
   */
  public static void checkPrice(Price offered, Price initial, Price max) {
    if (offered.comparePerPixel(max) > 0) {
      throw new PaymentsException("orchestrator price " + offered.pricePerUnit() + " wei per " + offered.pixelsPerUnit()
          + " pixels is above -maxPricePerUnit " + max.pricePerUnit() + " per " + max.pixelsPerUnit() + " pixels");
    }
    Price doubled = new Price(initial.pricePerUnit().shiftLeft(1), initial.pixelsPerUnit());
    if (offered.comparePerPixel(doubled) > 0) {
      throw new PaymentsException("orchestrator price more than doubled during the session (from "
          + initial.pricePerUnit() + "/" + initial.pixelsPerUnit() + " to " + offered.pricePerUnit() + "/"
          + offered.pixelsPerUnit() + " wei per pixel); switch orchestrators");
    }
  }
}
