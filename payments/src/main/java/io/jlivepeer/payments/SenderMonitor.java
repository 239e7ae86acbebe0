package io.jlivepeer.payments;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The orchestrator's view of each sender's deposit and reserve, cached so that a payment does not cost chain
 * calls, and kept (stale) while the chain is unreachable so that streams keep flowing.
 */
public final class SenderMonitor {
  /** Default cache lifetime: a few L1 blocks; deposits change rarely and redemptions are slow anyway. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(30);

  private record Entry(SenderInfo info, long poolSize, Wei claimed, Instant fetchedAt) {}

  private final EthAddress claimant;
  private final TicketBroker broker;
  private final WinningTickets pending;
  private final Clock clock;
  private final Duration ttl;
  private final ConcurrentHashMap<EthAddress, Entry> cache = new ConcurrentHashMap<>();
  private final Function<EthAddress, Optional<Wei>> remoteMaxFloat;

  public SenderMonitor(EthAddress claimant, TicketBroker broker, WinningTickets pending, Clock clock, Duration cacheTtl) {
    this(claimant, broker, pending, clock, cacheTtl, sender -> Optional.empty());
  }

  /**
   * As above, with max float coming from {@code remoteMaxFloat} when it has a value: an orchestrator whose winning
   * tickets go to a redeemer asks the redeemer, which alone knows what is pending for the sender across all the
   * orchestrators it serves. An empty answer (redeemer not reached yet) falls back to this node's own computation.
   */
  public SenderMonitor(EthAddress claimant, TicketBroker broker, WinningTickets pending, Clock clock, Duration cacheTtl,
      Function<EthAddress, Optional<Wei>> remoteMaxFloat) {
    this.remoteMaxFloat = Objects.requireNonNull(remoteMaxFloat, "remoteMaxFloat");
    this.claimant = Objects.requireNonNull(claimant, "claimant");
    this.broker = Objects.requireNonNull(broker, "broker");
    this.pending = Objects.requireNonNull(pending, "pending");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(cacheTtl, "cacheTtl");
  }

  public SenderInfo senderInfo(EthAddress sender) {
    return entry(sender).info();
  }

  /** How much this orchestrator lets the sender owe it (payments.md, "Max float"). */
  public Wei maxFloat(EthAddress sender) {
    Optional<Wei> remote = remoteMaxFloat.apply(sender);
    if (remote.isPresent()) {
      return remote.get();
    }
    Entry e = entry(sender);
    return maxFloat(e.info(), e.poolSize(), e.claimed(), pending.pendingFaceValue(sender));
  }

  /** Forgets the cached state of a sender, e.g. after one of its tickets was redeemed. */
  public void invalidate(EthAddress sender) {
    cache.remove(sender);
  }

  /**
   * reserveAlloc = (fundsRemaining + claimedInCurrentRound) / poolSize - claimedByThisOrchestrator;
   * maxFloat = reserveAlloc when deposit / pending >= 3 (or nothing is pending), else reserveAlloc - pending.
   */
  public static Wei maxFloat(SenderInfo info, long poolSize, Wei claimedByClaimant, Wei pendingFaceValue) {
    if (poolSize <= 0) {
      return Wei.ZERO; // no active transcoders: nobody may claim from the reserve
    }
    BigInteger total = info.reserveFundsRemaining().value().add(info.reserveClaimedInCurrentRound().value());
    Wei alloc = Wei.of(total.divide(BigInteger.valueOf(poolSize))).minusOrZero(claimedByClaimant);
    if (pendingFaceValue.isZero()
        || info.deposit().value().divide(pendingFaceValue.value()).compareTo(BigInteger.valueOf(3)) >= 0) {
      return alloc;
    }
    return alloc.minusOrZero(pendingFaceValue);
  }

  private Entry entry(EthAddress sender) {
    Instant now = clock.instant();
    Entry cached = cache.get(sender);
    if (cached != null && now.isBefore(cached.fetchedAt().plus(ttl))) {
      return cached;
    }
    try {
      Entry fresh = new Entry(broker.senderInfo(sender), broker.transcoderPoolSize(),
          broker.claimedReserve(sender, claimant), now);
      cache.put(sender, fresh);
      return fresh;
    } catch (BrokerUnavailableException e) {
      if (cached != null) {
        return cached; // stale beats refusing work while the chain node is away
      }
      throw e;
    }
  }
}
