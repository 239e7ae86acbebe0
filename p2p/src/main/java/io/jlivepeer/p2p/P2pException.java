package io.jlivepeer.p2p;

/** The p2p module's one unchecked exception root; translated at the boundary (tracker HTTP, CLI). */
public class P2pException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public P2pException(String message) {
    super(message);
  }

  public P2pException(String message, Throwable cause) {
    super(message, cause);
  }
}
