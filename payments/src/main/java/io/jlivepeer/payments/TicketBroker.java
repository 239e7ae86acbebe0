package io.jlivepeer.payments;

import java.math.BigInteger;

/**
 * Port to the TicketBroker and BondingManager contracts, implemented by {@code chain}. Views throw
 * {@link BrokerUnavailableException} when the chain cannot be reached.
 */
public interface TicketBroker {
  /** TicketBroker.getSenderInfo. */
  SenderInfo senderInfo(EthAddress sender);

  /** BondingManager.getTranscoderPoolSize: the reserve is split among this many active transcoders. */
  long transcoderPoolSize();

  /** TicketBroker.claimedReserve: what the claimant already took from the holder's reserve this round. */
  Wei claimedReserve(EthAddress reserveHolder, EthAddress claimant);

  /** Sends redeemWinningTicket(ticket, sig, recipientRand) and waits for its receipt. Never throws for a revert. */
  RedeemOutcome redeemWinningTicket(Ticket ticket, Signature signature, BigInteger recipientRand);
}
