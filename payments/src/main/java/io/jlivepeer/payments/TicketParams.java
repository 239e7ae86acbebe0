package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * What an orchestrator asks of a broadcaster's tickets (sent in every OrchestratorInfo). The seed comes back in
 * every payment so the orchestrator can re-derive recipientRand without storing it.
 */
public record TicketParams(
    EthAddress recipient,
    Wei faceValue,
    BigInteger winProb,
    Bytes32 recipientRandHash,
    Bytes32 seed,
    long expirationBlock,
    TicketExpirationParams expirationParams) {

  public TicketParams {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(faceValue, "faceValue");
    Objects.requireNonNull(winProb, "winProb");
    Objects.requireNonNull(recipientRandHash, "recipientRandHash");
    Objects.requireNonNull(seed, "seed");
    Objects.requireNonNull(expirationParams, "expirationParams");
    if (winProb.signum() < 0 || winProb.compareTo(Amounts.MAX_UINT256) > 0) {
      throw new PaymentsException("winProb must be a uint256: " + winProb);
    }
  }

  /** faceValue x winProb / (2^256 - 1), in fractional wei. */
  public BigDecimal expectedValue() {
    return Amounts.expectedValue(faceValue.value(), winProb);
  }

  /** The ticket a sender with this nonce would sign under these params. */
  public Ticket ticket(EthAddress sender, long senderNonce) {
    return new Ticket(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash,
        expirationParams.creationRound(), expirationParams.creationRoundBlockHash());
  }
}
