package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketSenderTest {
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

  private TicketSender sender(TicketSender.Config config) {
    return new TicketSender(f.broadcasterKey, f.broker, f.rounds, config, f.clock);
  }

  @Test
  void numbersNoncesFromOnePerRecipientRandHash() {
    String session = f.sender.startSession(f.params());
    assertThat(f.sender.createPayment(session, 2, f.price).tickets()).extracting(TicketSenderParams::senderNonce)
        .containsExactly(1L, 2L);
    assertThat(f.sender.createPayment(session, 1, f.price).tickets()).extracting(TicketSenderParams::senderNonce)
        .containsExactly(3L);
    f.sender.updateSession(session, f.params()); // new recipientRandHash
    assertThat(f.sender.createPayment(session, 1, f.price).tickets()).extracting(TicketSenderParams::senderNonce)
        .containsExactly(1L);
  }

  @Test
  void signsEachTicketWithTheSenderKey() {
    String session = f.sender.startSession(f.params());
    Payment p = f.sender.createPayment(session, 2, f.price);
    for (TicketSenderParams t : p.tickets()) {
      Ticket ticket = p.params().ticket(f.broadcasterKey.address(), t.senderNonce());
      assertThat(EthCrypto.recoverPersonal(ticket.hash(), t.signature())).contains(f.broadcasterKey.address());
    }
  }

  @Test
  void refusesTicketEvAboveMaxTicketEv() {
    TicketSender s = sender(new TicketSender.Config(Wei.of(999_999_999_999L), Wei.of(Long.MAX_VALUE), 1));
    String session = s.startSession(f.params());
    assertThatThrownBy(() -> s.createPayment(session, 1, f.price)).hasMessageContaining("-maxTicketEV");
  }

  @Test
  void refusesPaymentAboveMaxTotalEv() {
    TicketSender s = sender(new TicketSender.Config(Wei.of(2_000_000_000_000L), Wei.of(2_500_000_000_000L), 1));
    String session = s.startSession(f.params());
    s.createPayment(session, 2, f.price);
    assertThatThrownBy(() -> s.createPayment(session, 3, f.price)).hasMessageContaining("-maxTotalEV");
  }

  @Test
  void refusesFaceValueAboveDepositOverMultiplier() {
    TicketParams p = f.params(); // face value 1.2e14
    f.broker.fund(f.broadcasterKey.address(), 200_000_000_000_000L, Fixture.RESERVE);
    TicketSender ok = sender(new TicketSender.Config(Wei.of(2_000_000_000_000L), Wei.of(Long.MAX_VALUE), 1));
    ok.createPayment(ok.startSession(p), 1, f.price);
    TicketSender strict = sender(new TicketSender.Config(Wei.of(2_000_000_000_000L), Wei.of(Long.MAX_VALUE), 2));
    assertThatThrownBy(() -> strict.createPayment(strict.startSession(p), 1, f.price))
        .hasMessageContaining("-depositMultiplier");
  }

  @Test
  void refusesWithoutDepositOrReserve() {
    TicketParams p = f.params();
    f.broker.fund(f.broadcasterKey.address(), 0, Fixture.RESERVE);
    TicketSender s = sender(TicketSender.Config.defaults());
    assertThatThrownBy(() -> s.createPayment(s.startSession(p), 1, f.price)).hasMessageContaining("no deposit or no reserve");
    f.broker.fund(f.broadcasterKey.address(), Fixture.DEPOSIT, 0);
    TicketSender s2 = sender(TicketSender.Config.defaults());
    assertThatThrownBy(() -> s2.createPayment(s2.startSession(p), 1, f.price)).hasMessageContaining("no deposit or no reserve");
  }

  @Test
  void refusesWhileUnlocking() {
    TicketParams p = f.params();
    f.broker.senders.put(f.broadcasterKey.address(),
        new SenderInfo(Wei.of(Fixture.DEPOSIT), 12, Wei.of(Fixture.RESERVE), Wei.ZERO));
    TicketSender s = sender(TicketSender.Config.defaults());
    assertThatThrownBy(() -> s.createPayment(s.startSession(p), 1, f.price)).hasMessageContaining("unlocking");
  }

  @Test
  void refusesExpiredParamsSoTheSessionRefreshes() {
    String session = f.sender.startSession(f.params());
    f.rounds.latestBlock += 40;
    assertThatThrownBy(() -> f.sender.createPayment(session, 1, f.price))
        .isInstanceOfSatisfying(InvalidTicketException.class, e -> assertThat(e.recoverable()).isTrue());
  }

  @Test
  void ticketsNeededCoversTheFeeMinusBalance() {
    BigDecimal ev = BigDecimal.valueOf(100);
    assertThat(TicketSender.ticketsNeeded(BigDecimal.valueOf(250), ev, BigDecimal.ZERO)).isEqualTo(3);
    assertThat(TicketSender.ticketsNeeded(BigDecimal.valueOf(250), ev, BigDecimal.valueOf(50))).isEqualTo(2);
    assertThat(TicketSender.ticketsNeeded(BigDecimal.valueOf(250), ev, BigDecimal.valueOf(300))).isZero();
    // a fee below one EV still sends one ticket when the balance is empty
    assertThat(TicketSender.ticketsNeeded(BigDecimal.valueOf(10), ev, BigDecimal.ZERO)).isEqualTo(1);
    assertThat(TicketSender.ticketsNeeded(BigDecimal.valueOf(10), ev, BigDecimal.valueOf(-150))).isEqualTo(3);
    assertThat(TicketSender.ticketsNeeded(BigDecimal.TEN, BigDecimal.ZERO, BigDecimal.ZERO)).isZero();
  }

  @Test
  void priceChecksRefuseAboveMaxAndMoreThanDoubled() {
    Price max = Price.of(10, 1);
    TicketSender.checkPrice(Price.of(10, 1), Price.of(5, 1), max);
    assertThatThrownBy(() -> TicketSender.checkPrice(Price.of(11, 1), Price.of(10, 1), max))
        .hasMessageContaining("-maxPricePerUnit");
    assertThatThrownBy(() -> TicketSender.checkPrice(Price.of(9, 1), Price.of(4, 1), max))
        .hasMessageContaining("doubled");
    TicketSender.checkPrice(Price.of(8, 2), Price.of(4, 2), max); // exactly doubled is fine
  }

  @Test
  void keepsPayingOnCachedDepositWhileTheChainIsDown() {
    String session = f.sender.startSession(f.params());
    f.sender.createPayment(session, 1, f.price);
    f.broker.reachable = false;
    f.clock.advance(java.time.Duration.ofMinutes(2));
    assertThat(f.sender.createPayment(session, 1, f.price).tickets()).hasSize(1);
  }

  @Test
  void expectedValueSentCoversFeesWithAtMostTwoTicketsOfSlack() {
    // B-side bookkeeping over a 60 s stream of 2 s segments at 720p30: EV sent stays within one ticket of the fees.
    TicketParams p = f.params();
    String session = f.sender.startSession(p);
    Balances bBalance = new Balances(f.clock);
    BigDecimal ev = p.expectedValue();
    BigDecimal feeTotal = BigDecimal.ZERO;
    BigDecimal evSent = BigDecimal.ZERO;
    Price price = Price.of(1, 1000);
    for (int seg = 0; seg < 30; seg++) {
      BigDecimal fee = Fees.segmentFee(java.util.List.of(Fees.Output.of(1280, 720, 30)), 2000, price);
      int n = TicketSender.ticketsNeeded(fee, ev, bBalance.balance(f.broadcasterKey.address(), session));
      if (n > 0) {
        f.sender.createPayment(session, n, f.price);
        bBalance.credit(f.broadcasterKey.address(), session, ev.multiply(BigDecimal.valueOf(n)));
        evSent = evSent.add(ev.multiply(BigDecimal.valueOf(n)));
      }
      bBalance.debit(f.broadcasterKey.address(), session, fee);
      feeTotal = feeTotal.add(fee);
    }
    assertThat(evSent).isGreaterThanOrEqualTo(feeTotal);
    // B keeps at most one EV of credit beyond the fee floor (O wants balance >= EV before it transcodes)
    assertThat(evSent.subtract(feeTotal)).isLessThan(ev.multiply(BigDecimal.valueOf(2)));
  }
}
