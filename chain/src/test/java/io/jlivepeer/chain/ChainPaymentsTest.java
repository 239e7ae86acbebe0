package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.jlivepeer.payments.BrokerUnavailableException;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthCrypto;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.RedeemOutcome;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.Signature;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketExpirationParams;
import io.jlivepeer.payments.Wei;
import io.jlivepeer.payments.WinningTicket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Issue 5's on-chain acceptance: tickets built, hashed and signed by {@code payments} (no web3j signer) against the
 * deployed TicketBroker through {@link ChainTicketBroker} and {@link ChainRoundsView}, and payments'
 * {@link RedemptionQueue} driven by them. Watchers are polled by hand (no timers): the test decides when the node's
 * head is seen.
 */
class ChainPaymentsTest {
  private static final BigInteger ALWAYS_WINS = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
  private static final TxManager.Config FAST = TxManager.Config.DEFAULTS.withPollInterval(Duration.ofMillis(20));
  private static final Wei FACE_VALUE = Wei.of(1_000_000_000_000_000L);
  private static final SecureRandom RANDOM = new SecureRandom();

  static TestAnvil anvil;
  static EthRpc rpc;
  static EthAddress controller;
  static ScheduledExecutorService scheduler;
  static final List<TxManager> managers = new ArrayList<>();

  static EthKey broadcasterKey;
  static Credentials orchestratorCredentials;
  static ProtocolClient orchestrator;
  static ChainTicketBroker broker;
  static BlockWatcher blocks;
  static ChainRoundsView view;
  static long nonce;

  @BeforeAll
  static void deploy() {
    anvil = TestAnvil.start();
    rpc = EthRpc.connect(anvil.url);
    scheduler = Executors.newSingleThreadScheduledExecutor();
    byte[] bKey = new byte[32];
    RANDOM.nextBytes(bKey);
    broadcasterKey = EthKey.fromPrivateKey(bKey);
    Credentials broadcasterCredentials = Credentials.create(HexFormat.of().formatHex(bKey));
    orchestratorCredentials = Credentials.create(TestAnvil.KEYS.get(1));
    for (Credentials c : List.of(broadcasterCredentials, orchestratorCredentials)) {
      rpc.call("anvil_setBalance", c.getAddress(), "0x" + Wei.ofEther("1000").value().toString(16));
    }
    var web3j = org.web3j.protocol.Web3j.build(new org.web3j.protocol.http.HttpService(anvil.url));
    try {
      controller = EthAddress.of(ProtocolDeployer.deploy(web3j, TestAnvil.account(0), rpc.chainId(),
              ProtocolDeployer.Parameters.devDefaults().withInitialMints(List.of(
                  new ProtocolDeployer.Mint(orchestratorCredentials.getAddress(), Wei.ofEther("10000").value()))))
          .controller());
    } finally {
      web3j.shutdown();
    }
    orchestrator = client(orchestratorCredentials);
    ProtocolClient broadcaster = client(broadcasterCredentials);

    // The orchestrator becomes an active transcoder that keeps all its fees (feeShare 0), one round later.
    nextRound(); // deployment took blocks: start at the beginning of a round, before its lock period
    orchestrator.approve(orchestrator.contracts().bondingManager(), Wei.ofEther("1000"));
    orchestrator.bond(Wei.ofEther("1000"), orchestrator.account().orElseThrow());
    orchestrator.transcoder(0, 0);
    nextRound();
    assertThat(orchestrator.isActiveTranscoder(orchestrator.account().orElseThrow())).isTrue();
    broadcaster.fundDepositAndReserve(Wei.ofEther("1"), Wei.ofEther("1"));

    broker = new ChainTicketBroker(orchestrator);
    blocks = new BlockWatcher(rpc, Duration.ofSeconds(1), scheduler);
    RoundWatcher rounds = new RoundWatcher(ProtocolClient.readOnly(rpc, controller));
    blocks.addListener(rounds);
    view = ChainRoundsView.attach(rpc, blocks, rounds);
    blocks.poll();
  }

  @AfterAll
  static void stop() {
    managers.forEach(TxManager::close);
    scheduler.shutdownNow();
    rpc.close();
    anvil.close();
  }

