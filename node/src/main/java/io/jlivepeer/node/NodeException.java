package io.jlivepeer.node;

/** Root of the errors the node roles raise; messages are safe to show to peers and operators. */
public class NodeException extends RuntimeException {
  public NodeException(String message) {
    super(message);
  }

  public NodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
