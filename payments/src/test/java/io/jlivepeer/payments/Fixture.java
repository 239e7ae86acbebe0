package io.jlivepeer.payments;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/** One orchestrator and one broadcaster wired to in-memory chain fakes and a real SQLite queue. */
final class Fixture implements AutoCloseable {
  static final long DEPOSIT = 1_000_000_000_000_000_000L; // 1 ETH
  static final long RESERVE = 1_000_000_000_000_000_000L;

  final MutableClock clock = new MutableClock();
  final FakeRoundsView rounds = new FakeRoundsView();
  final FakeTicketBroker broker = new FakeTicketBroker();
  final EthKey orchestratorKey = EthKey.fromHex("11".repeat(32));
  final EthKey broadcasterKey = EthKey.fromHex("22".repeat(32));
  final Price price = Price.of(1000, 1); // 1000 wei per pixel
  final RedemptionQueue queue;
  final SenderMonitor monitor;
  final TicketParamsIssuer issuer;
  final Balances balances;
  final TicketValidator validator;
  final TicketSender sender;

  Fixture(Path dataDir, TicketParamsIssuer.Config config, int maxNonces) {
    broker.fund(broadcasterKey.address(), DEPOSIT, RESERVE);
    broker.roundBlockHashes.put(rounds.round.creationRound(), rounds.round.creationRoundBlockHash());
    queue = RedemptionQueue.open(dataDir, broker, rounds, clock);
    monitor = new SenderMonitor(orchestratorKey.address(), broker, queue, clock, Duration.ofSeconds(30));
    issuer = new TicketParamsIssuer(orchestratorKey.address(), new byte[32], config, rounds, monitor, new Random(7));
    balances = new Balances(clock);
    validator = new TicketValidator(issuer, rounds, monitor, balances, queue, maxNonces);
    sender = new TicketSender(broadcasterKey, broker, rounds, TicketSender.Config.defaults(), clock);
  }

  Fixture(Path dataDir) {
    this(dataDir, TicketParamsIssuer.Config.defaults(), TicketValidator.DEFAULT_MAX_NONCES);
  }

  /** A config under which every ticket wins: face value = EV, so winProb = 2^256 - 1. */
  static TicketParamsIssuer.Config alwaysWin() {
    Wei ev = Wei.of(1_000_000_000_000L);
    return TicketParamsIssuer.Config.defaults().withTicketEV(ev).withMaxFaceValue(ev);
  }

  TicketParams params() {
    return issuer.issue(broadcasterKey.address(), price);
  }

  @Override
  public void close() {
    queue.close();
  }
}
