package io.jlivepeer.wire;

/**
 * Root of every error the wire module raises: a header, message, signature, token or multipart body that does
 * not follow shared/spec/wire.md. {@link #httpStatus()} is the status an orchestrator answers with when the error
 * comes from a peer's request (wire.md "HTTP between B and O": 402 unparsable payment, 403 bad segment
 * credentials, 400 otherwise); the message is safe to send to that peer (it never carries internals).
 */
public class WireException extends RuntimeException {
  private final int httpStatus;

  public WireException(int httpStatus, String message) {
    super(message);
    this.httpStatus = httpStatus;
  }

  public WireException(int httpStatus, String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
  }

  /** The HTTP status to answer a peer with when this error comes from its request. */
  public int httpStatus() {
    return httpStatus;
  }
}
