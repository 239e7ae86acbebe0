package io.jlivepeer.cli;

import io.jlivepeer.chain.ChainException;
import io.jlivepeer.chain.EthRpc;
import io.jlivepeer.chain.Keystores;
import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.chain.TxManager;
import io.jlivepeer.chain.ProtocolDeployer;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.Wei;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * A local development chain: anvil on loopback with the whole protocol deployed, a set of fresh accounts
 * funded with ETH and test LPT (their keystores under {@code <datadir>/devchain/keystore}), and
 * {@code devchain.json} telling nodes started with {@code -network devchain} where everything is.
 */
final class Devchain implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Devchain.class);
  /** The password of the dev accounts' keystores: a dev chain holds no real value. */
  static final String KEYSTORE_PASSWORD = "devchain";

  /**
   * Settings of a dev chain.
   *
   * @param accounts how many funded accounts to create (default 4)
   * @param ethEach ETH given to each account (default 100 ETH)
   * @param lptEach test LPT minted to each account (default 10,000 LPT)
   * @param roundLength blocks per round (default 20)
   * @param unbondingPeriod rounds before unbonded stake can be withdrawn (default 2)
   * @param blockEverySecond mine a block every second so that rounds pass on their own (the command's
   *     default); false: a block per transaction only (tests mine blocks themselves)
   */
  record Config(int accounts, Wei ethEach, Wei lptEach, long roundLength, long unbondingPeriod, boolean blockEverySecond) {
    static final Config DEFAULTS = new Config(4, Wei.ofEther("100"), Wei.ofEther("10000"), 20, 2, true);

    Config {
      if (accounts < 1) {
        throw new ChainUsageException("-accounts must be at least 1");
      }
      if (roundLength < 2) {
        throw new ChainUsageException("-roundLength must be at least 2 blocks");
      }
    }
  }

  private final Path dataDir;
  private final AutoCloseable anvil;
  private final DevchainInfo info;
  private final Map<String, String> contracts;
  private final ScheduledExecutorService miner;
  private final EthRpc minerRpc;

  private Devchain(Path dataDir, AutoCloseable anvil, DevchainInfo info, Map<String, String> contracts, boolean blockEverySecond) {
    this.dataDir = dataDir;
    this.anvil = anvil;
    this.info = info;
    this.contracts = contracts;
    if (blockEverySecond) {
      // Transactions still mine at once (automine); the extra empty blocks make rounds pass with time,
      // like on a real chain, without making every transaction wait for the next tick.
      minerRpc = EthRpc.connect(info.rpcUrl());
      miner = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("devchain-miner").daemon().factory());
      miner.scheduleAtFixedRate(this::mine, 1, 1, TimeUnit.SECONDS);
    } else {
      minerRpc = null;
      miner = null;
    }
  }

  private void mine() {
    try {
      minerRpc.call("evm_mine");
    } catch (ChainException e) {
      log.debug("devchain: mining a block failed: {}", e.getMessage());
    }
  }

  /**
   * Registers {@code account} as a verifier of the Verifier contract (the deployer owns it): its verdicts then
   * count, so a broadcaster on that account with -slashOnFault can prove faults.
   */
  void registerVerifier(EthAddress account) {
    try (EthRpc rpc = EthRpc.connect(info.rpcUrl());
        TxManager tx = TxManager.create(rpc, Credentials.create(DevchainDeployment.DEPLOYER_KEY),
            TxManager.Config.DEFAULTS.withPollInterval(java.time.Duration.ofMillis(100)))) {
      ProtocolClient.connect(tx, info.controller()).setVerifier(account, true);
    }
  }

  /** Starts anvil, deploys, funds the accounts and writes devchain.json; closing stops anvil. */
  static Devchain start(Path dataDir, Config cfg) {
    Path keystore = dataDir.resolve("devchain").resolve("keystore");
    clearOldKeys(keystore);
    List<DevchainInfo.Account> accounts = new ArrayList<>();
    List<ProtocolDeployer.Mint> mints = new ArrayList<>();
    for (int i = 0; i < cfg.accounts(); i++) {
      Path file = Keystores.create(keystore, KEYSTORE_PASSWORD, true);
      EthAddress a = Keystores.accounts(keystore).stream()
          .filter(x -> file.getFileName().toString().contains(x.hex().substring(2)))
          .findFirst()
          .orElseThrow();
      accounts.add(new DevchainInfo.Account(a, file));
      mints.add(new ProtocolDeployer.Mint(a.hex(), cfg.lptEach().value()));
    }
    DevchainDeployment d = DevchainDeployment.start(cfg, mints);
    try (EthRpc rpc = EthRpc.connect(d.rpcUrl())) {
      for (DevchainInfo.Account a : accounts) {
        rpc.call("anvil_setBalance", a.address().hex(), "0x" + cfg.ethEach().value().toString(16));
      }
      Map<String, String> contracts = ProtocolClient.readOnly(rpc, d.controller()).contractMap();
      DevchainInfo info = new DevchainInfo(d.rpcUrl(), d.chainId(), contracts, accounts, KEYSTORE_PASSWORD);
      info.write(DevchainInfo.file(dataDir), contracts);
      return new Devchain(dataDir, d.anvil(), info, contracts, cfg.blockEverySecond());
    } catch (RuntimeException e) {
      d.anvil().close();
      throw e;
    }
  }

  private static void clearOldKeys(Path keystore) {
    // Accounts of an earlier dev chain hold nothing on this one: remove them so -ethAcctAddr stays unambiguous.
    if (!Files.isDirectory(keystore)) {
      return;
    }
    try (Stream<Path> s = Files.list(keystore)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new ChainException("cannot clear " + keystore + ": " + e.getMessage(), e);
    }
  }

  DevchainInfo info() {
    return info;
  }

  Path file() {
    return DevchainInfo.file(dataDir);
  }

  /** A human summary: URL, contracts, accounts and how to start a node on it. */
  String describe() {
    StringBuilder b = new StringBuilder();
    b.append("devchain running at ").append(info.rpcUrl()).append(" (chain id ").append(info.chainId()).append(")\n");
    contracts.forEach((k, v) -> b.append(String.format("  %-16s %s%n", k, v)));
    b.append("funded accounts (keystore password \"").append(KEYSTORE_PASSWORD).append("\"):\n");
    for (DevchainInfo.Account a : info.accounts()) {
      b.append("  ").append(a.address()).append("  ").append(a.keystore()).append('\n');
    }
    b.append("addresses written to ").append(file()).append('\n');
    b.append("start a node with: -network devchain -ethAcctAddr <account> -ethPassword ").append(KEYSTORE_PASSWORD).append('\n');
    return b.toString();
  }

  @Override
  public void close() {
    if (miner != null) {
      miner.shutdownNow();
      minerRpc.close();
    }
    try {
      anvil.close();
    } catch (Exception e) {
      throw new ChainException("stopping anvil failed: " + e.getMessage(), e);
    }
  }
}
