package io.jlivepeer.payments;

/** Where the validator puts winning tickets; {@link RedemptionQueue} is the persistent one. */
public interface WinningTickets {
  /** Stores the ticket durably before returning: the segment is answered only after this. */
  void add(WinningTicket ticket);

  /** Face value of the sender's tickets still waiting to be redeemed (enters max float). */
  Wei pendingFaceValue(EthAddress sender);
}
