package io.jlivepeer.node;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jlivepeer.media.AllocationMeter;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.proto.Payment;
import io.jlivepeer.wire.proto.PriceInfo;
import io.jlivepeer.wire.proto.Ticket;
import io.jlivepeer.wire.proto.TicketExpirationParams;
import io.jlivepeer.wire.proto.TicketParams;
import io.jlivepeer.wire.proto.TicketSenderParams;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link PaymentCodec#fromProto(Ticket)} and {@link PaymentCodec#fromProto(Payment)} on messages a peer controls:
 * either parsed from arbitrary bytes, or built field by field with lengths that are often the valid ones (20, 32,
 * 65) so the checks past the shape are reached too. Contract: a record, or {@link WireException} 400; bounded
 * allocation.
 */
// Jazzer fuzzes only the first @FuzzTest of a JVM: the 20 s one must come before its long twin.
@TestMethodOrder(MethodOrderer.MethodName.class)
class PaymentCodecFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void paymentCodec(FuzzedDataProvider data) {
    run(data);
  }

  @FuzzTest(maxDuration = "2h")
  @EnabledIfSystemProperty(named = "jlivepeer.fuzz.long", matches = "true")
  void paymentCodecLong(FuzzedDataProvider data) {
    run(data);
  }

  static void run(FuzzedDataProvider data) {
    boolean ticket = data.consumeBoolean();
    boolean structured = data.consumeBoolean();
    if (ticket) {
      Ticket t = structured ? ticket(data) : parse(data.consumeRemainingAsBytes(), Ticket::parseFrom);
      if (t != null) {
        AllocationMeter.bounded(t, m -> check(() -> PaymentCodec.fromProto(m)));
      }
    } else {
      Payment p = structured ? payment(data) : parse(data.consumeRemainingAsBytes(), Payment::parseFrom);
      if (p != null) {
        AllocationMeter.bounded(p, m -> check(() -> PaymentCodec.fromProto(m)));
      }
    }
  }

  private static void check(Runnable decode) {
    try {
      decode.run();
    } catch (WireException e) {
      if (e.httpStatus() != 400) {
        throw new AssertionError("status " + e.httpStatus() + " for a malformed payment message", e);
      }
    }
  }

  private interface Parser<M> {
    M parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private static <M> M parse(byte[] bytes, Parser<M> parser) {
    try {
      return parser.parse(bytes);
    } catch (InvalidProtocolBufferException e) {
      return null; // the protobuf runtime's own rejection, before our code
    }
  }

  /** Bytes of a usually valid length: a fixed length the codec checks, or anything up to 40 bytes. */
  private static ByteString bytes(FuzzedDataProvider data, int usual) {
    int length = data.consumeBoolean() ? usual : data.consumeInt(0, 40);
    return ByteString.copyFrom(data.consumeBytes(length));
  }

  private static TicketExpirationParams expiration(FuzzedDataProvider data) {
    return TicketExpirationParams.newBuilder().setCreationRound(data.consumeLong())
        .setCreationRoundBlockHash(bytes(data, 32)).build();
  }

  private static TicketParams params(FuzzedDataProvider data) {
    TicketParams.Builder b = TicketParams.newBuilder().setRecipient(bytes(data, 20)).setFaceValue(bytes(data, 32))
        .setWinProb(bytes(data, 32)).setRecipientRandHash(bytes(data, 32)).setSeed(bytes(data, 32))
        .setExpirationBlock(bytes(data, 8));
    if (data.consumeBoolean()) {
      b.setExpirationParams(expiration(data));
    }
    return b.build();
  }

  private static TicketSenderParams senderParams(FuzzedDataProvider data) {
    return TicketSenderParams.newBuilder().setSenderNonce(data.consumeInt()).setSig(bytes(data, 65)).build();
  }

  private static Ticket ticket(FuzzedDataProvider data) {
    Ticket.Builder b = Ticket.newBuilder();
    if (data.consumeBoolean()) {
      b.setTicketParams(params(data));
    }
    b.setSender(bytes(data, 20));
    if (data.consumeBoolean()) {
      b.setExpirationParams(expiration(data));
    }
    if (data.consumeBoolean()) {
      b.setSenderParams(senderParams(data));
    }
    return b.setRecipientRand(bytes(data, 32)).build();
  }

  private static Payment payment(FuzzedDataProvider data) {
    Payment.Builder b = Payment.newBuilder();
    if (data.consumeBoolean()) {
      b.setTicketParams(params(data));
    }
    b.setSender(bytes(data, 20));
    if (data.consumeBoolean()) {
      b.setExpirationParams(expiration(data));
    }
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      b.addTicketSenderParams(senderParams(data));
    }
    if (data.consumeBoolean()) {
      b.setExpectedPrice(PriceInfo.newBuilder().setPricePerUnit(data.consumeLong())
          .setPixelsPerUnit(data.consumeLong()).build());
    }
    return b.build();
  }
}
