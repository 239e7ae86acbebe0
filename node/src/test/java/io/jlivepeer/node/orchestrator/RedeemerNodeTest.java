package io.jlivepeer.node.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.jlivepeer.node.PaymentCodec;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Price;
import io.jlivepeer.payments.RedeemOutcome;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketParamsIssuer;
import io.jlivepeer.payments.Wei;
import io.jlivepeer.payments.WinningTicket;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.proto.MaxFloatReq;
import io.jlivepeer.wire.proto.MaxFloatUpdate;
import io.jlivepeer.wire.proto.TicketRedeemerGrpc;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ticket redemption service over real TLS gRPC on loopback, on a fake chain: what it stores, what it refuses
 * (each with its own status, nothing stored), how it redeems and streams max float, and an orchestrator handing its
 * winners over through {@link RedeemerClient} while the redeemer comes and goes.
 */
class RedeemerNodeTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Wei FACE = Wei.of(1_000_000);
  private static final BigInteger ALWAYS_WINS = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final OrchestratorPaymentsTest.FakeChain chain = new OrchestratorPaymentsTest.FakeChain();
  private final EthKey orchestrator = EthKey.random(RANDOM);
  private final EthKey broadcaster = EthKey.random(RANDOM);
  private long nonce;

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  private RedeemerNode startRedeemer(int port) {
    RedeemerNode r = RedeemerNode.start(RedeemerNode.Config.of("127.0.0.1", port, dir.resolve("redeemer"),
        orchestrator.address()).withRedeemInterval(Duration.ofHours(1)), chain, chain, Clock.systemUTC());
    toClose.add(r);
    return r;
  }

  private TicketRedeemerGrpc.TicketRedeemerBlockingStub stub(RedeemerNode r) {
    ManagedChannel channel = WireClients.grpcChannel("127.0.0.1", r.address().getPort());
    toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return TicketRedeemerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** A ticket that wins whatever the signature (winProb = 2^256 - 1), signed by B, for {@code recipient}. */
  private WinningTicket winner(EthAddress recipient) {
    BigInteger rand = new BigInteger(256, RANDOM);
    byte[] blockHash = new byte[32];
    blockHash[31] = 7;
    Ticket t = new Ticket(recipient, broadcaster.address(), FACE, ALWAYS_WINS, ++nonce,
        TicketParamsIssuer.recipientRandHash(rand), 5, Bytes32.of(blockHash));
    return new WinningTicket(t, broadcaster.signPersonal(t.hash()), rand, 1_040);
  }

  private static io.jlivepeer.wire.proto.Ticket wire(WinningTicket w) {
    return PaymentCodec.toProto(w);
  }

  @Test
  void storesAWinningTicketBeforeAnsweringAndRefusesItsDuplicate() {
    RedeemerNode r = startRedeemer(0);
    WinningTicket w = winner(orchestrator.address());
    stub(r).queueTicket(wire(w));
    assertThat(r.queue().entries(RedemptionQueue.State.QUEUED)).singleElement()
        .satisfies(e -> assertThat(e.ticket()).isEqualTo(w));

    assertThatThrownBy(() -> stub(r).queueTicket(wire(w))).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
      assertThat(e.getStatus().getDescription()).contains("already queued").contains(w.ticket().hash().toString());
    });
    assertThat(r.queue().entries()).as("stored once").hasSize(1);
  }

  @Test
  void refusesGarbageForeignForgedAndLosingTicketsEachWithItsOwnErrorAndStoresNothing() {
    RedeemerNode r = startRedeemer(0);
    WinningTicket good = winner(orchestrator.address());
    io.jlivepeer.wire.proto.Ticket ok = wire(good);

    refused(r, io.jlivepeer.wire.proto.Ticket.getDefaultInstance(), Status.Code.INVALID_ARGUMENT, "no ticket_params");
    refused(r, ok.toBuilder().clearSenderParams().build(), Status.Code.INVALID_ARGUMENT, "no sender_params");
    refused(r, edit(ok, t -> t.setSender(ByteString.copyFrom(new byte[7]))), Status.Code.INVALID_ARGUMENT,
        "ticket sender must be 20 bytes");
    refused(r, edit(ok, t -> t.setTicketParams(t.getTicketParams().toBuilder()
        .setFaceValue(ByteString.copyFrom(new byte[33])))), Status.Code.INVALID_ARGUMENT, "over uint256");
    refused(r, edit(ok, t -> t.setSenderParams(t.getSenderParams().toBuilder()
        .setSig(ByteString.copyFrom(new byte[12])))), Status.Code.INVALID_ARGUMENT, "signature must be 65 bytes");

    WinningTicket foreign = winner(EthKey.random(RANDOM).address());
    refused(r, wire(foreign), Status.Code.PERMISSION_DENIED, "is not served by this redeemer");

    refused(r, edit(ok, t -> t.setRecipientRand(ByteString.copyFrom(BigInteger.TEN.toByteArray()))),
        Status.Code.INVALID_ARGUMENT, "recipient_rand does not hash");

    byte[] forged = EthKey.random(RANDOM).signPersonal(good.ticket().hash()).toBytes();
    refused(r, edit(ok, t -> t.setSenderParams(t.getSenderParams().toBuilder().setSig(ByteString.copyFrom(forged)))),
        Status.Code.INVALID_ARGUMENT, "not by sender");

    // A real signature on a ticket that did not win: winProb 1 out of 2^256
    Ticket t0 = good.ticket();
    Ticket losing = new Ticket(t0.recipient(), t0.sender(), t0.faceValue(), BigInteger.ONE, t0.senderNonce(),
        t0.recipientRandHash(), t0.creationRound(), t0.creationRoundBlockHash());
    refused(r, wire(new WinningTicket(losing, broadcaster.signPersonal(losing.hash()), good.recipientRand(), 1_040)),
        Status.Code.INVALID_ARGUMENT, "did not win");

    Ticket free = new Ticket(t0.recipient(), t0.sender(), Wei.ZERO, t0.winProb(), t0.senderNonce(),
        t0.recipientRandHash(), t0.creationRound(), t0.creationRoundBlockHash());
    refused(r, wire(new WinningTicket(free, broadcaster.signPersonal(free.hash()), good.recipientRand(), 1_040)),
        Status.Code.INVALID_ARGUMENT, "face value is 0");

    assertThat(r.queue().entries()).as("nothing stored").isEmpty();
    assertThat(r.counts()).startsWith("queued 0, refused 10, duplicates 0");
    stub(r).queueTicket(ok); // and the service still takes good tickets
    assertThat(r.queue().entries()).hasSize(1);
  }

  private void refused(RedeemerNode r, io.jlivepeer.wire.proto.Ticket t, Status.Code code, String message) {
    assertThatThrownBy(() -> stub(r).queueTicket(t)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(message);
    });
  }

  private static io.jlivepeer.wire.proto.Ticket edit(io.jlivepeer.wire.proto.Ticket t,
      UnaryOperator<io.jlivepeer.wire.proto.Ticket.Builder> change) {
    return change.apply(t.toBuilder()).build();
  }

  @Test
  void redeemsDueTicketsOnceAndStreamsTheSendersMaxFloatAsItChanges() throws Exception {
    // deposit 2 x face value: with one ticket pending, deposit / pending < 3, so max float = reserve alloc - pending
    chain.senders.put(broadcaster.address(), new SenderInfo(FACE.times(2), 0, Wei.of(50_000_000), Wei.ZERO));
    RedeemerNode r = startRedeemer(0);
    TicketRedeemerGrpc.TicketRedeemerBlockingStub s = stub(r);
    MaxFloatReq req = MaxFloatReq.newBuilder().setSender(ByteString.copyFrom(broadcaster.address().toBytes())).build();
    assertThat(PaymentCodec.weiOf(s.maxFloat(req).getMaxFloat())).isEqualTo(Wei.of(50_000_000));

    ManagedChannel channel = WireClients.grpcChannel("127.0.0.1", r.address().getPort());
    toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    LinkedBlockingQueue<Wei> updates = new LinkedBlockingQueue<>();
    TicketRedeemerGrpc.newStub(channel).monitorMaxFloat(req, new StreamObserver<>() {
      @Override
      public void onNext(MaxFloatUpdate u) {
        updates.add(PaymentCodec.weiOf(u.getMaxFloat()));
      }

      @Override
      public void onError(Throwable t) {
        // the test ends the stream by closing the channel
      }

      @Override
      public void onCompleted() {
        // the redeemer closed
      }
    });
    assertThat(updates.poll(10, TimeUnit.SECONDS)).as("value now").isEqualTo(Wei.of(50_000_000));

    WinningTicket w = winner(orchestrator.address());
    s.queueTicket(wire(w));
    assertThat(updates.poll(10, TimeUnit.SECONDS)).as("after a ticket was queued").isEqualTo(Wei.of(49_000_000));

    assertThat(r.redeemDue().redeemed()).as("not due before its expiration block").isZero();
    chain.block = 1_040;
    assertThat(r.redeemDue().redeemed()).isEqualTo(1);
    assertThat(chain.redeemed).containsExactly(w.ticket());
    assertThat(updates.poll(10, TimeUnit.SECONDS)).as("after the redemption").isEqualTo(Wei.of(50_000_000));
    assertThat(r.redeemDue().redeemed()).as("redeemed once").isZero();
    assertThat(chain.redeemed).hasSize(1);
  }

  @Test
  void orchestratorKeepsWinnersWhileTheRedeemerIsAwayAndHandsThemOverOnceItIsBack() throws Exception {
    chain.senders.put(broadcaster.address(), new SenderInfo(Wei.of(100_000_000), 0, Wei.of(50_000_000), Wei.ZERO));
    int port = freePort();
    RedeemerClient link = RedeemerClient.connect("127.0.0.1:" + port);
    OrchestratorPayments o = OrchestratorPayments.start(
        OrchestratorPayments.Config.of(Price.of(1, 1), TicketParamsIssuer.Config.defaults())
            .withRedeemInterval(Duration.ofHours(1)), // the test runs the passes
        privateKeyOf(), chain, chain, dir.resolve("o"), Clock.systemUTC(), Optional.of(link));
    toClose.add(o);
    WinningTicket w1 = winner(o.recipient());
    WinningTicket w2 = winner(o.recipient());
    o.queue().add(w1);
    o.queue().add(w2);

    assertThat(o.redeemDue().brokerUnavailable()).as("no redeemer yet").isTrue();
    assertThat(o.queue().entries(RedemptionQueue.State.QUEUED)).hasSize(2);
    assertThat(chain.redeemed).as("O never redeems itself with a redeemer").isEmpty();

    RedeemerNode r = RedeemerNode.start(RedeemerNode.Config.of("127.0.0.1", port, dir.resolve("redeemer"),
        o.recipient()).withRedeemInterval(Duration.ofHours(1)), chain, chain, Clock.systemUTC());
    toClose.add(r);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // the channel reconnects with back-off
    while (o.redeemDue().redeemed() < 2 && !o.queue().entries(RedemptionQueue.State.QUEUED).isEmpty()) {
      assertThat(System.nanoTime()).as("hand-over after the redeemer came up").isLessThan(deadline);
      Thread.sleep(200);
    }
    assertThat(o.queue().entries(RedemptionQueue.State.FORWARDED)).hasSize(2);
    assertThat(r.queue().entries(RedemptionQueue.State.QUEUED)).extracting(RedemptionQueue.Entry::ticket)
        .containsExactly(w1, w2);
    assertThat(o.stats().forwarded()).isEqualTo(2);

    // a hand-over whose answer was lost (O crashed after the redeemer stored it) counts as done, not as a refusal
    assertThat(link.queueTicket(w1)).isInstanceOf(RedeemOutcome.Redeemed.class);
    assertThat(r.queue().entries()).hasSize(2);

    // max float comes from the redeemer, which knows what is pending for the sender
    assertThat(link.maxFloat(broadcaster.address())).contains(Wei.of(50_000_000));
  }

  /** A fresh orchestrator account (32 random bytes are a valid key but with odds of about 2^-128). */
  private static byte[] privateKeyOf() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
