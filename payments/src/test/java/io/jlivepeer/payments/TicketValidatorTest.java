package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketValidatorTest {
  @TempDir
  Path dir;
  Fixture f;

  @BeforeEach
  void setUp() {
    f = new Fixture(dir);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private BigDecimal balance() {
    return f.balances.balance(f.broadcasterKey.address(), "s1");
  }

  private void assertRejected(Payment payment, InvalidTicketException.Reason reason) {
    BigDecimal before = balance();
    int queued = f.queue.entries().size();
    assertThatThrownBy(() -> f.validator.receive(payment, "s1"))
        .isInstanceOfSatisfying(InvalidTicketException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    assertThat(balance()).isEqualByComparingTo(before);
    assertThat(f.queue.entries()).hasSize(queued);
  }

  @Test
  void creditsTheEvOfEveryValidTicket() {
    TicketParams p = f.params();
    String session = f.sender.startSession(p);
    Payment payment = f.sender.createPayment(session, 3, f.price);
    TicketValidator.Receipt r = f.validator.receive(payment, "s1");
    assertThat(r.tickets()).isEqualTo(3);
    assertThat(balance()).isEqualByComparingTo(p.expectedValue().multiply(BigDecimal.valueOf(3)));
    assertThat(p.expectedValue().doubleValue()).isBetween(1e12, 1.0001e12);
  }

  @Test
  void queuesWinningTicketsBeforeReturning() {
    try (Fixture w = new Fixture(dir.resolve("w"), Fixture.alwaysWin(), 600)) {
      String session = w.sender.startSession(w.params());
      TicketValidator.Receipt r = w.validator.receive(w.sender.createPayment(session, 2, w.price), "s1");
      assertThat(r.winners()).isEqualTo(2);
      assertThat(w.queue.entries(RedemptionQueue.State.QUEUED)).hasSize(2);
      assertThat(w.queue.pendingFaceValue(w.broadcasterKey.address())).isEqualTo(Wei.of(2_000_000_000_000L));
    }
  }

  @Test
  void rejectsBadSignature() {
    String session = f.sender.startSession(f.params());
    Payment good = f.sender.createPayment(session, 1, f.price);
    byte[] sig = good.tickets().get(0).signature().toBytes();
    sig[5] ^= 1;
    Payment bad = new Payment(good.params(), good.sender(), good.expectedPrice(),
        List.of(new TicketSenderParams(1, Signature.of(sig))));
    assertRejected(bad, InvalidTicketException.Reason.INVALID_SIGNATURE);
  }

  @Test
  void rejectsTicketSignedByAnotherKey() {
    TicketParams p = f.params();
    EthKey mallory = EthKey.fromHex("33".repeat(32));
    Signature sig = mallory.signPersonal(p.ticket(f.broadcasterKey.address(), 1).hash());
    assertRejected(new Payment(p, f.broadcasterKey.address(), f.price, List.of(new TicketSenderParams(1, sig))),
        InvalidTicketException.Reason.INVALID_SIGNATURE);
  }

  @Test
  void rejectsTicketWithReusedNonce() {
    String session = f.sender.startSession(f.params());
    Payment payment = f.sender.createPayment(session, 1, f.price);
    f.validator.receive(payment, "s1");
    assertRejected(payment, InvalidTicketException.Reason.NONCE_REUSED);
  }

  @Test
  void rejectsTheSameNonceTwiceInOnePayment() {
    String session = f.sender.startSession(f.params());
    Payment one = f.sender.createPayment(session, 1, f.price);
    Payment twice = new Payment(one.params(), one.sender(), one.expectedPrice(),
        List.of(one.tickets().get(0), one.tickets().get(0)));
    assertRejected(twice, InvalidTicketException.Reason.NONCE_REUSED);
  }

  @Test
  void rejectsMoreNoncesThanTheLimit() {
    try (Fixture small = new Fixture(dir.resolve("small"), TicketParamsIssuer.Config.defaults(), 5)) {
      String session = small.sender.startSession(small.params());
      small.validator.receive(small.sender.createPayment(session, 4, small.price), "s1");
      BigDecimal before = small.balances.balance(small.broadcasterKey.address(), "s1");
      Payment over = small.sender.createPayment(session, 2, small.price);
      assertThatThrownBy(() -> small.validator.receive(over, "s1"))
          .isInstanceOfSatisfying(InvalidTicketException.class,
              e -> assertThat(e.reason()).isEqualTo(InvalidTicketException.Reason.TOO_MANY_NONCES));
      assertThat(small.balances.balance(small.broadcasterKey.address(), "s1")).isEqualByComparingTo(before);
      // the limit is per recipientRand: the rejected nonces were not consumed, one more still fits
      small.validator.receive(new Payment(over.params(), over.sender(), over.expectedPrice(), over.tickets().subList(0, 1)), "s1");
    }
  }

  @Test
  void defaultNonceLimitIs600() {
    String session = f.sender.startSession(f.params());
    List<TicketSenderParams> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) { // 20 tickets per payment: -maxTotalEV allows 20 of EV 1e12
      Payment p20 = f.sender.createPayment(session, 20, f.price);
      all.addAll(p20.tickets());
      f.validator.receive(p20, "s1");
    }
    assertThat(all).hasSize(600);
    assertRejected(f.sender.createPayment(session, 1, f.price), InvalidTicketException.Reason.TOO_MANY_NONCES);
  }

  @Test
  void rejectsExpiredParamsAsRecoverable() {
    String session = f.sender.startSession(f.params());
    Payment payment = f.sender.createPayment(session, 1, f.price);
    f.rounds.latestBlock = payment.params().expirationBlock();
    assertRejected(payment, InvalidTicketException.Reason.PARAMS_EXPIRED);
    assertThatThrownBy(() -> f.validator.receive(payment, "s1"))
        .isInstanceOfSatisfying(InvalidTicketException.class, e -> assertThat(e.recoverable()).isTrue())
        .hasMessageContaining("expired at block");
  }

  @Test
  void rejectsWrongRecipient() {
    TicketParams p = f.params();
    EthAddress other = EthAddress.of("0x" + "44".repeat(20));
    TicketParams forOther = new TicketParams(other, p.faceValue(), p.winProb(), p.recipientRandHash(), p.seed(),
        p.expirationBlock(), p.expirationParams());
    String session = f.sender.startSession(forOther);
    assertRejected(f.sender.createPayment(session, 1, f.price), InvalidTicketException.Reason.WRONG_RECIPIENT);
  }

  @Test
  void rejectsUnknownSeed() {
    TicketParams p = f.params();
    TicketParams forged = new TicketParams(p.recipient(), p.faceValue(), p.winProb(), p.recipientRandHash(),
        Bytes32.fromHex("55".repeat(32)), p.expirationBlock(), p.expirationParams());
    String session = f.sender.startSession(forged);
    assertRejected(f.sender.createPayment(session, 1, f.price), InvalidTicketException.Reason.UNKNOWN_SEED);
  }

  @Test
  void rejectsPaymentWhoseExpectedPriceDiffersFromTheIssuedOne() {
    String session = f.sender.startSession(f.params());
    assertRejected(f.sender.createPayment(session, 1, Price.of(1, 1)), InvalidTicketException.Reason.UNKNOWN_SEED);
  }

  @Test
  void rejectsFaceValueAboveMaxFloat() {
    String session = f.sender.startSession(f.params());
    Payment payment = f.sender.createPayment(session, 1, f.price);
    // the reserve shrinks after the params were issued (another orchestrator claimed most of it)
    f.broker.fund(f.broadcasterKey.address(), Fixture.DEPOSIT, 1_000);
    f.clock.advance(java.time.Duration.ofMinutes(1)); // past the sender-info cache
    assertRejected(payment, InvalidTicketException.Reason.FACE_VALUE_ABOVE_MAX_FLOAT);
  }

  @Test
  void rejectsSenderWithoutDeposit() {
    TicketParams p = f.params();
    String session = f.sender.startSession(p);
    Payment payment = f.sender.createPayment(session, 1, f.price);
    f.broker.senders.put(f.broadcasterKey.address(), SenderInfo.NONE);
    f.clock.advance(java.time.Duration.ofMinutes(1));
    assertRejected(payment, InvalidTicketException.Reason.NO_DEPOSIT);
  }

  @Test
  void rejectsEmptyPayment() {
    TicketParams p = f.params();
    assertRejected(new Payment(p, f.broadcasterKey.address(), f.price, List.of()), InvalidTicketException.Reason.NO_TICKETS);
  }

  @Test
  void keepsAcceptingPaymentsWhileTheChainIsUnreachable() {
    String session = f.sender.startSession(f.params());
    f.validator.receive(f.sender.createPayment(session, 1, f.price), "s1");
    f.broker.reachable = false;
    f.clock.advance(java.time.Duration.ofMinutes(5)); // cached sender info is stale, but still used
    TicketValidator.Receipt r = f.validator.receive(f.sender.createPayment(session, 1, f.price), "s1");
    assertThat(r.tickets()).isEqualTo(1);
  }

  @Test
  void winCheckComparesHashOfSignatureAndRandAgainstWinProb() {
    Signature sig = Signature.of(new byte[65]);
    java.math.BigInteger rand = java.math.BigInteger.valueOf(42);
    java.math.BigInteger h = new java.math.BigInteger(1, EthCrypto.keccak256(new byte[65], Ticket.uint256(rand)));
    assertThat(TicketValidator.isWinner(sig, rand, h)).isFalse();
    assertThat(TicketValidator.isWinner(sig, rand, h.add(java.math.BigInteger.ONE))).isTrue();
    assertThat(TicketValidator.isWinner(sig, rand, java.math.BigInteger.ZERO)).isFalse();
  }
}
