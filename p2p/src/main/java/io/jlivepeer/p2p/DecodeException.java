package io.jlivepeer.p2p;

/**
 * A datagram that does not follow the protocol profile (docs/p2p.md): the engine drops it with a debug log and
 * counts it; it never reaches a channel's state.
 */
public final class DecodeException extends P2pException {
  private static final long serialVersionUID = 1L;

  /** Why a datagram was refused; one counter per reason in the metrics. */
  public enum Reason {
    /** Fewer bytes than a field needs (the datagram ends inside a message). */
    TRUNCATED,
    /** A message type this profile does not know (RFC 7574 section 8.2 table, or unassigned). */
    UNKNOWN_MESSAGE_TYPE,
    /** A chunk range whose end lies before its start. */
    BAD_CHUNK_RANGE,
    /** A handshake option that is unknown, repeated, out of order or has a value this profile refuses. */
    BAD_OPTION,
    /** More messages than {@link DatagramCodec#MAX_MESSAGES} in one datagram. */
    TOO_MANY_MESSAGES,
    /** Longer than {@link DatagramCodec#MAX_DATAGRAM_BYTES}. */
    TOO_LONG
  }

  private final Reason reason;

  public DecodeException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
