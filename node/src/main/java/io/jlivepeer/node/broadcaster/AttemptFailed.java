package io.jlivepeer.node.broadcaster;

/** Why one attempt failed; {@code refresh} means O's session info must be fetched again. */
final class AttemptFailed extends Exception {
  private static final long serialVersionUID = 1L;
  final boolean refresh;

  AttemptFailed(String message) {
    this(message, false);
  }

  AttemptFailed(String message, boolean refresh) {
    super(message, null, false, false);
    this.refresh = refresh;
  }
}
