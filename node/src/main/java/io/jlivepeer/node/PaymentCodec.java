package io.jlivepeer.node;

import com.google.protobuf.ByteString;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.payments.Price;
import io.jlivepeer.payments.Signature;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketExpirationParams;
import io.jlivepeer.payments.TicketParams;
import io.jlivepeer.payments.TicketSenderParams;
import io.jlivepeer.payments.Wei;
import io.jlivepeer.payments.WinningTicket;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.proto.Payment;
import io.jlivepeer.wire.proto.PriceInfo;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions between the wire's protobuf payment messages (wire.md: integers as unsigned big-endian bytes) and
 * payments' records. A malformed field is the sender's fault: {@link WireException} 400.
 */
public final class PaymentCodec {
  private PaymentCodec() {}

  /** What a segment is charged for: the encoded pixels of all its renditions. */
  public static long encodedPixels(List<io.jlivepeer.wire.proto.TranscodedSegmentData> renditions) {
    long pixels = 0;
    for (io.jlivepeer.wire.proto.TranscodedSegmentData d : renditions) {
      pixels += d.getPixels();
    }
    return pixels;
  }

  public static io.jlivepeer.wire.proto.TicketParams toProto(TicketParams p) {
    return io.jlivepeer.wire.proto.TicketParams.newBuilder()
        .setRecipient(ByteString.copyFrom(p.recipient().toBytes()))
        .setFaceValue(unsigned(p.faceValue().value()))
        .setWinProb(unsigned(p.winProb()))
        .setRecipientRandHash(ByteString.copyFrom(p.recipientRandHash().toBytes()))
        .setSeed(ByteString.copyFrom(p.seed().toBytes()))
        .setExpirationBlock(unsigned(BigInteger.valueOf(p.expirationBlock())))
        .setExpirationParams(toProto(p.expirationParams()))
        .build();
  }

  public static io.jlivepeer.wire.proto.TicketExpirationParams toProto(TicketExpirationParams e) {
    return io.jlivepeer.wire.proto.TicketExpirationParams.newBuilder()
        .setCreationRound(e.creationRound())
        .setCreationRoundBlockHash(ByteString.copyFrom(e.creationRoundBlockHash().toBytes()))
        .build();
  }

  public static PriceInfo toProto(Price price) {
    return PriceInfo.newBuilder().setPricePerUnit(price.pricePerUnit().longValueExact())
        .setPixelsPerUnit(price.pixelsPerUnit().longValueExact()).build();
  }

  public static Payment toProto(io.jlivepeer.payments.Payment p) {
    Payment.Builder b = Payment.newBuilder()
        .setTicketParams(toProto(p.params()))
        .setSender(ByteString.copyFrom(p.sender().toBytes()))
        .setExpirationParams(toProto(p.params().expirationParams()))
        .setExpectedPrice(toProto(p.expectedPrice()));
    for (TicketSenderParams t : p.tickets()) {
      b.addTicketSenderParams(io.jlivepeer.wire.proto.TicketSenderParams.newBuilder()
          .setSenderNonce((int) t.senderNonce())
          .setSig(ByteString.copyFrom(t.signature().toBytes())));
    }
    return b.build();
  }

  /** Whether O advertised ticket params at all (an O without a chain sends the empty message). */
  public static boolean hasParams(io.jlivepeer.wire.proto.TicketParams p) {
    return !p.getRecipient().isEmpty();
  }

  public static TicketParams fromProto(io.jlivepeer.wire.proto.TicketParams p) {
    try {
      TicketExpirationParams exp = p.hasExpirationParams() ? fromProto(p.getExpirationParams())
          : TicketExpirationParams.NONE;
      return new TicketParams(address(p.getRecipient(), "ticket recipient"), Wei.of(uint(p.getFaceValue())),
          uint(p.getWinProb()), bytes32(p.getRecipientRandHash(), "recipientRandHash"), bytes32(p.getSeed(), "seed"),
          uint(p.getExpirationBlock()).longValueExact(), exp);
    } catch (PaymentsException | ArithmeticException e) {
      throw new WireException(400, "bad ticket params: " + e.getMessage(), e);
    }
  }

  public static TicketExpirationParams fromProto(io.jlivepeer.wire.proto.TicketExpirationParams e) {
    Bytes32 hash = e.getCreationRoundBlockHash().isEmpty() ? Bytes32.ZERO
        : bytes32(e.getCreationRoundBlockHash(), "creationRoundBlockHash");
    return new TicketExpirationParams(e.getCreationRound(), hash);
  }

  public static Price fromProto(PriceInfo p) {
    try {
      return Price.of(p.getPricePerUnit(), p.getPixelsPerUnit());
    } catch (PaymentsException e) {
      throw new WireException(400, "bad price: " + e.getMessage(), e);
    }
  }

