package io.jlivepeer.payments;

/**
 * Port to what payments needs of the chain's clock and fees, implemented by {@code chain} (watchers). These are
 * on the path of every payment: implementations answer from the watchers' last known values and do not block on
 * the chain; they throw {@link BrokerUnavailableException} only when nothing was ever known.
 */
public interface RoundsView {
  /** The last initialized round and its block hash: the expiration params of new tickets. */
  TicketExpirationParams lastInitializedRound();

  /** Number of the latest L1 block (ticket params expire by it). */
  long latestBlock();

  /** The current gas price, which sets the minimum face value worth redeeming. */
  Wei gasPrice();
}
