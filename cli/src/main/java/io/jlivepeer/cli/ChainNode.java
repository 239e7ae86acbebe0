package io.jlivepeer.cli;

import io.jlivepeer.chain.BlockWatcher;
import io.jlivepeer.chain.EthRpc;
import io.jlivepeer.chain.Keystores;
import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.chain.RewardService;
import io.jlivepeer.chain.RoundInitializer;
import io.jlivepeer.chain.RoundWatcher;
import io.jlivepeer.chain.TxManager;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.payments.Wei;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * The on-chain side of a node, wired from {@link ChainOptions}: JSON-RPC connection, account, transaction
 * manager, protocol client, block and round watchers, the optional round initializer and reward caller,
 * and the local CLI HTTP API. Closing stops all of it.
 */
final class ChainNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChainNode.class);

  /** The Controller of the protocol deployed on Arbitrum One. */
  static final String ARBITRUM_ONE_CONTROLLER = "0xD8E8328501E9645d16Cf49539efC04f734606ee4";

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final EthRpc rpc;
  private final TxManager tx;
  private final ProtocolClient client;
  private final BlockWatcher blocks;
  private final RoundWatcher rounds;
  private final ChainApiServer api;
  private final Credentials credentials;

  private ChainNode(ChainOptions o) {
    if (o.offchain()) {
      throw new ChainUsageException("-network offchain has no chain; use -network devchain or give -ethUrl and -ethController");
    }
    Path networkDir = o.dataDir().resolve(o.network);
    String url = o.ethUrl;
    String controller = o.ethController;
    boolean dev = o.network.equals("devchain");
    if (dev && (url.isBlank() || controller.isBlank())) {
      DevchainInfo info = DevchainInfo.read(DevchainInfo.file(o.dataDir()));
      url = url.isBlank() ? info.rpcUrl() : url;
      controller = controller.isBlank() ? info.controller().toString() : controller;
    } else if (o.network.equals("arbitrum-one-mainnet") && controller.isBlank()) {
      controller = ARBITRUM_ONE_CONTROLLER;
    }
    if (url.isBlank()) {
      throw new ChainUsageException("-network " + o.network + " needs -ethUrl (the JSON-RPC URL of an Ethereum node)");
    }
    if (controller.isBlank()) {
      throw new ChainUsageException("-network " + o.network + " needs -ethController (the Controller contract's address)");
    }
    EthAddress controllerAddress = parseAddress("-ethController", controller);
    Wei maxGasPrice = o.maxGasPrice.isBlank() ? TxManager.Config.DEFAULTS.maxGasPrice() : ChainApiServer.amount("-maxGasPrice", o.maxGasPrice);
    Duration poll = o.pollInterval();
    InetSocketAddress cliAddr = ChainApiServer.loopback(o.cliAddr);

    // The keystore first: a wrong password should not wait for a slow or absent Ethereum node.
    Credentials creds = credentials(o, networkDir, dev);
    this.credentials = creds;
    this.rpc = EthRpc.connect(url);
    resources.add(rpc);
    try {
      TxManager.Config cfg =
          TxManager.Config.DEFAULTS
              .withPollInterval(dev ? Duration.ofMillis(100) : poll)
              .withMaxGasPrice(maxGasPrice);
      this.tx = TxManager.create(rpc, creds, cfg);
      resources.add(tx);
      this.client = ProtocolClient.connect(tx, controllerAddress);
      ScheduledExecutorService scheduler =
          Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("chain-watch").daemon().factory());
      resources.add(scheduler::shutdownNow);
      ExecutorService actions = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("chain-action-", 0).factory());
      resources.add(actions::shutdown);
      this.blocks = new BlockWatcher(rpc, poll, scheduler);
      resources.add(blocks);
      this.rounds = new RoundWatcher(client);
      blocks.addListener(rounds);
      if (o.initializeRound) {
        rounds.addListener(new RoundInitializer(client, actions));
      }
      if (o.reward) {
        rounds.addListener(new RewardService(client, actions));
      }
      this.api = new ChainApiServer(client, rounds, cliAddr);
      resources.add(api);
      blocks.start();
      log.info(
          "chain: {} (chain id {}), account {}, Controller {}, CLI API http://{}",
          rpc.url(), rpc.chainId(), tx.address(), controllerAddress, api.address().getHostString() + ":" + api.address().getPort());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Serves a broadcaster's verification faults on the CLI API ({@code livepeer cli faults}). */
  void serveFaults(java.util.function.Supplier<String> json) {
    api.serveFaults(json);
  }

  static ChainNode start(ChainOptions o) {
    return new ChainNode(o);
  }

  private static Credentials credentials(ChainOptions o, Path networkDir, boolean dev) {
    Path keystore = o.ethKeystorePath.isBlank() ? networkDir.resolve("keystore") : Path.of(o.ethKeystorePath);
    String password = Keystores.password(o.ethPassword);
    if (!o.ethAcctAddr.isBlank()) {
      return Keystores.load(keystore, parseAddress("-ethAcctAddr", o.ethAcctAddr), password);
    }
    if (!Files.isRegularFile(keystore) && Keystores.accounts(keystore).isEmpty()) {
      Path created = Keystores.create(keystore, password, dev);
      log.warn("no Ethereum account in {}: created a new one in {}; fund it before sending transactions", keystore, created);
    }
    return Keystores.loadOnly(keystore, password);
  }

  static EthAddress parseAddress(String what, String text) {
    try {
      return EthAddress.of(text);
    } catch (PaymentsException e) {
      throw new ChainUsageException(what + ": " + e.getMessage());
    }
  }

  ProtocolClient client() {
    return client;
  }

  /** The account's 32-byte private key: payments sign tickets (B) and O signs results with it. */
  byte[] accountKey() {
    return org.web3j.utils.Numeric.toBytesPadded(credentials.getEcKeyPair().getPrivateKey(), 32);
  }

  EthAddress address() {
    return tx.address();
  }

  RoundWatcher rounds() {
    return rounds;
  }

  BlockWatcher blocks() {
    return blocks;
  }

  InetSocketAddress apiAddress() {
    return api.address();
  }

  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        log.debug("closing {} failed: {}", resources.get(i), e.toString());
      }
    }
    resources.clear();
  }
}
