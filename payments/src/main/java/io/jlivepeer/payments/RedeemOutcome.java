package io.jlivepeer.payments;

import java.util.Objects;

/** What came of one redeemWinningTicket transaction. */
public sealed interface RedeemOutcome {
  /** Mined and succeeded. */
  record Redeemed(String txHash) implements RedeemOutcome {
    public Redeemed {
      Objects.requireNonNull(txHash, "txHash");
    }
  }

  /** The contract refused it; reason is the revert string ("ticket is used", ...). */
  record Reverted(String reason) implements RedeemOutcome {
    public Reverted {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The transaction could not be sent or its fate is unknown (chain unreachable): try again later. */
  record Unavailable(String message) implements RedeemOutcome {
    public Unavailable {
      Objects.requireNonNull(message, "message");
    }
  }
}