  private static ProtocolClient client(Credentials c) {
    TxManager tx = TxManager.create(rpc, c, FAST);
    managers.add(tx);
    return ProtocolClient.connect(tx, controller);
  }

  private static void initialized(ProtocolClient c) {
    if (!c.currentRoundInitialized()) {
      c.initializeRound();
    }
  }

  private static void mine(long n) {
    rpc.call("anvil_mine", "0x" + Long.toHexString(n));
  }

  /** Mines to the first block of the next round, initializes it and lets the watchers see it. */
  private static long nextRound() {
    long target = orchestrator.currentRoundStartBlock() + orchestrator.roundLength();
    mine(target - rpc.blockNumber());
    initialized(orchestrator);
    return orchestrator.currentRound();
  }

  /**
   * Makes sure the next {@code blocks} blocks (each redemption mines one) stay in the current, initialized round:
   * a redemption in the first block of a round nobody initialized yet reverts with "current round is not
   * initialized", which is not what these tests are about.
   */
  private static void roomInRound(long blocks) {
    if (rpc.blockNumber() + blocks >= orchestrator.currentRoundStartBlock() + orchestrator.roundLength()) {
      nextRound();
    }
    initialized(orchestrator);
  }

  private static EthAddress address(Credentials c) {
    return EthAddress.of(c.getAddress());
  }

  private static EthAddress orchestratorAddress() {
    return address(orchestratorCredentials);
  }

  private static Bytes32 randHash(BigInteger rand) {
    byte[] word = new byte[32];
    byte[] r = rand.toByteArray();
    int len = Math.min(r.length, 32);
    System.arraycopy(r, r.length - len, word, 32 - len, len);
    return Bytes32.of(EthCrypto.keccak256(word));
  }

  /** A ticket as a broadcaster makes it: payments' hash, signed with payments' key (personal-sign). */
  record Signed(Ticket ticket, Signature sig, BigInteger rand) {
    WinningTicket winning(long expirationBlock) {
      return new WinningTicket(ticket, sig, rand, expirationBlock);
    }
  }

  private static Signed ticket(BigInteger winProb, TicketExpirationParams params, EthKey signer) {
    BigInteger rand = new BigInteger(255, RANDOM);
    Ticket t = new Ticket(orchestratorAddress(), broadcasterKey.address(), FACE_VALUE, winProb, ++nonce, randHash(rand),
        params.creationRound(), params.creationRoundBlockHash());
    return new Signed(t, signer.signPersonal(t.hash()), rand);
  }

  /** A winning ticket against the last initialized round as the watchers see it now. */
  private static Signed winning() {
    initialized(orchestrator);
    blocks.poll();
    return ticket(ALWAYS_WINS, view.lastInitializedRound(), broadcasterKey);
  }

  private static RedeemOutcome redeem(Signed s) {
    roomInRound(2);
    return broker.redeemWinningTicket(s.ticket(), s.sig(), s.rand());
  }

  private static BigInteger fees() {
    return orchestrator.pendingFees(orchestrator.account().orElseThrow(), 0).value();
  }

  private static BigInteger deposit() {
    return broker.senderInfo(broadcasterKey.address()).deposit().value();
  }

  private static BigInteger face(long tickets) {
    return FACE_VALUE.value().multiply(BigInteger.valueOf(tickets));
  }

  private static long receiptBlock(String txHash) {
    JsonNode r = rpc.call("eth_getTransactionReceipt", txHash);
    assertThat(r.path("status").asText()).as("status of %s", txHash).isEqualTo("0x1");
    return EthRpc.quantity(r.path("blockNumber")).longValueExact();
  }

  @Test
  void winningTicketSignedByPaymentsIsRedeemedAndMovesFaceValueFromDepositToFees() {
    Signed s = winning();
    BigInteger feesBefore = fees();
    BigInteger depositBefore = deposit();

    RedeemOutcome outcome = redeem(s);

    assertThat(outcome).isInstanceOf(RedeemOutcome.Redeemed.class);
    String txHash = ((RedeemOutcome.Redeemed) outcome).txHash();
    assertThat(txHash).matches("0x[0-9a-f]{64}");
    receiptBlock(txHash);
    assertThat(fees()).isEqualTo(feesBefore.add(face(1)));
    assertThat(deposit()).isEqualTo(depositBefore.subtract(face(1)));
    assertThat(orchestrator.usedTickets(s.ticket().hash().toBytes())).isTrue();
  }

