package io.jlivepeer.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jlivepeer.wire.proto.Payment;
import io.jlivepeer.wire.proto.SegData;
import java.util.Base64;

/**
 * Header names, fixed values and the base64 header codecs of wire.md "HTTP between B and O" and "O <-> remote T".
 * Decoders answer with the status wire.md gives: 403 for a bad {@code Livepeer-Segment}, 402 for a bad
 * {@code Livepeer-Payment}.
 */
public final class WireHeaders {
  /** Standard base64 of a serialized SegData. */
  public static final String SEGMENT = "Livepeer-Segment";
  /** Standard base64 of a serialized Payment; empty when running without a chain. */
  public static final String PAYMENT = "Livepeer-Payment";
  /** T -> O result post: {@code Authorization} value. */
  public static final String TRANSCODER_AUTHORIZATION = "Livepeer-Transcoder-1.0";
  /** T -> O result post: the transcoder secret. */
  public static final String CREDENTIALS = "Credentials";
  /** T -> O result post: the task id of the NotifySegment being answered. */
  public static final String TASK_ID = "TaskId";
  /** Decoded pixels (request header of /transcodeResults) or encoded pixels (multipart part header). */
  public static final String PIXELS = "Pixels";
  /** Body is the segment bytes. */
  public static final String CONTENT_TYPE_SEGMENT = "video/MP2T";
  /** Body is a URL O downloads the segment from. */
  public static final String CONTENT_TYPE_SEGMENT_URI = "application/vnd+livepeer.uri";
  /** Content type of a T's failure report; the body is the message. */
  public static final String CONTENT_TYPE_TRANSCODING_ERROR = "livepeer/transcoding-error";
  /** 403 body when O is at its session limit. */
  public static final String ORCHESTRATOR_CAPPED = "OrchestratorCapped";
  /** TranscodeResult.error when O cannot take the segment now. */
  public static final String ORCHESTRATOR_BUSY = "OrchestratorBusy";
  /** 400 body when the sender's balance does not cover the segment. */
  public static final String INSUFFICIENT_BALANCE = "Insufficient balance";
  /**
   * Longest header value the decoders accept (base64 characters), checked before decoding: 256 KiB, far above a
   * SegData with a full ladder and a Payment with many tickets, far below what would hurt memory.
   */
  public static final int MAX_HEADER_CHARS = 256 * 1024;

  private WireHeaders() {}

  public static String encodeSegment(SegData segData) {
    return Base64.getEncoder().encodeToString(segData.toByteArray());
  }

  /**
   * Decodes a {@code Livepeer-Segment} value (pass {@code ""} when the header is absent); a missing or bad one
   * throws {@link WireException} with status 403.
   */
  public static SegData decodeSegment(String header) {
    byte[] raw = decodeBase64(header, SEGMENT, 403);
    if (raw.length == 0) {
      throw new WireException(403, "missing " + SEGMENT + " header: the segment carries no credentials");
    }
    try {
      return SegData.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      throw new WireException(403, SEGMENT + " header is not a serialized SegData: " + e.getMessage(), e);
    }
  }

  public static String encodePayment(Payment payment) {
    return Base64.getEncoder().encodeToString(payment.toByteArray());
  }

  /**
   * Decodes a {@code Livepeer-Payment} value; an empty or absent one ({@code ""}: no chain) is the empty Payment.
   * A bad one throws
   * {@link WireException} with status 402.
   */
  public static Payment decodePayment(String header) {
    byte[] raw = decodeBase64(header, PAYMENT, 402);
    try {
      return Payment.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      throw new WireException(402, PAYMENT + " header is not a serialized Payment: " + e.getMessage(), e);
    }
  }

  private static byte[] decodeBase64(String header, String name, int status) {
    String value = header.strip();
    if (value.length() > MAX_HEADER_CHARS) {
      throw new WireException(status, name + " header is " + value.length() + " characters, over the limit of "
          + MAX_HEADER_CHARS);
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new WireException(status, name + " header is not standard base64: " + e.getMessage(), e);
    }
  }
}
