package io.jlivepeer.node.store;

import io.jlivepeer.node.NodeException;

/**
 * An object store could not be configured or did not do what was asked. Messages name the store without its
 * credentials and say what the operator can do.
 */
public final class ObjectStoreException extends NodeException {
  public ObjectStoreException(String message) {
    super(message);
  }

  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