  @Test
  void viewsAnswerWithPaymentsTypes() {
    assertThat(broker.transcoderPoolSize()).isEqualTo(1);
    var info = broker.senderInfo(broadcasterKey.address());
    assertThat(info.deposit().value()).isPositive().isLessThanOrEqualTo(Wei.ofEther("1").value());
    assertThat(info.reserveFundsRemaining().value()).isEqualTo(Wei.ofEther("1").value());
    assertThat(info.unlockInProgress()).isFalse();
    assertThat(broker.claimedReserve(broadcasterKey.address(), orchestratorAddress()).isZero()).isTrue();
    assertThat(broker.senderInfo(orchestratorAddress()).deposit().isZero()).isTrue();

    blocks.poll();
    assertThat(view.latestBlock()).isEqualTo(rpc.blockNumber());
    TicketExpirationParams p = view.lastInitializedRound();
    assertThat(p.creationRound()).isEqualTo(orchestrator.lastInitializedRound());
    assertThat(p.creationRoundBlockHash().toBytes()).isEqualTo(orchestrator.blockHashForRound(p.creationRound()));
    assertThat(view.gasPrice().value()).isEqualTo(EthRpc.quantity(rpc.call("eth_gasPrice")));
  }

  @Test
  void losingTicketRevertsWithTheContractsReason() {
    Signed won = winning();
    Signed lost = ticket(BigInteger.ZERO, won.ticket().expirationParams(), broadcasterKey);
    BigInteger feesBefore = fees();

    assertThat(redeem(lost)).isEqualTo(new RedeemOutcome.Reverted("ticket did not win"));
    assertThat(fees()).isEqualTo(feesBefore);
  }

  @Test
  void reusedTicketRevertsWithTheContractsReason() {
    Signed s = winning();
    assertThat(redeem(s)).isInstanceOf(RedeemOutcome.Redeemed.class);
    BigInteger feesBefore = fees();
    BigInteger depositBefore = deposit();

    assertThat(redeem(s)).isEqualTo(new RedeemOutcome.Reverted("ticket is used"));
    assertThat(fees()).isEqualTo(feesBefore);
    assertThat(deposit()).isEqualTo(depositBefore);
  }

  @Test
  void wronglySignedTicketRevertsWithTheContractsReason() {
    Signed good = winning();
    EthKey stranger = EthKey.random(RANDOM);
    Signed forged = new Signed(good.ticket(), stranger.signPersonal(good.ticket().hash()), good.rand());
    // Signed by the right key over another hash (the nonce differs): also not a signature over this ticket.
    Signed otherHash = new Signed(good.ticket(),
        broadcasterKey.signPersonal(good.ticket().withNonce(good.ticket().senderNonce() + 1000).hash()), good.rand());

    assertThat(redeem(forged)).isEqualTo(new RedeemOutcome.Reverted("invalid signature over ticket hash"));
    assertThat(redeem(otherHash)).isEqualTo(new RedeemOutcome.Reverted("invalid signature over ticket hash"));
    assertThat(redeem(good)).isInstanceOf(RedeemOutcome.Redeemed.class);
  }

  @Test
  void expiredTicketRevertsWithTheContractsReason() {
    Signed s = winning();
    long validity = orchestrator.ticketValidityPeriod();
    for (long i = 0; i < validity; i++) {
      nextRound();
    }
    assertThat(orchestrator.currentRound()).isEqualTo(s.ticket().creationRound() + validity);

    assertThat(redeem(s)).isEqualTo(new RedeemOutcome.Reverted("ticket is expired"));
  }

