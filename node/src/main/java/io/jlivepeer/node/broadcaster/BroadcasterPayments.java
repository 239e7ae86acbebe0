package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.PaymentCodec;
import io.jlivepeer.payments.BrokerUnavailableException;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Fees;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.payments.Price;
import io.jlivepeer.payments.RoundsView;
import io.jlivepeer.payments.TicketBroker;
import io.jlivepeer.payments.TicketParams;
import io.jlivepeer.payments.TicketSender;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The broadcaster's side of probabilistic micropayments (payments.md "B's checks"): one {@link TicketSender}
 * session per O session (auth token), the fee of each segment from its renditions and duration, as many tickets as
 * it takes to cover the fee and the balance B believes O holds, and B's own mirror of that balance (credited with
 * the tickets' EV, debited price x the encoded pixels O reports). O's price is checked against
 * {@code -maxPricePerUnit} and must not more than double during a session.
 */
public final class BroadcasterPayments {
  /** Blocks before expiry at which B switches to the fresh params O sent in its last TranscodeResult. */
  static final long SWITCH_PARAMS_BLOCKS = 20;

  /**
   * @param sender {@code -maxTicketEV}, {@code -maxTotalEV}, {@code -depositMultiplier}
   * @param maxPrice {@code -maxPricePerUnit} / {@code -pixelsPerUnit}; price 0 means no limit
   */
  public record Config(TicketSender.Config sender, Price maxPrice) {
    public Config {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(maxPrice, "maxPrice");
    }
  }

  /** Totals since start: what B paid and what it was charged for. */
  public record Stats(long payments, long tickets, BigDecimal evSentWei, BigDecimal chargedWei, long pixels) {}

  private static final class PaySession {
    final String senderSession;
    final Price initialPrice;
    BigDecimal balance = BigDecimal.ZERO;

    PaySession(String senderSession, Price initialPrice) {
      this.senderSession = senderSession;
      this.initialPrice = initialPrice;
    }
  }

  private final Config config;
  private final byte[] accountKey;
  private final TicketSender sender;
  private final RoundsView rounds;
  private final ConcurrentHashMap<String, PaySession> sessions = new ConcurrentHashMap<>();
  private final AtomicLong payments = new AtomicLong();
  private final AtomicLong tickets = new AtomicLong();
  private final AtomicLong pixels = new AtomicLong();
  private final AtomicReference<BigDecimal> evSent = new AtomicReference<>(BigDecimal.ZERO);
  private final AtomicReference<BigDecimal> charged = new AtomicReference<>(BigDecimal.ZERO);

  private BroadcasterPayments(Config config, byte[] accountKey, TicketBroker broker, RoundsView rounds, Clock clock) {
    this.config = config;
    this.accountKey = accountKey.clone();
    this.rounds = rounds;
    this.sender = new TicketSender(EthKey.fromPrivateKey(accountKey), broker, rounds, config.sender(), clock);
  }

  /**
   * @param accountKey the 32-byte private key of B's Ethereum account (the ticket sender, holder of the deposit);
   *     it is also B's signing key on the wire
   */
  public static BroadcasterPayments create(Config config, byte[] accountKey, TicketBroker broker, RoundsView rounds,
      Clock clock) {
    return new BroadcasterPayments(config, accountKey, broker, rounds, clock);
  }

  byte[] accountKey() {
    return accountKey.clone();
  }

  public EthAddress address() {
    return sender.address();
  }

  public Stats stats() {
    return new Stats(payments.get(), tickets.get(), evSent.get(), charged.get(), pixels.get());
  }

  /** Throws {@link NodeException} when O's advertised price is above {@code -maxPricePerUnit}. */
  void checkPrice(OrchestratorInfo info) {
    Price offered = PaymentCodec.fromProto(info.getPriceInfo());
    if (!config.maxPrice().isFree() && offered.comparePerPixel(config.maxPrice()) > 0) {
      throw new NodeException("orchestrator price " + offered.pricePerUnit() + " wei per " + offered.pixelsPerUnit()
          + " pixels is above -maxPricePerUnit " + config.maxPrice().pricePerUnit() + " per "
          + config.maxPrice().pixelsPerUnit() + " pixels");
    }
    if (!offered.isFree() && !PaymentCodec.hasParams(info.getTicketParams())) {
      throw new NodeException("orchestrator charges " + offered.pricePerUnit() + " wei per " + offered.pixelsPerUnit()
          + " pixels but sent no ticket params");
    }
  }

