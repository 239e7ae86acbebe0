package io.jlivepeer.payments;

import java.util.Objects;

/**
 * The round a ticket was created in and that round's block hash: the contract expires tickets
 * ticketValidityPeriod rounds after creationRound. Both zero means "none" (no auxData in the hash).
 */
public record TicketExpirationParams(long creationRound, Bytes32 creationRoundBlockHash) {
  public static final TicketExpirationParams NONE = new TicketExpirationParams(0, Bytes32.ZERO);

  public TicketExpirationParams {
    Objects.requireNonNull(creationRoundBlockHash, "creationRoundBlockHash");
    if (creationRound < 0) {
      throw new PaymentsException("creation round must not be negative: " + creationRound);
    }
  }

  public boolean isNone() {
    return creationRound == 0 && creationRoundBlockHash.isZero();
  }

  /** creationRound (32) || creationRoundBlockHash (32), or empty for {@link #isNone()}. */
  public byte[] auxData() {
    if (isNone()) {
      return new byte[0];
    }
    byte[] out = new byte[64];
    Ticket.putUint(out, 0, creationRound);
    System.arraycopy(creationRoundBlockHash.raw(), 0, out, 32, 32);
    return out;
  }
}
