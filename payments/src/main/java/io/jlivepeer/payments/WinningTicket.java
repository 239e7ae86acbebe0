package io.jlivepeer.payments;

import java.math.BigInteger;
import java.util.Objects;

/** A ticket that won, with what the TicketBroker needs to pay it and when its params expire. */
public record WinningTicket(Ticket ticket, Signature signature, BigInteger recipientRand, long expirationBlock) {
  public WinningTicket {
    Objects.requireNonNull(ticket, "ticket");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(recipientRand, "recipientRand");
    if (recipientRand.signum() < 0 || recipientRand.bitLength() > 256) {
      throw new PaymentsException("recipientRand must be a uint256");
    }
  }
}
