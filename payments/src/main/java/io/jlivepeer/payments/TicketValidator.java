package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The orchestrator's check of a payment. Either every ticket is valid, and then each one's EV is credited to the
 * sender's session and the winners are stored durably before this returns, or an {@link InvalidTicketException}
 * says why and nothing is credited or remembered.
 */
public final class TicketValidator {
  /** The reference node's limit of tickets per recipientRand: bounds what one set of params can be used for. */
  public static final int DEFAULT_MAX_NONCES = 600;

  /** What a payment brought. */
  public record Receipt(int tickets, int winners, BigDecimal credited) {}

  private static final class Nonces {
    final long expirationBlock;
    final Set<Long> seen = new HashSet<>();

    Nonces(long expirationBlock) {
      this.expirationBlock = expirationBlock;
    }
  }

  private final TicketParamsIssuer issuer;
  private final RoundsView rounds;
  private final SenderMonitor senders;
  private final Balances balances;
  private final WinningTickets winners;
  private final int maxNonces;
  private final Map<Bytes32, Nonces> nonces = new HashMap<>();
  private long prunedAtBlock = -1;

  public TicketValidator(TicketParamsIssuer issuer, RoundsView rounds, SenderMonitor senders, Balances balances,
      WinningTickets winners, int maxNonces) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.rounds = Objects.requireNonNull(rounds, "rounds");
    this.senders = Objects.requireNonNull(senders, "senders");
    this.balances = Objects.requireNonNull(balances, "balances");
    this.winners = Objects.requireNonNull(winners, "winners");
    this.maxNonces = maxNonces;
  }

  public TicketValidator(TicketParamsIssuer issuer, RoundsView rounds, SenderMonitor senders, Balances balances,
      WinningTickets winners) {
    this(issuer, rounds, senders, balances, winners, DEFAULT_MAX_NONCES);
  }

  /** Validates the whole payment, then credits it to {@code sessionId}. */
  public Receipt receive(Payment payment, String sessionId) {
    Objects.requireNonNull(sessionId, "sessionId");
    TicketParams p = payment.params();
    EthAddress sender = payment.sender();
    if (payment.tickets().isEmpty()) {
      throw reject(InvalidTicketException.Reason.NO_TICKETS, "payment carries no tickets");
    }
    if (!p.recipient().equals(issuer.recipient())) {
      throw reject(InvalidTicketException.Reason.WRONG_RECIPIENT,
          "ticket recipient " + p.recipient() + " is not this orchestrator (" + issuer.recipient() + ")");
    }
    long latest = rounds.latestBlock();
    if (p.expirationBlock() <= latest) {
      throw reject(InvalidTicketException.Reason.PARAMS_EXPIRED, "ticket params expired at block "
          + p.expirationBlock() + " (latest block " + latest + "); fetch fresh params from the orchestrator");
    }
    BigInteger rand = issuer.recipientRand(p.seed(), sender, p.faceValue(), p.winProb(), p.expirationBlock(),
        payment.expectedPrice(), p.expirationParams());
    if (!TicketParamsIssuer.recipientRandHash(rand).equals(p.recipientRandHash())) {
      throw reject(InvalidTicketException.Reason.UNKNOWN_SEED, "recipientRandHash does not match the seed: these params"
          + " were not issued by this orchestrator for this sender and price (or it restarted); fetch fresh params");
    }
    SenderInfo info = senders.senderInfo(sender);
    if (info.deposit().isZero() && info.reserveFundsRemaining().isZero()) {
      throw reject(InvalidTicketException.Reason.NO_DEPOSIT,
          "sender " + sender + " has neither deposit nor reserve in the TicketBroker; it must fund them first");
    }
    Wei maxFloat = senders.maxFloat(sender);
    if (p.faceValue().compareTo(maxFloat) > 0) {
      throw reject(InvalidTicketException.Reason.FACE_VALUE_ABOVE_MAX_FLOAT, "ticket face value " + p.faceValue()
          + " wei is above the sender's max float of " + maxFloat + " wei; fetch fresh params");
    }

    // Signatures first, outside the lock: they are the expensive part.
    Ticket base = p.ticket(sender, 0);
    List<WinningTicket> won = new ArrayList<>();
    Set<Long> inPayment = new HashSet<>();
    byte[] rand32 = Ticket.uint256(rand);
    byte[] winProb32 = Ticket.uint256(p.winProb());
    for (TicketSenderParams sp : payment.tickets()) {
      Ticket t = base.withNonce(sp.senderNonce());
      Bytes32 hash = t.hash();
      if (!EthCrypto.isPersonalSignedBy(hash, sp.signature(), sender)) {
        throw reject(InvalidTicketException.Reason.INVALID_SIGNATURE,
            "signature of ticket nonce " + sp.senderNonce() + " is not by sender " + sender);
      }
      if (!inPayment.add(sp.senderNonce())) {
        throw reject(InvalidTicketException.Reason.NONCE_REUSED,
            "nonce " + sp.senderNonce() + " appears twice in one payment");
      }
      if (isWinner(sp.signature(), rand32, winProb32)) {
        won.add(new WinningTicket(t, sp.signature(), rand, p.expirationBlock()));
      }
    }

    synchronized (this) {
      pruneExpired(latest);
      Nonces used = nonces.get(p.recipientRandHash());
      int already = used == null ? 0 : used.seen.size();
      for (TicketSenderParams sp : payment.tickets()) {
        if (used != null && used.seen.contains(sp.senderNonce())) {
          throw reject(InvalidTicketException.Reason.NONCE_REUSED, "nonce " + sp.senderNonce()
              + " was already used with this recipientRandHash (replayed ticket)");
        }
      }
      if (already + payment.tickets().size() > maxNonces) {
        throw reject(InvalidTicketException.Reason.TOO_MANY_NONCES, "more than " + maxNonces
            + " tickets under one set of params; fetch fresh params");
      }
      // Durable before anything is credited: a crash after this loses credit, never a winning ticket.
      for (WinningTicket w : won) {
        winners.add(w);
      }
      if (used == null) {
        used = new Nonces(p.expirationBlock());
        nonces.put(p.recipientRandHash(), used);
      }
      for (TicketSenderParams sp : payment.tickets()) {
        used.seen.add(sp.senderNonce());
      }
    }
    BigDecimal credit = p.expectedValue().multiply(BigDecimal.valueOf(payment.tickets().size()), Amounts.MC);
    balances.credit(sender, sessionId, credit);
    return new Receipt(payment.tickets().size(), won.size(), credit);
  }

  /** uint256(keccak256(sig || leftpad32(recipientRand))) < winProb. */
  public static boolean isWinner(Signature signature, BigInteger recipientRand, BigInteger winProb) {
    return isWinner(signature, Ticket.uint256(recipientRand), Ticket.uint256(winProb));
  }

  /** The same on the 32-byte big-endian forms, which a payment computes once for all its tickets. */
  static boolean isWinner(Signature signature, byte[] recipientRand32, byte[] winProb32) {
    byte[] h = EthCrypto.keccak256(signature.raw(), recipientRand32);
    return Arrays.compareUnsigned(h, winProb32) < 0; // equal lengths: unsigned big-endian order is numeric order
  }

  /** Params whose expiration block has passed are refused anyway, so their nonce sets can go. */
  private void pruneExpired(long latest) {
    if (latest != prunedAtBlock) {
      nonces.values().removeIf(n -> n.expirationBlock <= latest);
      prunedAtBlock = latest;
    }
  }

  private static InvalidTicketException reject(InvalidTicketException.Reason reason, String message) {
    return new InvalidTicketException(reason, message);
  }
}
