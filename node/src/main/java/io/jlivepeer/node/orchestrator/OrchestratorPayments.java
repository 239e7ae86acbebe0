package io.jlivepeer.node.orchestrator;

import io.jlivepeer.node.PaymentCodec;
import io.jlivepeer.node.Refusals;
import io.jlivepeer.payments.Balances;
import io.jlivepeer.payments.BrokerUnavailableException;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.InvalidTicketException;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.payments.Price;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.RoundsView;
import io.jlivepeer.payments.SenderMonitor;
import io.jlivepeer.payments.TicketBroker;
import io.jlivepeer.payments.TicketParamsIssuer;
import io.jlivepeer.payments.TicketValidator;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.proto.Payment;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TicketParams;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator's side of probabilistic micropayments (payments.md "Who does what"): ticket params in every
 * OrchestratorInfo, each {@code Livepeer-Payment} validated and its EV credited to the sender's session, price x
 * encoded pixels debited after each segment, work refused without a balance of one ticket's EV, winning tickets
 * stored in the {@link RedemptionQueue} (before the segment is answered, by the validator) and redeemed by a
 * background loop once their params expired. The loop never stops on chain trouble: tickets wait in the queue.
 *
 * <p>Refusals are 400s whose body starts with {@value #INVALID_TICKET} and the reason in parentheses (e.g.
 * {@code Invalid ticket (PARAMS_EXPIRED): ...}) or is {@value #INSUFFICIENT_BALANCE}: a broadcaster can tell from
 * the reason whether fresh params (a new GetOrchestrator) can fix it.
 */
public final class OrchestratorPayments implements SegmentPayments, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrchestratorPayments.class);
  static final String INVALID_TICKET = Refusals.INVALID_TICKET;
  static final String INSUFFICIENT_BALANCE = Refusals.INSUFFICIENT_BALANCE;

  /**
   * @param price what O charges ({@code -pricePerUnit} / {@code -pixelsPerUnit}); must equal the node's config
   * @param tickets ticket EV ({@code -ticketEV}), {@code -maxFaceValue}, expiration blocks (40)
   * @param redeemInterval how often the redemption loop looks for due tickets (default 2 s)
   */
  public record Config(Price price, TicketParamsIssuer.Config tickets, Duration redeemInterval) {
    public Config {
      Objects.requireNonNull(price, "price");
      Objects.requireNonNull(tickets, "tickets");
      if (redeemInterval == null || redeemInterval.isNegative() || redeemInterval.isZero()) {
        throw new IllegalArgumentException("redeem interval must be positive");
      }
    }

    public static Config of(Price price, TicketParamsIssuer.Config tickets) {
      return new Config(price, tickets, Duration.ofSeconds(2));
    }

    public Config withRedeemInterval(Duration interval) {
      return new Config(price, tickets, interval);
    }
  }

  /** Totals since start, for logs, the demo and tests. */
  public record Stats(long payments, long tickets, long winners, BigDecimal creditedWei, BigDecimal debitedWei,
      long pixels, long refused, int queued, int redeemed, int forwarded) {}

  private final Config config;
  private final byte[] accountKey;
  private final EthAddress recipient;
  private final RedemptionQueue queue;
  private final SenderMonitor senders;
  private final TicketParamsIssuer issuer;
  private final TicketValidator validator;
  private final Balances balances;
  private final ScheduledExecutorService redeemer;
  private final ConcurrentHashMap<String, EthAddress> sessionSenders = new ConcurrentHashMap<>();
  private final AtomicLong payments = new AtomicLong();
  private final AtomicLong tickets = new AtomicLong();
  private final AtomicLong winners = new AtomicLong();
  private final AtomicLong pixels = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicReference<BigDecimal> credited = new AtomicReference<>(BigDecimal.ZERO);
  private final AtomicReference<BigDecimal> debited = new AtomicReference<>(BigDecimal.ZERO);
  private volatile RedemptionQueue.Report lastReport = new RedemptionQueue.Report(0, 0, 0, 0, false);
  private final Optional<RedeemerClient> redeemerLink;

  private OrchestratorPayments(Config config, byte[] accountKey, TicketBroker broker, RoundsView rounds, Path dataDir,
      Clock clock, Optional<RedeemerClient> redeemerLink) {
    this.config = config;
    this.accountKey = accountKey.clone();
    this.recipient = EthKey.fromPrivateKey(accountKey).address();
    this.redeemerLink = redeemerLink;
    this.queue = RedemptionQueue.open(dataDir, broker, rounds, clock);
    this.senders = redeemerLink.isPresent()
        ? new SenderMonitor(recipient, broker, queue, clock, SenderMonitor.DEFAULT_CACHE_TTL, redeemerLink.get()::maxFloat)
        : new SenderMonitor(recipient, broker, queue, clock, SenderMonitor.DEFAULT_CACHE_TTL);
    byte[] secret = new byte[32];
    SecureRandom random = new SecureRandom();
    random.nextBytes(secret);
    this.issuer = new TicketParamsIssuer(recipient, secret, config.tickets(), rounds, senders, random);
    this.balances = new Balances(clock);
    this.validator = new TicketValidator(issuer, rounds, senders, balances, queue);
    this.redeemer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ticket-redeemer");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens the winning-ticket queue in {@code dataDir} and starts the redemption loop.
   *
   * @param accountKey the 32-byte private key of O's Ethereum account: the ticket recipient, and O's signing key
   *     on the wire (so OrchestratorInfo.address is the account that redeems)
   */
  public static OrchestratorPayments start(Config config, byte[] accountKey, TicketBroker broker, RoundsView rounds,
      Path dataDir, Clock clock) {
    return start(config, accountKey, broker, rounds, dataDir, clock, Optional.empty());
  }

  /**
   * As above; with {@code redeemer} ({@code -redeemerAddr}) winning tickets are not redeemed here but handed to that
   * ticket redemption service, and max float comes from it. The local queue is then the outbox: a winner is stored
   * (fsync'ed) before the segment is answered and stays QUEUED until the redeemer has stored it too (FORWARDED), so
   * neither a crash here nor the redeemer being away loses it. Closing the payments closes the client.
   */
  public static OrchestratorPayments start(Config config, byte[] accountKey, TicketBroker broker, RoundsView rounds,
      Path dataDir, Clock clock, Optional<RedeemerClient> redeemer) {
    OrchestratorPayments p = new OrchestratorPayments(config, accountKey, broker, rounds, dataDir, clock, redeemer);
    long every = config.redeemInterval().toMillis();
    p.redeemer.scheduleWithFixedDelay(p::redeemDue, every, every, TimeUnit.MILLISECONDS);
    int waiting = p.queue.entries(RedemptionQueue.State.QUEUED).size();
    log.info("payments: recipient {}, price {} wei per {} pixels, ticket EV {} wei; {} winning tickets waiting{}",
        p.recipient, config.price().pricePerUnit(), config.price().pixelsPerUnit(), config.tickets().ticketEV(),
        waiting, redeemer.map(r -> " to be handed to the redeemer at " + r.address()).orElse(""));
    return p;
  }

  byte[] accountKey() {
    return accountKey.clone();
  }

  public EthAddress recipient() {
    return recipient;
  }

  public Price price() {
    return config.price();
  }

  /** The persistent winning-ticket queue (read it for reports; the loop redeems). */
  public RedemptionQueue queue() {
    return queue;
  }

  /**
   * One pass of the redemption loop, now; returns what it did (also what the loop calls). With a redeemer the pass
   * hands the queued tickets over instead; the report then counts them as redeemed.
   */
  public RedemptionQueue.Report redeemDue() {
    if (redeemerLink.isPresent()) {
      return forwardQueued(redeemerLink.get());
    }
    try {
      RedemptionQueue.Report r = queue.redeemDue();
      lastReport = r;
      if (r.redeemed() + r.dropped() + r.failed() > 0) {
        log.info("redeemed {} winning tickets ({} dropped, {} failed, {} due and waiting)", r.redeemed(), r.dropped(),
            r.failed(), r.deferred());
      } else if (r.brokerUnavailable() && r.deferred() > 0) {
        log.warn("chain unreachable: {} winning tickets wait for redemption", r.deferred());
      }
      balances.expireIdle();
      return r;
    } catch (RuntimeException e) {
      // Keep the loop alive whatever happens: a ticket left QUEUED is retried on the next pass.
      log.warn("redemption pass failed: {}", e.toString());
      return new RedemptionQueue.Report(0, 0, 0, 0, true);
    }
  }

  private RedemptionQueue.Report forwardQueued(RedeemerClient link) {
    try {
      RedemptionQueue.ForwardReport f = queue.forwardQueued(link::queueTicket);
      if (f.forwarded() + f.refused() > 0) {
        log.info("handed {} winning tickets to the redeemer at {} ({} refused by it)", f.forwarded(), link.address(),
            f.refused());
      }
      if (f.unavailable()) {
        log.warn("redeemer {} unreachable: {} winning tickets wait here until it is back", link.address(),
            f.waiting());
      }
      balances.expireIdle();
      RedemptionQueue.Report r = new RedemptionQueue.Report(f.forwarded(), 0, f.refused(), f.waiting(), f.unavailable());
      lastReport = r;
      return r;
    } catch (RuntimeException e) {
      log.warn("hand-over to the redeemer failed: {}", e.toString()); // tickets stay QUEUED for the next pass
      return new RedemptionQueue.Report(0, 0, 0, 0, true);
    }
  }

  public Stats stats() {
    return new Stats(payments.get(), tickets.get(), winners.get(), credited.get(), debited.get(), pixels.get(),
        refused.get(), queue.entries(RedemptionQueue.State.QUEUED).size(),
        queue.entries(RedemptionQueue.State.REDEEMED).size(), queue.entries(RedemptionQueue.State.FORWARDED).size());
  }

  @Override
  public boolean onChain() {
    return true;
  }

  @Override
  public boolean charges() {
    return !config.price().isFree();
  }

  @Override
  public TicketParams ticketParams(byte[] broadcaster) {
    if (broadcaster.length != 20) {
      return TicketParams.getDefaultInstance(); // B did not say who it is: it cannot pay, O cannot issue
    }
    try {
      return PaymentCodec.toProto(issuer.issue(EthAddress.of(broadcaster), config.price()));
    } catch (BrokerUnavailableException e) {
      throw new WireException(503, "cannot issue ticket params: the Ethereum node is unreachable (" + e.getMessage()
          + ")", e);
    } catch (PaymentsException e) {
      throw new WireException(400, e.getMessage(), e);
    }
  }

  @Override
  public void accept(String sessionId, Payment payment, SegData segData) {
    if (!charges()) {
      return;
    }
    try {
      EthAddress sender = sender(sessionId, payment);
      if (payment.getTicketSenderParamsCount() > 0) {
        io.jlivepeer.payments.Payment p = PaymentCodec.fromProto(payment);
        if (p.expectedPrice().comparePerPixel(config.price()) < 0) {
          throw new WireException(400, INVALID_TICKET + " (PRICE): the payment expects " + p.expectedPrice()
              .pricePerUnit() + " wei per " + p.expectedPrice().pixelsPerUnit() + " pixels, below this orchestrator's "
              + "price; fetch fresh OrchestratorInfo");
        }
        TicketValidator.Receipt r;
        try {
          r = validator.receive(p, sessionId);
        } catch (InvalidTicketException e) {
          throw new WireException(400, INVALID_TICKET + " (" + e.reason() + "): " + e.getMessage(), e);
        } catch (BrokerUnavailableException e) {
          throw new WireException(503, "cannot check the sender's deposit: the Ethereum node is unreachable", e);
        } catch (PaymentsException e) {
          throw new WireException(400, INVALID_TICKET + ": " + e.getMessage(), e);
        }
        payments.incrementAndGet();
        tickets.addAndGet(r.tickets());
        winners.addAndGet(r.winners());
        credited.accumulateAndGet(r.credited(), BigDecimal::add);
        if (r.winners() > 0) {
          log.info("session {}: {} of {} tickets from {} won", sessionId, r.winners(), r.tickets(), sender);
        }
      }
      sessionSenders.put(sessionId, sender);
      if (segData.equals(SegData.getDefaultInstance())) {
        return; // POST /payment: credit only
      }
      BigDecimal min = config.tickets().ticketEV().toBigDecimal();
      if (!balances.covers(sender, sessionId, min)) {
        throw new WireException(400, INSUFFICIENT_BALANCE);
      }
    } catch (WireException e) {
      refused.incrementAndGet();
      throw e;
    }
  }

  private EthAddress sender(String sessionId, Payment payment) {
    if (payment.getSender().size() == 20) {
      EthAddress s = EthAddress.of(payment.getSender().toByteArray());
      EthAddress known = sessionSenders.get(sessionId);
      if (known != null && !known.equals(s)) {
        throw new WireException(400, INVALID_TICKET + ": session " + sessionId + " is paid for by " + known
            + ", not " + s);
      }
      return s;
    }
    EthAddress known = sessionSenders.get(sessionId);
    if (known == null) {
      throw new WireException(400, INSUFFICIENT_BALANCE);
    }
    return known;
  }

  @Override
  public void debit(String sessionId, long encodedPixels) {
    EthAddress sender = sessionSenders.get(sessionId);
    if (sender == null || !charges()) {
      return;
    }
    BigDecimal fee = config.price().forPixels(encodedPixels);
    balances.debit(sender, sessionId, fee);
    pixels.addAndGet(encodedPixels);
    debited.accumulateAndGet(fee, BigDecimal::add);
  }

  /** The balance a session has now, in fractional wei (tests, logs). */
  BigDecimal balance(String sessionId) {
    EthAddress sender = sessionSenders.get(sessionId);
    return sender == null ? BigDecimal.ZERO : balances.balance(sender, sessionId);
  }

  RedemptionQueue.Report lastReport() {
    return lastReport;
  }

  @Override
  public void close() {
    // Let a redemption in flight record its outcome (a mined ticket left QUEUED would only be DROPPED as "ticket is
    // used" after the next start, losing its tx hash); a pass never starts again after shutdown().
    redeemer.shutdown();
    try {
      if (!redeemer.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("the redemption loop did not stop within 10 s");
        redeemer.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    redeemerLink.ifPresent(RedeemerClient::close);
    queue.close();
  }
}
