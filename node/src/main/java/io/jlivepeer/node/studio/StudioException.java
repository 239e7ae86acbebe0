package io.jlivepeer.node.studio;

import io.jlivepeer.node.NodeException;

/** The stream API's store or webhooks failed; the message is meant for the operator. */
public final class StudioException extends NodeException {
  public StudioException(String message) {
    super(message);
  }

  public StudioException(String message, Throwable cause) {
    super(message, cause);
  }
}
