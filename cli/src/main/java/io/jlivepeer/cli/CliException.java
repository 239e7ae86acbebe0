package io.jlivepeer.cli;

/** An error the operator can fix (bad flag, unreadable file); printed without a stack trace. */
public class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
