package io.jlivepeer.cli;

import io.jlivepeer.chain.ChainRoundsView;
import io.jlivepeer.chain.ChainTicketBroker;
import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.node.broadcaster.BroadcasterPayments;
import io.jlivepeer.node.broadcaster.FaultReporter;
import io.jlivepeer.node.orchestrator.OrchestratorPayments;
import io.jlivepeer.node.orchestrator.RedeemerClient;
import io.jlivepeer.node.orchestrator.RedeemerNode;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.payments.Price;
import io.jlivepeer.payments.TicketParamsIssuer;
import io.jlivepeer.payments.TicketSender;
import io.jlivepeer.payments.Wei;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * A video node's chain side when payments are on: the {@link ChainNode} (account, watchers, round initializer,
 * reward, CLI API) and payments' ports on it ({@link ChainTicketBroker}, {@link ChainRoundsView}), from which the
 * orchestrator's or broadcaster's payments are built. Closing stops the chain side.
 */
final class NodePayments implements AutoCloseable {
  private final PaymentFlags flags;
  private final ChainNode chain;
  private final ChainTicketBroker broker;
  private final ChainRoundsView rounds;

  private NodePayments(PaymentFlags flags, ChainNode chain) {
    this.flags = flags;
    this.chain = chain;
    this.broker = new ChainTicketBroker(chain.client());
    this.rounds = ChainRoundsView.attach(chain.client().rpc(), chain.blocks(), chain.rounds());
    // Know the head, the round and the gas price before the first GetOrchestrator asks for ticket params.
    try {
      chain.blocks().poll();
    } catch (RuntimeException e) {
      // unreachable now: the watcher keeps polling and ticket params wait for its first answer
    }
  }

  /** Empty without chain flags (the node runs free). */
  static Optional<NodePayments> start(PaymentFlags flags, Path dataDir) {
    if (!flags.onChain()) {
      return Optional.empty();
    }
    return Optional.of(new NodePayments(flags, ChainNode.start(flags.chainOptions(dataDir))));
  }

  ChainNode chain() {
    return chain;
  }

  OrchestratorPayments orchestrator(long pricePerUnit, long pixelsPerUnit, Path dataDir) {
    return orchestrator(pricePerUnit, pixelsPerUnit, dataDir, "");
  }

  /** As above; a non-blank {@code redeemerAddr} hands winning tickets to that redeemer instead of redeeming here. */
  OrchestratorPayments orchestrator(long pricePerUnit, long pixelsPerUnit, Path dataDir, String redeemerAddr) {
    if (!flags.ethOrchAddr.isBlank() && !parse("-ethOrchAddr", flags.ethOrchAddr).equals(address())) {
      throw new CliException("-ethOrchAddr " + flags.ethOrchAddr + " differs from the orchestrator's account "
          + address() + ": a jlivepeer orchestrator is its own ticket recipient; drop -ethOrchAddr or use that"
          + " account's keystore");
    }
    try {
      TicketParamsIssuer.Config tickets = TicketParamsIssuer.Config.defaults()
          .withTicketEV(wei("-ticketEV", flags.ticketEV))
          .withMaxFaceValue(wei("-maxFaceValue", flags.maxFaceValue));
      OrchestratorPayments.Config cfg = OrchestratorPayments.Config.of(Price.of(pricePerUnit, pixelsPerUnit), tickets)
          .withRedeemInterval(ChainOptions.parseDuration("-redeemInterval", flags.redeemInterval));
      Optional<RedeemerClient> redeemer = redeemerAddr.isBlank() ? Optional.empty()
          : Optional.of(RedeemerClient.connect(redeemerAddr.strip()));
      return OrchestratorPayments.start(cfg, chain.accountKey(), broker, rounds, dataDir, Clock.systemUTC(), redeemer);
    } catch (PaymentsException e) {
      throw new CliException(e.getMessage());
    }
  }

  /**
   * The ticket redemption service ({@code -redeemer}) on {@code listen}, redeeming with this node's account for
   * {@code -ethOrchAddr} (default: the same account). Its queue lives in {@code <dataDir>/redeemer}, apart from an
   * orchestrator's on the same data dir.
   */
  RedeemerNode redeemer(java.net.InetSocketAddress listen, Path dataDir) {
    EthAddress recipient = flags.ethOrchAddr.isBlank() ? address() : parse("-ethOrchAddr", flags.ethOrchAddr);
    RedeemerNode.Config cfg = RedeemerNode.Config.of(listen.getHostString(), listen.getPort(),
        dataDir.resolve("redeemer"), recipient)
        .withRedeemInterval(ChainOptions.parseDuration("-redeemInterval", flags.redeemInterval));
    return RedeemerNode.start(cfg, broker, rounds, Clock.systemUTC());
  }

  /**
   * {@code -slashOnFault}: fault proofs go to the Verifier contract from this node's account, which must be a
   * registered verifier (the contract's owner adds it with setVerifier) and receives the finder's fee.
   */
  FaultReporter faultReporter() {
    ProtocolClient client = chain.client();
    if (!client.isVerifier(address())) {
      org.slf4j.LoggerFactory.getLogger(NodePayments.class).warn("-slashOnFault: account {} is not a registered"
          + " verifier of the Verifier contract, so its fault proofs will be refused (\"verdict not signed by a"
          + " verifier\"); ask the contract's owner to call setVerifier", address());
    }
    return proof -> {
      ProtocolClient.FaultProof p = new ProtocolClient.FaultProof(proof.manifestId(), proof.seq(),
          Bytes32.of(proof.segmentHash()), proof.profileIds(), proof.broadcasterSig(),
          proof.renditionHashes().stream().map(Bytes32::of).toList(), EthAddress.of(proof.transcoder()),
          proof.transcoderSig(), proof.renditionIndex(), proof.verdictSeq(), proof.score(), proof.verdictSig());
      return client.submitFault(p).transactionHash();
    };
  }

  /** This node's account, as payments' type. */
  EthAddress address() {
    return chain.address();
  }

  private static EthAddress parse(String flag, String text) {
    try {
      return EthAddress.of(text);
    } catch (PaymentsException e) {
      throw new CliException(flag + ": " + e.getMessage());
    }
  }

  BroadcasterPayments broadcaster(long pixelsPerUnit) {
    try {
      TicketSender.Config sender = new TicketSender.Config(wei("-maxTicketEV", flags.maxTicketEV),
          wei("-maxTotalEV", flags.maxTotalEV), flags.depositMultiplier);
      BroadcasterPayments.Config cfg = new BroadcasterPayments.Config(sender,
          Price.of(flags.maxPricePerUnit, pixelsPerUnit));
      return BroadcasterPayments.create(cfg, chain.accountKey(), broker, rounds, Clock.systemUTC());
    } catch (PaymentsException e) {
      throw new CliException(e.getMessage());
    }
  }

  static Wei wei(String flag, String text) {
    return ChainApiServer.amount(flag, text);
  }

  @Override
  public void close() {
    chain.close();
  }
}
