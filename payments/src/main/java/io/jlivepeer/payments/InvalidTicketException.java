package io.jlivepeer.payments;

import java.util.Objects;

/**
 * A payment the orchestrator refused. No ticket of the payment was credited. {@link #recoverable()} tells the
 * broadcaster side whether refreshing its ticket params (a new OrchestratorInfo) can fix it.
 */
public final class InvalidTicketException extends PaymentsException {
  private static final long serialVersionUID = 1L;

  /** Why a payment was refused. */
  public enum Reason {
    NO_TICKETS(false),
    WRONG_RECIPIENT(false),
    /** expirationBlock has passed: the broadcaster must fetch fresh params. */
    PARAMS_EXPIRED(true),
    /** recipientRandHash is not the one derived from the seed: params not issued by this orchestrator (or it restarted). */
    UNKNOWN_SEED(true),
    FACE_VALUE_ABOVE_MAX_FLOAT(true),
    NO_DEPOSIT(false),
    INVALID_SIGNATURE(false),
    NONCE_REUSED(false),
    TOO_MANY_NONCES(true);

    private final boolean recoverable;

    Reason(boolean recoverable) {
      this.recoverable = recoverable;
    }
  }

  private final Reason reason;

  public InvalidTicketException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }

  public boolean recoverable() {
    return reason.recoverable;
  }
}
