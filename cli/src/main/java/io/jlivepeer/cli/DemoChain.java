package io.jlivepeer.cli;

import io.jlivepeer.chain.EthRpc;
import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.node.broadcaster.BroadcasterPayments;
import io.jlivepeer.node.orchestrator.OrchestratorPayments;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The demo's chain: a local dev chain (anvil, protocol deployed), orchestrators bonded to themselves, active and
 * keeping all their fees, a broadcaster with deposit and reserve, the current round initialized. Each node gets its
 * own chain side ({@link NodePayments}, as a real node started with -ethUrl/-ethController/-ethKeystorePath would),
 * from which its payments are built. {@link #report()} says where the money stands.
 */
final class DemoChain implements AutoCloseable {
  /**
   * @param orchestrators how many orchestrator accounts to activate
   * @param roundLength blocks per round (longer than the 40-block ticket params life, so tickets stay valid)
   * @param blockEverySecond mine an empty block every second (the demo); false: tests mine themselves
   * @param pricePerUnit orchestrators' price, wei per pixel
   * @param ticketEV orchestrators' -ticketEV (wei)
   * @param maxFaceValue orchestrators' -maxFaceValue (wei): with the EV it sets the win probability
   * @param deposit broadcaster's deposit
   * @param reserve broadcaster's reserve
   */
  record Settings(int orchestrators, long roundLength, boolean blockEverySecond, long pricePerUnit, String ticketEV,
      String maxFaceValue, Wei deposit, Wei reserve, String redeemInterval) {
    /** A winner every ~10 tickets and a ticket's worth of work per 2 s segment of the default ladder. */
    static Settings demo(int orchestrators) {
      return new Settings(orchestrators, 100, true, 50_000, "1000000000000", "10000000000000", Wei.ofEther("1"),
          Wei.ofEther("1"), "1s");
    }
  }

  private static final Wei STAKE = Wei.ofEther("1000");

  private final Settings settings;
  private final Devchain devchain;
  private final List<NodePayments> orchestrators = new ArrayList<>();
  private final List<OrchestratorPayments> orchestratorPayments = new ArrayList<>();
  private NodePayments broadcaster;
  private Wei initialDeposit = Wei.ZERO;

  private DemoChain(Settings settings, Devchain devchain) {
    this.settings = settings;
    this.devchain = devchain;
  }

  /** Starts the chain and does every on-chain step a real operator would before streaming. */
  static DemoChain start(Path dir, Settings s) {
    Devchain dev = Devchain.start(dir, new Devchain.Config(s.orchestrators() + 1, Wei.ofEther("100"),
        Wei.ofEther("10000"), s.roundLength(), 2, s.blockEverySecond()));
    DemoChain c = new DemoChain(s, dev);
    try {
      for (int i = 0; i < s.orchestrators(); i++) {
        c.orchestrators.add(NodePayments.start(c.flags(i, false), dir.resolve("chain-o" + (i + 1))).orElseThrow());
      }
      // The broadcaster's node initializes rounds: the orchestrators' accounts stay free for their own processes.
      c.broadcaster = NodePayments.start(c.flags(s.orchestrators(), true), dir.resolve("chain-b")).orElseThrow();
      c.setUp();
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The node flags of dev account {@code i}, as a person would type them. */
  PaymentFlags flags(int i, boolean initializeRound) {
    DevchainInfo info = devchain.info();
    DevchainInfo.Account a = info.accounts().get(i);
    PaymentFlags f = new PaymentFlags();
    new CommandLine(f).parseArgs("-ethUrl", info.rpcUrl(), "-ethController", info.controller().toString(),
        "-ethKeystorePath", a.keystore().toString(), "-ethPassword", Devchain.KEYSTORE_PASSWORD,
        "-cliAddr", "127.0.0.1:0", "-blockPollingInterval", "200ms", "-initializeRound=" + initializeRound,
        "-ticketEV", settings.ticketEV(), "-maxFaceValue", settings.maxFaceValue(),
        "-maxTicketEV", settings.ticketEV(), "-redeemInterval", settings.redeemInterval());
    return f;
  }

  /** Orchestrators bond 1000 LPT to themselves and become transcoders (fee share 0: they keep every fee). */
  private void setUp() {
    ProtocolClient first = broadcaster.chain().client();
    nextRound(first);
    for (NodePayments o : orchestrators) {
      ProtocolClient c = o.chain().client();
      c.approve(c.contracts().bondingManager(), STAKE);
      c.bond(STAKE, o.chain().address());
      c.transcoder(0, 0);
    }
    broadcaster.chain().client().fundDepositAndReserve(settings.deposit(), settings.reserve());
    // the broadcaster verifies orchestrators' work; as a registered verifier its fault proofs slash (-slashOnFault)
    devchain.registerVerifier(broadcaster.chain().address());
    initialDeposit = settings.deposit();
    nextRound(first); // bonded stake is active from the next round
    for (NodePayments o : orchestrators) {
      if (!first.isActiveTranscoder(o.chain().address())) {
        throw new CliException("demo chain: orchestrator " + o.chain().address() + " did not become active");
      }
    }
    for (NodePayments n : all()) {
      n.chain().blocks().poll();
    }
  }

  private List<NodePayments> all() {
    List<NodePayments> out = new ArrayList<>(orchestrators);
    out.add(broadcaster);
    return out;
  }

  /** Mines to the first block of the next round and initializes it. */
  void nextRound(ProtocolClient c) {
    EthRpc rpc = c.rpc();
    long target = c.currentRoundStartBlock() + c.roundLength();
    long blocks = target - rpc.blockNumber();
    if (blocks > 0) {
      mine(blocks);
    }
    // The broadcaster's node (-initializeRound) may get there first: either way the round ends up initialized.
    try {
      if (!c.currentRoundInitialized()) {
        c.initializeRound();
      }
    } catch (io.jlivepeer.chain.ChainException e) {
      if (!String.valueOf(e.getMessage()).contains("round already initialized")) {
        throw e;
      }
    }
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (!c.currentRoundInitialized()) {
      if (System.nanoTime() > deadline) {
        throw new CliException("demo chain: round " + c.currentRound() + " did not get initialized");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // the chain mines on its own time
    }
  }

  void mine(long blocks) {
    client().rpc().call("anvil_mine", "0x" + Long.toHexString(blocks));
  }

  /** The chain's flags for orchestrator {@code i} run as its own process (tests). */
  List<String> orchestratorArgs(int i) {
    DevchainInfo info = devchain.info();
    return List.of("-ethUrl", info.rpcUrl(), "-ethController", info.controller().toString(),
        "-ethKeystorePath", info.accounts().get(i).keystore().toString(), "-ethPassword", Devchain.KEYSTORE_PASSWORD,
        "-cliAddr", "127.0.0.1:0", "-blockPollingInterval", "200ms", "-ticketEV", settings.ticketEV(),
        "-maxFaceValue", settings.maxFaceValue(), "-redeemInterval", settings.redeemInterval(),
        "-pricePerUnit", Long.toString(settings.pricePerUnit()), "-pixelsPerUnit", "1");
  }

  /** The chain's flags for the broadcaster's account run as its own process (tests): it pays with tickets. */
  List<String> broadcasterArgs() {
    DevchainInfo info = devchain.info();
    return List.of("-ethUrl", info.rpcUrl(), "-ethController", info.controller().toString(),
        "-ethKeystorePath", info.accounts().get(orchestrators.size()).keystore().toString(), "-ethPassword",
        Devchain.KEYSTORE_PASSWORD, "-blockPollingInterval", "200ms", "-maxTicketEV", settings.ticketEV(),
        "-pixelsPerUnit", "1");
  }

  int orchestratorCount() {
    return orchestrators.size();
  }

  long pricePerUnit() {
    return settings.pricePerUnit();
  }

  /** Orchestrator {@code i}'s payments, redeeming into its data dir; closed with this chain. */
  OrchestratorPayments orchestratorPayments(int i, Path dataDir) {
    OrchestratorPayments p = orchestrators.get(i).orchestrator(settings.pricePerUnit(), 1, dataDir);
    orchestratorPayments.add(p);
    return p;
  }

  BroadcasterPayments broadcasterPayments() {
    return broadcaster.broadcaster(1);
  }

  /** Registers orchestrator {@code i}'s service URI, so that it is listed like any registered orchestrator. */
  void register(int i, String serviceUri) {
    orchestrators.get(i).chain().client().setServiceURI(serviceUri);
  }

  EthAddress orchestratorAddress(int i) {
    return orchestrators.get(i).chain().address();
  }

  EthAddress broadcasterAddress() {
    return broadcaster.chain().address();
  }

  ProtocolClient client() {
    return broadcaster.chain().client();
  }

  /** Whether the TicketBroker marked every one of these ticket hashes (0x-hex) used: redeemed. */
  boolean allUsed(List<String> ticketHashes) {
    for (String h : ticketHashes) {
      if (!client().usedTickets(io.jlivepeer.payments.Bytes32.fromHex(h).toBytes())) {
        return false;
      }
    }
    return true;
  }

  /** What the broadcaster's deposit lost since funding. */
  BigInteger depositSpent() {
    return initialDeposit.value().subtract(client().getSenderInfo(broadcasterAddress()).deposit().value());
  }

  /** An orchestrator's fees on chain (it is its own only delegator, fee share 0: all of them). */
  BigInteger fees(int i) {
    return client().pendingFees(orchestratorAddress(i), 0).value();
  }

  /** One line on the money: B's deposit and reserve, each O's fees and tickets. */
  String report() {
    StringBuilder b = new StringBuilder();
    try {
      SenderInfo s = client().getSenderInfo(broadcasterAddress());
      b.append("chain: B deposit ").append(eth(s.deposit().value())).append(" reserve ")
          .append(eth(s.reserveFundsRemaining().value()));
      for (int i = 0; i < orchestrators.size(); i++) {
        b.append(" | O").append(i + 1).append(" fees ").append(eth(fees(i)));
        if (i < orchestratorPayments.size()) {
          OrchestratorPayments.Stats st = orchestratorPayments.get(i).stats();
          b.append(", tickets ").append(st.tickets()).append(" won ").append(st.winners()).append(" redeemed ")
              .append(st.redeemed()).append(" waiting ").append(st.queued());
        }
      }
    } catch (RuntimeException e) {
      b.append("chain: cannot read (").append(e.getMessage()).append(')');
    }
    return b.toString();
  }

  static String eth(BigInteger wei) {
    return new java.math.BigDecimal(wei).movePointLeft(18).stripTrailingZeros().toPlainString() + " ETH";
  }

  /** Redeemed tickets of orchestrator {@code i} (tests). */
  List<RedemptionQueue.Entry> redeemed(int i) {
    return orchestratorPayments.get(i).queue().entries(RedemptionQueue.State.REDEEMED);
  }

  Optional<OrchestratorPayments> payments(int i) {
    return i < orchestratorPayments.size() ? Optional.of(orchestratorPayments.get(i)) : Optional.empty();
  }

  @Override
  public void close() {
    for (OrchestratorPayments p : orchestratorPayments) {
      p.close();
    }
    if (broadcaster != null) {
      broadcaster.close();
    }
    for (NodePayments o : orchestrators) {
      o.close();
    }
    devchain.close();
  }
}
