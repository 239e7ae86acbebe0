package io.jlivepeer.playback;

/**
 * Root of every error the playback module raises: a port that cannot be bound, a segment store that cannot
 * write, a stream or rendition that was never declared.
 */
public class PlaybackException extends RuntimeException {
  public PlaybackException(String message) {
    super(message);
  }

  public PlaybackException(String message, Throwable cause) {
    super(message, cause);
  }
}