  @Test
  void queueRedeemsEachTicketOnceOldestFirstAfterExpiryAcrossReopen(@TempDir Path dir) {
    nextRound(); // the whole test (about 16 blocks) then runs inside one initialized round
    BigInteger feesBefore = fees();
    BigInteger depositBefore = deposit();
    List<Signed> early = List.of(winning(), winning(), winning());
    Signed late = winning();
    long earlyExpiry = rpc.blockNumber() + 3;
    long lateExpiry = rpc.blockNumber() + 12;

    try (RedemptionQueue queue = RedemptionQueue.open(dir, broker, view, Clock.systemUTC())) {
      early.forEach(s -> queue.add(s.winning(earlyExpiry)));
      queue.add(late.winning(lateExpiry));

      RedemptionQueue.Report notYet = queue.redeemDue();
      assertThat(notYet.redeemed()).isZero();
      assertThat(queue.entries(RedemptionQueue.State.QUEUED)).hasSize(4);

      mine(earlyExpiry - rpc.blockNumber());
      initialized(orchestrator);
      blocks.poll();
      RedemptionQueue.Report first = queue.redeemDue();
      assertThat(first.redeemed()).isEqualTo(3);
      assertThat(first.brokerUnavailable()).isFalse();
      List<RedemptionQueue.Entry> done = queue.entries(RedemptionQueue.State.REDEEMED);
      assertThat(done).extracting(e -> e.ticket().ticket()).containsExactlyElementsOf(early.stream().map(Signed::ticket).toList());
      List<Long> minedIn = done.stream().map(e -> receiptBlock(e.txHash().orElseThrow())).toList();
      assertThat(minedIn).isSorted().doesNotHaveDuplicates();
      assertThat(queue.entries(RedemptionQueue.State.QUEUED)).extracting(e -> e.ticket().ticket()).containsExactly(late.ticket());
      assertThat(queue.redeemDue().redeemed()).isZero();
    }
    assertThat(fees()).isEqualTo(feesBefore.add(face(3)));

    // A new process: the queue comes back from disk with new chain adapters.
    ChainTicketBroker broker2 = new ChainTicketBroker(orchestrator);
    try (RedemptionQueue queue = RedemptionQueue.open(dir, broker2, view, Clock.systemUTC())) {
      assertThat(queue.entries(RedemptionQueue.State.REDEEMED)).hasSize(3);
      assertThat(queue.redeemDue().redeemed()).as("the late ticket is not due yet").isZero();
      assertThat(rpc.blockNumber()).isLessThan(lateExpiry);
      mine(lateExpiry - rpc.blockNumber());
      initialized(orchestrator);
      blocks.poll();
      assertThat(queue.redeemDue().redeemed()).isEqualTo(1);
      assertThat(queue.redeemDue().redeemed()).isZero();
      assertThat(queue.entries(RedemptionQueue.State.REDEEMED)).hasSize(4);
      assertThat(queue.entries(RedemptionQueue.State.QUEUED)).isEmpty();
    }
    try (RedemptionQueue queue = RedemptionQueue.open(dir, broker2, view, Clock.systemUTC())) {
      assertThat(queue.redeemDue().redeemed()).isZero();
      assertThat(queue.entries(RedemptionQueue.State.REDEEMED)).hasSize(4);
    }
    assertThat(fees()).isEqualTo(feesBefore.add(face(4)));
    assertThat(deposit()).isEqualTo(depositBefore.subtract(face(4)));
  }

  @Test
  void ticketRedeemedBeforeACrashRecordedIsDroppedNotPaidTwice(@TempDir Path dir) {
    nextRound();
    Signed s = winning();
    // The transaction was mined but the process died before it recorded the outcome: the row is still QUEUED.
    assertThat(redeem(s)).isInstanceOf(RedeemOutcome.Redeemed.class);
    BigInteger feesBefore = fees();
    try (RedemptionQueue queue = RedemptionQueue.open(dir, broker, view, Clock.systemUTC())) {
      queue.add(s.winning(rpc.blockNumber()));
      blocks.poll();
      RedemptionQueue.Report r = queue.redeemDue();
      assertThat(r.redeemed()).isZero();
      assertThat(r.dropped()).isEqualTo(1);
      assertThat(queue.entries(RedemptionQueue.State.DROPPED)).hasSize(1);
    }
    assertThat(fees()).isEqualTo(feesBefore);
  }

