package io.jlivepeer.cli;

/** A problem with what the operator asked for (a flag, a request parameter); printed without a stack trace. */
final class ChainUsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ChainUsageException(String message) {
    super(message);
  }
}
