package io.jlivepeer.payments;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory TicketBroker that checks redemptions the way the contract does (protocol.md): block hash of the
 * creation round, recipientRand, used tickets, signature, win, then pays from deposit and reserve.
 */
final class FakeTicketBroker implements TicketBroker {
  final Map<EthAddress, SenderInfo> senders = new HashMap<>();
  final Map<Long, Bytes32> roundBlockHashes = new HashMap<>();
  final Set<Bytes32> usedTickets = new HashSet<>();
  /** Hash of every ticket the fake paid, in order; a ticket appearing twice would be a double redemption. */
  final List<Bytes32> redeemed = new ArrayList<>();
  final Map<EthAddress, Wei> paidTo = new HashMap<>();
  final Map<EthAddress, Wei> claimed = new HashMap<>();
  long poolSize = 1;
  volatile boolean reachable = true;
  /**
   * Simulates the node dying after a transaction was mined but before it heard back: the redemption that makes
   * {@link #redeemed} reach this size throws instead of returning.
   */
  volatile int crashWhenRedeemedCount = -1;
  /** When set, every redemption reverts with this reason (e.g. "system is paused"). */
  volatile String revertAll;
  int redeemCalls;
  int viewCalls;

  FakeTicketBroker fund(EthAddress sender, long deposit, long reserve) {
    senders.put(sender, new SenderInfo(Wei.of(deposit), 0, Wei.of(reserve), Wei.ZERO));
    return this;
  }

  @Override
  public synchronized SenderInfo senderInfo(EthAddress sender) {
    check();
    viewCalls++;
    return senders.getOrDefault(sender, SenderInfo.NONE);
  }

  @Override
  public synchronized long transcoderPoolSize() {
    check();
    return poolSize;
  }

  @Override
  public synchronized Wei claimedReserve(EthAddress reserveHolder, EthAddress claimant) {
    check();
    return claimed.getOrDefault(claimant, Wei.ZERO);
  }

  @Override
  public synchronized RedeemOutcome redeemWinningTicket(Ticket ticket, Signature signature, BigInteger recipientRand) {
    redeemCalls++;
    if (!reachable) {
      return new RedeemOutcome.Unavailable("connection refused");
    }
    if (revertAll != null) {
      return new RedeemOutcome.Reverted(revertAll);
    }
    if (ticket.recipient().isZero()) {
      return new RedeemOutcome.Reverted("ticket recipient is null address");
    }
    Bytes32 roundHash = roundBlockHashes.get(ticket.creationRound());
    if (roundHash == null) {
      return new RedeemOutcome.Reverted("ticket creationRound does not have a block hash");
    }
    if (!roundHash.equals(ticket.creationRoundBlockHash())) {
      return new RedeemOutcome.Reverted("ticket creationRoundBlockHash invalid for creationRound");
    }
    if (!TicketParamsIssuer.recipientRandHash(recipientRand).equals(ticket.recipientRandHash())) {
      return new RedeemOutcome.Reverted("recipientRand does not match recipientRandHash");
    }
    Bytes32 hash = ticket.hash();
    if (usedTickets.contains(hash)) {
      return new RedeemOutcome.Reverted("ticket is used");
    }
    if (!EthCrypto.recoverPersonal(hash, signature).filter(ticket.sender()::equals).isPresent()) {
      return new RedeemOutcome.Reverted("invalid signature over ticket hash");
    }
    if (!TicketValidator.isWinner(signature, recipientRand, ticket.winProb())) {
      return new RedeemOutcome.Reverted("ticket did not win");
    }
    SenderInfo s = senders.getOrDefault(ticket.sender(), SenderInfo.NONE);
    if (s.deposit().isZero() && s.reserveFundsRemaining().isZero()) {
      return new RedeemOutcome.Reverted("sender deposit and reserve are zero");
    }
    usedTickets.add(hash);
    Wei fromDeposit = ticket.faceValue().min(s.deposit());
    Wei fromReserve = ticket.faceValue().minusOrZero(fromDeposit).min(s.reserveFundsRemaining());
    senders.put(ticket.sender(), new SenderInfo(s.deposit().minusOrZero(fromDeposit), s.withdrawRound(),
        s.reserveFundsRemaining().minusOrZero(fromReserve), s.reserveClaimedInCurrentRound().plus(fromReserve)));
    paidTo.merge(ticket.recipient(), fromDeposit.plus(fromReserve), Wei::plus);
    redeemed.add(hash);
    if (redeemed.size() == crashWhenRedeemedCount) {
      throw new IllegalStateException("simulated crash after the transaction was mined");
    }
    return new RedeemOutcome.Redeemed("0x" + Bytes32.wrap(EthCrypto.keccak256(hash.toBytes())).hex().substring(2));
  }

  private void check() {
    if (!reachable) {
      throw new BrokerUnavailableException("fake chain is down");
    }
  }
}
