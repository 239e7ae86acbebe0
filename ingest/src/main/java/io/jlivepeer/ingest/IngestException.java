package io.jlivepeer.ingest;

/**
 * Root of every error the ingest module raises: a listener that cannot bind, a publisher that breaks the RTMP
 * protocol, a publish that is refused. Messages speak to an operator: what happened and, where it helps, what to
 * change.
 */
public class IngestException extends RuntimeException {
  public IngestException(String message) {
    super(message);
  }

  public IngestException(String message, Throwable cause) {
    super(message, cause);
  }
}
