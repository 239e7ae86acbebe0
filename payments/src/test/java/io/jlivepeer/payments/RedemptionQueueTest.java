package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedemptionQueueTest {
  @TempDir
  Path dir;

  /** Sends one always-winning payment of {@code n} tickets through the validator; returns the params used. */
  private static TicketParams pay(Fixture f, int n) {
    TicketParams p = f.params();
    String session = f.sender.startSession(p);
    f.validator.receive(f.sender.createPayment(session, n, f.price), "s");
    return p;
  }

  @Test
  void storesWinningTicketsDurablyOnAdd() {
    Fixture f = new Fixture(dir, Fixture.alwaysWin(), 600);
    pay(f, 3);
    // a second connection (another process after a crash) sees them without any close or flush
    try (RedemptionQueue other = RedemptionQueue.open(dir, f.broker, f.rounds, f.clock)) {
      assertThat(other.entries()).hasSize(3).allMatch(e -> e.state() == RedemptionQueue.State.QUEUED);
      assertThat(other.entries().get(0).ticket().ticket().senderNonce()).isEqualTo(1);
    }
    f.close();
  }

  @Test
  void usesWalMode() throws Exception {
    try (Fixture f = new Fixture(dir)) {
      assertThat(f.queue.entries()).isEmpty();
      try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(RedemptionQueue.FILE_NAME));
          var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
        assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
      }
    }
  }

  @Test
  void redeemsOnlyExpiredParamsOldestFirstAndRecordsTxHash() {
    try (Fixture f = new Fixture(dir, Fixture.alwaysWin(), 600)) {
      TicketParams first = pay(f, 2);
      f.rounds.latestBlock += 5;
      TicketParams second = pay(f, 1);
      f.rounds.latestBlock = first.expirationBlock() - 1;
      assertThat(f.queue.redeemDue().redeemed()).isZero();
      f.rounds.latestBlock = first.expirationBlock();
      f.clock.advance(java.time.Duration.ofSeconds(3));
      RedemptionQueue.Report r = f.queue.redeemDue();
      assertThat(r.redeemed()).isEqualTo(2);
      assertThat(f.queue.entries(RedemptionQueue.State.QUEUED)).hasSize(1);
      f.rounds.latestBlock = second.expirationBlock();
      assertThat(f.queue.redeemDue().redeemed()).isEqualTo(1);
      List<RedemptionQueue.Entry> all = f.queue.entries();
      assertThat(all).allSatisfy(e -> {
        assertThat(e.state()).isEqualTo(RedemptionQueue.State.REDEEMED);
        assertThat(e.txHash()).isPresent();
        assertThat(e.redeemedAt()).contains(f.clock.instant());
      });
      assertThat(f.broker.redeemed).containsExactly(all.get(0).ticket().ticket().hash(),
          all.get(1).ticket().ticket().hash(), all.get(2).ticket().ticket().hash());
      assertThat(all.get(0).ticket().ticket().senderNonce()).isEqualTo(1);
      assertThat(f.queue.pendingFaceValue(f.broadcasterKey.address())).isEqualTo(Wei.ZERO);
      // nothing is sent twice
      f.rounds.latestBlock += 100;
      assertThat(f.queue.redeemDue().redeemed()).isZero();
      assertThat(f.broker.redeemCalls).isEqualTo(3);
    }
  }

  @Test
  void dropsUsedTicketsAndTicketsWithoutBlockHash() {
    try (Fixture f = new Fixture(dir, Fixture.alwaysWin(), 600)) {
      pay(f, 1);
      WinningTicket w = f.queue.entries().get(0).ticket();
      f.broker.redeemWinningTicket(w.ticket(), w.signature(), w.recipientRand()); // someone else redeemed it
      f.broker.redeemed.clear();
      // a round whose block hash the chain does not know (the contract checks that before "is used")
      f.rounds.round = new TicketExpirationParams(11, Bytes32.fromHex("ee".repeat(32)));
      TicketParams p = pay(f, 1);
      f.rounds.latestBlock = p.expirationBlock();
      RedemptionQueue.Report r = f.queue.redeemDue();
      assertThat(r.dropped()).isEqualTo(2);
      assertThat(f.queue.entries(RedemptionQueue.State.DROPPED)).extracting(e -> e.error().orElseThrow())
          .containsExactly("ticket is used", "ticket creationRound does not have a block hash");
      assertThat(f.queue.pendingFaceValue(f.broadcasterKey.address())).isEqualTo(Wei.ZERO);
    }
  }

  @Test
  void marksOtherRevertsFailedWithoutRetrying() {
    try (Fixture f = new Fixture(dir, Fixture.alwaysWin(), 600)) {
      TicketParams p = pay(f, 1);
      WinningTicket w = f.queue.entries().get(0).ticket();
      Ticket loser = new Ticket(w.ticket().recipient(), w.ticket().sender(), w.ticket().faceValue(), BigInteger.ZERO,
          99, w.ticket().recipientRandHash(), w.ticket().creationRound(), w.ticket().creationRoundBlockHash());
      f.queue.add(new WinningTicket(loser, f.broadcasterKey.signPersonal(loser.hash()), w.recipientRand(), p.expirationBlock()));
      f.rounds.latestBlock = p.expirationBlock();
      RedemptionQueue.Report r = f.queue.redeemDue();
      assertThat(r.redeemed()).isEqualTo(1);
      assertThat(r.failed()).isEqualTo(1);
      assertThat(f.queue.entries(RedemptionQueue.State.FAILED).get(0).error()).contains("ticket did not win");
      f.queue.redeemDue();
      assertThat(f.broker.redeemCalls).isEqualTo(2);
    }
  }

  @Test
  void keepsTicketsQueuedWhileTheChainIsUnreachable() {
    try (Fixture f = new Fixture(dir, Fixture.alwaysWin(), 600)) {
      TicketParams p = pay(f, 2);
      f.rounds.latestBlock = p.expirationBlock();
      f.broker.reachable = false;
      RedemptionQueue.Report r = f.queue.redeemDue();
      assertThat(r.brokerUnavailable()).isTrue();
      assertThat(r.deferred()).isEqualTo(2);
      f.rounds.reachable = false;
      assertThat(f.queue.redeemDue().brokerUnavailable()).isTrue();
      // payments keep being accepted meanwhile (cached sender info, no chain call on the hot path)
      f.rounds.reachable = true;
      f.rounds.latestBlock = p.expirationBlock() - 10;
      pay(f, 1);
      f.rounds.latestBlock = p.expirationBlock() + 100;
      f.broker.reachable = true;
      assertThat(f.queue.redeemDue().redeemed()).isEqualTo(3);
      assertThat(f.queue.entries()).allMatch(e -> e.state() == RedemptionQueue.State.REDEEMED);
    }
  }

  @Test
  void waitsOutTransientReverts() {
    try (Fixture f = new Fixture(dir, Fixture.alwaysWin(), 600)) {
      TicketParams p = pay(f, 1);
      f.rounds.latestBlock = p.expirationBlock();
      f.broker.revertAll = "current round is not initialized";
      assertThat(f.queue.redeemDue().deferred()).isEqualTo(1);
      f.broker.revertAll = null;
      assertThat(f.queue.redeemDue().redeemed()).isEqualTo(1);
    }
  }

  @Test
  void addingTheSameTicketTwiceKeepsOneCopy() {
    try (Fixture f = new Fixture(dir, Fixture.alwaysWin(), 600)) {
      pay(f, 1);
      f.queue.add(f.queue.entries().get(0).ticket());
      assertThat(f.queue.entries()).hasSize(1);
    }
  }

  @Test
  void survivesRestartAndRedeemsEveryTicketExactlyOnce() {
    Fixture f = new Fixture(dir, Fixture.alwaysWin(), 600);
    TicketParams a = pay(f, 5);
    f.rounds.latestBlock += 10;
    TicketParams b = pay(f, 5);
    Set<Bytes32> all = new HashSet<>();
    f.queue.entries().forEach(e -> all.add(e.ticket().ticket().hash()));
    assertThat(all).hasSize(10);

    // first run: two redeemed, the third is mined but the node dies before recording it (kill -9: the
    // connection is abandoned, not closed)
    f.rounds.latestBlock = a.expirationBlock();
    f.broker.crashWhenRedeemedCount = 3;
    assertThatThrownBy(f.queue::redeemDue).hasMessageContaining("simulated crash");
    f.broker.crashWhenRedeemedCount = -1;

    // restart: a new queue over the same file, the chain as it is
    try (RedemptionQueue reopened = RedemptionQueue.open(dir, f.broker, f.rounds, f.clock)) {
      assertThat(reopened.entries()).hasSize(10);
      assertThat(reopened.entries(RedemptionQueue.State.REDEEMED)).hasSize(2);
      f.rounds.latestBlock = b.expirationBlock();
      reopened.redeemDue();
      List<RedemptionQueue.Entry> entries = reopened.entries();
      assertThat(entries).noneMatch(e -> e.state() == RedemptionQueue.State.QUEUED);
      assertThat(entries).filteredOn(e -> e.state() == RedemptionQueue.State.REDEEMED).hasSize(9)
          .allMatch(e -> e.txHash().isPresent());
      assertThat(entries).filteredOn(e -> e.state() == RedemptionQueue.State.DROPPED)
          .singleElement().satisfies(e -> assertThat(e.error()).contains("ticket is used"));
      // on chain: every ticket paid exactly once
      assertThat(f.broker.redeemed).hasSize(10).doesNotHaveDuplicates();
      assertThat(new HashSet<>(f.broker.redeemed)).isEqualTo(all);
      Wei totalFace = entries.stream().map(e -> e.ticket().ticket().faceValue()).reduce(Wei.ZERO, Wei::plus);
      assertThat(f.broker.paidTo.get(f.orchestratorKey.address())).isEqualTo(totalFace);
      int calls = f.broker.redeemCalls;
      reopened.redeemDue();
      assertThat(f.broker.redeemCalls).isEqualTo(calls);
    }
    f.close();
  }
}
