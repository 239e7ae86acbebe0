package io.jlivepeer.payments;

import java.util.Objects;

/** One ticket of a payment: its nonce and the sender's signature over its hash. */
public record TicketSenderParams(long senderNonce, Signature signature) {
  public TicketSenderParams {
    Objects.requireNonNull(signature, "signature");
    if (senderNonce < 0) {
      throw new PaymentsException("sender nonce must not be negative: " + senderNonce);
    }
  }
}
