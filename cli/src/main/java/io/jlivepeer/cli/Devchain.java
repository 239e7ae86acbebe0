package io.jlivepeer.cli;

import io.jlivepeer.chain.ChainException;
import io.jlivepeer.chain.EthAddress;
import io.jlivepeer.chain.EthRpc;
import io.jlivepeer.chain.Keystores;
import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.chain.TxManager;
import io.jlivepeer.chain.TxRequest;
import io.jlivepeer.chain.Wei;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;

/**
 * A local development chain: anvil on loopback with the whole protocol deployed, a set of fresh accounts
 * funded with ETH and test LPT (their keystores under {@code <datadir>/devchain/keystore}), and
 * {@code devchain.json} telling nodes started with {@code -network devchain} where everything is.
 */
final class Devchain implements AutoCloseable {
  /** The password of the dev accounts' keystores: a dev chain holds no real value. */
  static final String KEYSTORE_PASSWORD = "devchain";

  /**
   * Settings of a dev chain.
   *
   * @param port anvil's port on 127.0.0.1 (8545 for the command; 0 picks a free one in tests)
   * @param accounts how many funded accounts to create (default 4)
   * @param ethEach ETH given to each account (default 100 ETH)
   * @param lptEach test LPT minted to each account (default 10,000 LPT)
   * @param roundLength blocks per round (default 50: about a minute at one block a second of activity)
   * @param unbondingPeriod rounds before unbonded stake can be withdrawn (default 2)
   */
  record Config(int port, int accounts, Wei ethEach, Wei lptEach, long roundLength, long unbondingPeriod) {
    static final Config DEFAULTS = new Config(8545, 4, Wei.ofEther("100"), Wei.ofEther("10000"), 50, 2);
  }

  private final Path dataDir;
  private final AutoCloseable anvil;
  private final DevchainInfo info;
  private final Map<String, String> contracts;

  private Devchain(Path dataDir, AutoCloseable anvil, DevchainInfo info, Map<String, String> contracts) {
    this.dataDir = dataDir;
    this.anvil = anvil;
    this.info = info;
    this.contracts = contracts;
  }

  /** Starts anvil, deploys, funds the accounts and writes devchain.json; closing stops anvil. */
  static Devchain start(Path dataDir, Config cfg) {
    DevchainDeployment d = DevchainDeployment.start(cfg);
    try (EthRpc rpc = EthRpc.connect(d.rpcUrl());
        TxManager deployer = TxManager.create(rpc, d.deployer(), TxManager.Config.DEFAULTS.withPollInterval(Duration.ofMillis(50)))) {
      ProtocolClient client = ProtocolClient.connect(deployer, d.controller());
      Path keystore = dataDir.resolve("devchain").resolve("keystore");
      clearOldKeys(keystore);
      grantMinter(deployer, client.contracts().livepeerToken());
      List<DevchainInfo.Account> accounts = new ArrayList<>();
      for (int i = 0; i < cfg.accounts(); i++) {
        Path file = Keystores.create(keystore, KEYSTORE_PASSWORD, true);
        EthAddress a = Keystores.accounts(keystore).stream()
            .filter(x -> file.getFileName().toString().contains(x.hex().substring(2)))
            .findFirst()
            .orElseThrow();
        rpc.call("anvil_setBalance", a.hex(), "0x" + cfg.ethEach().value().toString(16));
        mint(deployer, client.contracts().livepeerToken(), a, cfg.lptEach());
        accounts.add(new DevchainInfo.Account(a, file));
      }
      Map<String, String> contracts = client.contractMap();
      DevchainInfo info = new DevchainInfo(d.rpcUrl(), rpc.chainId(), contracts, accounts, KEYSTORE_PASSWORD);
      info.write(DevchainInfo.file(dataDir), contracts);
      return new Devchain(dataDir, d.anvil(), info, contracts);
    } catch (RuntimeException e) {
      try {
        d.anvil().close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
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

  private static void grantMinter(TxManager deployer, EthAddress lpt) {
    byte[] role = Hash.sha3("MINTER_ROLE".getBytes(StandardCharsets.US_ASCII));
    String data = FunctionEncoder.encode(
        new Function("grantRole", List.of(new Bytes32(role), new Address(deployer.address().hex())), List.of()));
    deployer.send(TxRequest.of("grant the LPT minter role to the devchain deployer", lpt, data));
  }

  private static void mint(TxManager deployer, EthAddress lpt, EthAddress to, Wei amount) {
    String data = FunctionEncoder.encode(new Function("mint", List.of(new Address(to.hex()), new Uint256(amount.value())), List.of()));
    deployer.send(TxRequest.of("mint test LPT", lpt, data));
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
    try {
      anvil.close();
    } catch (Exception e) {
      throw new ChainException("stopping anvil failed: " + e.getMessage(), e);
    }
  }
}