  /** Whether the params B holds for this O session have expired (by B's view of the chain): fetch fresh ones. */
  boolean expired(OrchestratorInfo info) {
    if (!PaymentCodec.hasParams(info.getTicketParams())) {
      return false;
    }
    try {
      return PaymentCodec.fromProto(info.getTicketParams()).expirationBlock() <= rounds.latestBlock();
    } catch (BrokerUnavailableException e) {
      return false; // cannot tell: O will say so if they expired
    }
  }

  /**
   * The info to keep using after a result: the same O session, with the fresh ticket params O sent along once the
   * current ones are close to expiry.
   */
  OrchestratorInfo afterResult(OrchestratorInfo current, OrchestratorInfo fromResult) {
    if (!PaymentCodec.hasParams(fromResult.getTicketParams()) || !PaymentCodec.hasParams(current.getTicketParams())) {
      return current;
    }
    try {
      long left = PaymentCodec.fromProto(current.getTicketParams()).expirationBlock() - rounds.latestBlock();
      if (left > SWITCH_PARAMS_BLOCKS) {
        return current;
      }
    } catch (BrokerUnavailableException e) {
      return current;
    }
    return current.toBuilder().setTicketParams(fromResult.getTicketParams())
        .setPriceInfo(fromResult.getPriceInfo()).build();
  }

  /**
   * The {@code Livepeer-Payment} header for one segment to the O session of {@code info}: empty for a free O,
   * else enough tickets for max(fee, EV) above the balance (possibly none: then it only names the sender).
   */
  String paymentHeader(OrchestratorInfo info, List<VideoProfile> profiles, long durationMillis) {
    Price price = PaymentCodec.fromProto(info.getPriceInfo());
    if (price.isFree() || !PaymentCodec.hasParams(info.getTicketParams())) {
      return "";
    }
    TicketParams params = PaymentCodec.fromProto(info.getTicketParams());
    String key = info.getAuthToken().getSessionId();
    PaySession s = sessions.computeIfAbsent(key, k -> new PaySession(sender.startSession(params), price));
    synchronized (s) {
      try {
        TicketSender.checkPrice(price, s.initialPrice, config.maxPrice().isFree() ? price : config.maxPrice());
        if (!sender.params(s.senderSession).recipientRandHash().equals(params.recipientRandHash())) {
          sender.updateSession(s.senderSession, params);
        }
        BigDecimal fee = Fees.segmentFee(outputs(profiles), durationMillis, price);
        BigDecimal ev = params.expectedValue();
        int n = TicketSender.ticketsNeeded(fee, ev, s.balance);
        io.jlivepeer.payments.Payment payment;
        if (n == 0) {
          payment = new io.jlivepeer.payments.Payment(params, sender.address(), price, List.of());
        } else {
          payment = sender.createPayment(s.senderSession, n, price);
          BigDecimal sent = ev.multiply(BigDecimal.valueOf(n));
          s.balance = s.balance.add(sent);
          payments.incrementAndGet();
          tickets.addAndGet(n);
          evSent.accumulateAndGet(sent, BigDecimal::add);
        }
        return WireHeaders.encodePayment(PaymentCodec.toProto(payment));
      } catch (PaymentsException e) {
        throw new NodeException("cannot pay orchestrator " + info.getTranscoder() + ": " + e.getMessage(), e);
      }
    }
  }

  /** O transcoded: B's mirror of O's balance goes down by price x the encoded pixels O reported. */
  void charged(OrchestratorInfo info, long encodedPixels) {
    PaySession s = sessions.get(info.getAuthToken().getSessionId());
    if (s == null) {
      return;
    }
    BigDecimal fee = PaymentCodec.fromProto(info.getPriceInfo()).forPixels(encodedPixels);
    synchronized (s) {
      s.balance = s.balance.subtract(fee);
    }
    pixels.addAndGet(encodedPixels);
    charged.accumulateAndGet(fee, BigDecimal::add);
  }

  /** O no longer knows the session's balance (it restarted, or B's session ended). */
  void endSession(OrchestratorInfo info) {
    PaySession s = sessions.remove(info.getAuthToken().getSessionId());
    if (s != null) {
      sender.endSession(s.senderSession);
    }
  }

  private static List<Fees.Output> outputs(List<VideoProfile> profiles) {
    List<Fees.Output> out = new ArrayList<>(profiles.size());
    for (VideoProfile p : profiles) {
      out.add(new Fees.Output(p.width(), p.height(), Math.max(0, p.fps()), Math.max(1, p.fpsDen())));
    }
    return out;
  }
}
