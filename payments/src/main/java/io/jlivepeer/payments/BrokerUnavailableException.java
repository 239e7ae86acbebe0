package io.jlivepeer.payments;

/** The chain could not be asked (node down, timeout). Transient: callers keep their state and try again later. */
public final class BrokerUnavailableException extends PaymentsException {
  private static final long serialVersionUID = 1L;

  public BrokerUnavailableException(String message) {
    super(message);
  }

  public BrokerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