  /** A Livepeer-Payment as payments' record; the expiration params of the payment win over the params' own. */
  public static io.jlivepeer.payments.Payment fromProto(Payment p) {
    try {
      TicketParams params = fromProto(p.getTicketParams());
      if (p.hasExpirationParams()) {
        TicketExpirationParams exp = fromProto(p.getExpirationParams());
        params = new TicketParams(params.recipient(), params.faceValue(), params.winProb(),
            params.recipientRandHash(), params.seed(), params.expirationBlock(), exp);
      }
      List<TicketSenderParams> tickets = new ArrayList<>(p.getTicketSenderParamsCount());
      for (io.jlivepeer.wire.proto.TicketSenderParams t : p.getTicketSenderParamsList()) {
        tickets.add(new TicketSenderParams(Integer.toUnsignedLong(t.getSenderNonce()),
            Signature.of(t.getSig().toByteArray())));
      }
      return new io.jlivepeer.payments.Payment(params, address(p.getSender(), "payment sender"),
          fromProto(p.getExpectedPrice()), tickets);
    } catch (PaymentsException e) {
      throw new WireException(400, "bad payment: " + e.getMessage(), e);
    }
  }

  /**
   * A winning ticket as redeemer.proto's {@code net.Ticket}. Our queue does not keep the params' seed (redemption
   * never needs it), so {@code ticket_params.seed} is left empty.
   */
  public static io.jlivepeer.wire.proto.Ticket toProto(WinningTicket w) {
    Ticket t = w.ticket();
    io.jlivepeer.wire.proto.TicketExpirationParams exp = toProto(t.expirationParams());
    return io.jlivepeer.wire.proto.Ticket.newBuilder()
        .setTicketParams(io.jlivepeer.wire.proto.TicketParams.newBuilder()
            .setRecipient(ByteString.copyFrom(t.recipient().toBytes()))
            .setFaceValue(unsigned(t.faceValue().value()))
            .setWinProb(unsigned(t.winProb()))
            .setRecipientRandHash(ByteString.copyFrom(t.recipientRandHash().toBytes()))
            .setExpirationBlock(unsigned(BigInteger.valueOf(w.expirationBlock())))
            .setExpirationParams(exp))
        .setSender(ByteString.copyFrom(t.sender().toBytes()))
        .setExpirationParams(exp)
        .setSenderParams(io.jlivepeer.wire.proto.TicketSenderParams.newBuilder()
            .setSenderNonce((int) t.senderNonce())
            .setSig(ByteString.copyFrom(w.signature().toBytes())))
        .setRecipientRand(unsigned(w.recipientRand()))
        .build();
  }

  /**
   * A {@code net.Ticket} as payments' record, checking only its shape (what the redeemer then verifies is in
   * {@code TicketRedeemerService}). The top-level expiration params win over the params' own, as in a Payment.
   */
  public static WinningTicket fromProto(io.jlivepeer.wire.proto.Ticket t) {
    if (!t.hasTicketParams()) {
      throw new WireException(400, "ticket has no ticket_params");
    }
    if (!t.hasSenderParams()) {
      throw new WireException(400, "ticket has no sender_params (nonce and signature)");
    }
    io.jlivepeer.wire.proto.TicketParams p = t.getTicketParams();
    try {
      TicketExpirationParams exp = t.hasExpirationParams() ? fromProto(t.getExpirationParams())
          : p.hasExpirationParams() ? fromProto(p.getExpirationParams()) : TicketExpirationParams.NONE;
      if (t.getSenderParams().getSig().size() != 65) {
        throw new WireException(400, "ticket signature must be 65 bytes (r || s || v), got "
            + t.getSenderParams().getSig().size());
      }
      Ticket ticket = new Ticket(address(p.getRecipient(), "ticket recipient"), address(t.getSender(), "ticket sender"),
          Wei.of(uint(p.getFaceValue())), uint(p.getWinProb()), Integer.toUnsignedLong(t.getSenderParams()
          .getSenderNonce()), bytes32(p.getRecipientRandHash(), "recipient_rand_hash"), exp.creationRound(),
          exp.creationRoundBlockHash());
      return new WinningTicket(ticket, Signature.of(t.getSenderParams().getSig().toByteArray()),
          uint(t.getRecipientRand()), uint(p.getExpirationBlock()).longValueExact());
    } catch (PaymentsException | ArithmeticException e) {
      throw new WireException(400, "bad ticket: " + e.getMessage(), e);
    }
  }

  /** A wei amount as unsigned big-endian bytes (zero: no bytes), e.g. redeemer.proto's max_float. */
  public static ByteString toBytes(Wei w) {
    return unsigned(w.value());
  }

  public static Wei weiOf(ByteString b) {
    return Wei.of(uint(b));
  }

  private static EthAddress address(ByteString b, String what) {
    if (b.size() != 20) {
      throw new WireException(400, what + " must be 20 bytes, got " + b.size());
    }
    return EthAddress.of(b.toByteArray());
  }

  private static Bytes32 bytes32(ByteString b, String what) {
    if (b.size() != 32) {
      throw new WireException(400, what + " must be 32 bytes, got " + b.size());
    }
    return Bytes32.of(b.toByteArray());
  }

  private static BigInteger uint(ByteString b) {
    if (b.size() > 32) {
      throw new WireException(400, "an integer of " + b.size() + " bytes is over uint256");
    }
    return new BigInteger(1, b.toByteArray());
  }

  private static ByteString unsigned(BigInteger v) {
    if (v.signum() == 0) {
      return ByteString.EMPTY;
    }
    byte[] b = v.toByteArray();
    return b[0] == 0 ? ByteString.copyFrom(b, 1, b.length - 1) : ByteString.copyFrom(b);
  }
}
