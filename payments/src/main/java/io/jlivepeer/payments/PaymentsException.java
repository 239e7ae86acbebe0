package io.jlivepeer.payments;

/** Root of every error this module throws. Messages are written for an operator. */
public class PaymentsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PaymentsException(String message) {
    super(message);
  }

  public PaymentsException(String message, Throwable cause) {
    super(message, cause);
  }
}
