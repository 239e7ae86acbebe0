package io.jlivepeer.chain;

import java.util.Optional;

/**
 * The one unchecked exception of the chain module. Its message is written for an operator: what failed
 * and, where it helps, what to do ("bond failed: delegation amount must be greater than 0").
 */
public class ChainException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String revertReason;

  public ChainException(String message) {
    this(message, null, null);
  }

  public ChainException(String message, Throwable cause) {
    this(message, null, cause);
  }

  ChainException(String message, String revertReason, Throwable cause) {
    super(message, cause);
    this.revertReason = revertReason;
  }

  /** Builds the error for a transaction or call the contract rejected. */
  static ChainException reverted(String action, String reason) {
    return new ChainException(action + " failed: " + reason, reason, null);
  }

  /** The decoded revert string when a contract rejected the call ("ticket is expired"). */
  public Optional<String> revertReason() {
    return Optional.ofNullable(revertReason);
  }
}