  @Test
  void unreachableChainLeavesTicketsQueuedWithoutThrowing(@TempDir Path dir) throws IOException {
    nextRound(); // the whole test runs inside one initialized round
    Proxy proxy = Proxy.to(anvil.url);
    EthRpc viaProxy = EthRpc.connect(proxy.url(), Duration.ofSeconds(2));
    ProtocolClient o = client(orchestratorCredentials, viaProxy);
    ChainTicketBroker proxied = new ChainTicketBroker(o);
    BlockWatcher proxiedBlocks = new BlockWatcher(viaProxy, Duration.ofSeconds(1), scheduler);
    RoundWatcher proxiedRounds = new RoundWatcher(o);
    proxiedBlocks.addListener(proxiedRounds);
    ChainRoundsView proxiedView = ChainRoundsView.attach(viaProxy, proxiedBlocks, proxiedRounds);

    List<Signed> tickets = List.of(winning(), winning());
    BigInteger feesBefore = fees();
    try (RedemptionQueue queue = RedemptionQueue.open(dir, proxied, proxiedView, Clock.systemUTC())) {
      // Nothing seen yet: the view cannot say which block it is, the queue waits.
      tickets.forEach(s -> queue.add(s.winning(rpc.blockNumber())));
      assertThat(queue.redeemDue().brokerUnavailable()).isTrue();

      proxiedBlocks.poll();
      long seen = proxiedView.latestBlock();
      TicketExpirationParams params = proxiedView.lastInitializedRound();
      proxy.stop();

      // The node is gone: every view still answers from the cache, the broker's calls say "unavailable".
      assertThat(proxiedView.latestBlock()).isEqualTo(seen);
      assertThat(proxiedView.lastInitializedRound()).isEqualTo(params);
      assertThat(proxiedView.gasPrice().value()).isPositive();
      assertThatThrownBy(proxiedBlocks::poll).isInstanceOf(ChainException.class).hasMessageContaining("cannot reach");
      assertThatThrownBy(() -> proxied.senderInfo(broadcasterKey.address()))
          .isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("cannot reach");
      assertThatThrownBy(proxied::transcoderPoolSize).isInstanceOf(BrokerUnavailableException.class);
      RedeemOutcome direct = proxied.redeemWinningTicket(tickets.get(0).ticket(), tickets.get(0).sig(), tickets.get(0).rand());
      assertThat(direct).isInstanceOf(RedeemOutcome.Unavailable.class);
      assertThat(((RedeemOutcome.Unavailable) direct).message()).contains("cannot reach");

      RedemptionQueue.Report r = queue.redeemDue();
      assertThat(r.brokerUnavailable()).isTrue();
      assertThat(r.redeemed()).isZero();
      assertThat(queue.entries(RedemptionQueue.State.QUEUED)).hasSize(2);
    }
    assertThat(fees()).isEqualTo(feesBefore);

    // Back on a reachable node (a restart with a working -ethUrl): the waiting tickets are paid, once each.
    try (RedemptionQueue queue = RedemptionQueue.open(dir, broker, view, Clock.systemUTC())) {
      initialized(orchestrator);
      blocks.poll();
      assertThat(queue.redeemDue().redeemed()).isEqualTo(2);
      assertThat(queue.redeemDue().redeemed()).isZero();
    }
    assertThat(fees()).isEqualTo(feesBefore.add(face(2)));
  }

  private static ProtocolClient client(Credentials c, EthRpc via) {
    TxManager tx = TxManager.create(via, c, FAST);
    managers.add(tx);
    return ProtocolClient.connect(tx, controller);
  }

  /** An HTTP forwarder in front of anvil that can be switched off, leaving a dead port behind. */
  static final class Proxy {
    private final HttpServer server;

    private Proxy(HttpServer server) {
      this.server = server;
    }

    static Proxy to(String target) throws IOException {
      HttpClient http = HttpClient.newHttpClient();
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", exchange -> {
        try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
          HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(target))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(in.readAllBytes())).build(),
              HttpResponse.BodyHandlers.ofByteArray());
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(resp.statusCode(), resp.body().length);
          out.write(resp.body());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          exchange.sendResponseHeaders(502, -1);
        }
      });
      server.start();
      return new Proxy(server);
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    void stop() {
      server.stop(0);
    }
  }
}
