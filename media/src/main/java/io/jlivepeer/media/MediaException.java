package io.jlivepeer.media;

/** Root of every error the media module raises: bad input media, a failed encode, a missing codec. */
public class MediaException extends RuntimeException {
  public MediaException(String message) {
    super(message);
  }

  public MediaException(String message, Throwable cause) {
    super(message, cause);
  }
}
