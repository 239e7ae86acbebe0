package io.jlivepeer.node;

/**
 * Texts an orchestrator answers that the other roles act on, so that the side that writes one and the side that
 * reads it share a constant rather than a copy: B re-fetches ticket params when a refusal of its payment starts
 * with one of the payment texts, and T stops for good on {@link #INVALID_SECRET}.
 */
public final class Refusals {
  /** A 400 to {@code /segment} or {@code /payment}: followed by the reason in parentheses, e.g. (PARAMS_EXPIRED). */
  public static final String INVALID_TICKET = "Invalid ticket";
  /** A 400 to {@code /segment}: the session's balance does not cover one ticket's EV. */
  public static final String INSUFFICIENT_BALANCE = "Insufficient balance";
  /** The PERMISSION_DENIED description O gives a transcoder that registered with a wrong {@code -orchSecret}. */
  public static final String INVALID_SECRET = "invalid secret";

  private Refusals() {}
}
