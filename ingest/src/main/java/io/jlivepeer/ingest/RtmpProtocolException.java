package io.jlivepeer.ingest;

/**
 * A peer broke the RTMP wire protocol or one of our limits; the connection is closed with this message as the
 * logged reason.
 */
final class RtmpProtocolException extends IngestException {
  RtmpProtocolException(String message) {
    super(message);
  }
}
