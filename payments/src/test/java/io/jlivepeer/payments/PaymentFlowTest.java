package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 60 s stream paid segment by segment, B and O bookkeeping side by side, winners redeemed on the fake chain. */
class PaymentFlowTest {
  @TempDir
  Path dir;

  @Test
  void streamPaysItsPixelsAndTheChainPaysTheWinnersExactly() {
    try (Fixture f = new Fixture(dir)) {
      EthAddress b = f.broadcasterKey.address();
      Price price = Price.of(345_000, 1); // about 20 tickets of EV 1e12 per 2 s 720p30 segment
      List<Fees.Output> ladder = List.of(Fees.Output.of(1280, 720, 30));
      TicketParams params = f.issuer.issue(b, price);
      String session = f.sender.startSession(params);
      Balances bSide = new Balances(f.clock);
      BigDecimal evSent = BigDecimal.ZERO;
      BigDecimal charged = BigDecimal.ZERO;
      int refreshes = 0;
      long firstExpiration = params.expirationBlock();
      for (int seg = 0; seg < 30; seg++) {
        f.rounds.latestBlock += 2; // a block per second
        BigDecimal ev = f.sender.params(session).expectedValue();
        BigDecimal fee = Fees.segmentFee(ladder, 2000, price);
        int n = TicketSender.ticketsNeeded(fee, ev, bSide.balance(b, session));
        Payment payment;
        try {
          payment = f.sender.createPayment(session, n, price);
        } catch (InvalidTicketException e) {
          assertThat(e.reason()).isEqualTo(InvalidTicketException.Reason.PARAMS_EXPIRED);
          f.sender.updateSession(session, f.issuer.issue(b, price)); // B refreshes its OrchestratorInfo
          refreshes++;
          ev = f.sender.params(session).expectedValue();
          n = TicketSender.ticketsNeeded(fee, ev, bSide.balance(b, session));
          payment = f.sender.createPayment(session, n, price);
        }
        f.validator.receive(payment, session);
        bSide.credit(b, session, ev.multiply(BigDecimal.valueOf(n)));
        evSent = evSent.add(ev.multiply(BigDecimal.valueOf(n)));
        assertThat(f.balances.covers(b, session, ev)).isTrue(); // O transcodes only with one EV of credit
        BigDecimal actual = price.forPixels(Fees.pixels(ladder, 2000).longValueExact());
        f.balances.debit(b, session, actual);
        charged = charged.add(actual);
        bSide.debit(b, session, fee);
      }
      assertThat(refreshes).isGreaterThan(0);
      assertThat(f.rounds.latestBlock).isGreaterThan(firstExpiration);
      // EV sent is within 5% of price x pixels transcoded (B pays 2% headroom plus at most two tickets of float)
      double ratio = evSent.divide(charged, Amounts.MC).doubleValue();
      assertThat(ratio).isBetween(1.0, 1.05);

      f.rounds.latestBlock += 100;
      f.queue.redeemDue();
      Wei redeemedFace = f.queue.entries(RedemptionQueue.State.REDEEMED).stream()
          .map(e -> e.ticket().ticket().faceValue()).reduce(Wei.ZERO, Wei::plus);
      assertThat(f.queue.entries()).isNotEmpty() // ~600 tickets at 1/120: deterministic here (RFC 6979, seeded params)
          .allMatch(e -> e.state() == RedemptionQueue.State.REDEEMED);
      assertThat(f.broker.paidTo.getOrDefault(f.orchestratorKey.address(), Wei.ZERO)).isEqualTo(redeemedFace);
      BigInteger depositNow = f.broker.senders.get(b).deposit().value();
      assertThat(BigInteger.valueOf(Fixture.DEPOSIT).subtract(depositNow)).isEqualTo(redeemedFace.value());
    }
  }
}
