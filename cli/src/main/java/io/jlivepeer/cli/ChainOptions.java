package io.jlivepeer.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The Ethereum flags of a node, named like the reference node's so its operators feel at home. A picocli
 * mixin: any node command can carry them with {@code @Mixin ChainOptions chain}.
 */
public final class ChainOptions {
  @Option(
      names = "-network",
      defaultValue = "offchain",
      description = "offchain (no chain), devchain (the local chain from `livepeer devchain`), arbitrum-one-mainnet, or any name"
          + " with -ethUrl and -ethController. Default: ${DEFAULT-VALUE}.")
  String network = "offchain";

  @Option(names = "-ethUrl", description = "Ethereum JSON-RPC URL (devchain: read from devchain.json).")
  String ethUrl = "";

  @Option(names = "-ethController", description = "Address of the protocol's Controller contract (devchain: read from devchain.json).")
  String ethController = "";

  @Option(
      names = "-ethKeystorePath",
      description = "Keystore directory or file (geth JSON). Default: <datadir>/<network>/keystore.")
  String ethKeystorePath = "";

  @Option(names = "-ethAcctAddr", description = "Account to use when the keystore directory holds several.")
  String ethAcctAddr = "";

  @Option(names = "-ethPassword", description = "Keystore password, or the path of a file whose first line is the password.")
  String ethPassword = "";

  @Option(names = "-initializeRound", arity = "0..1", fallbackValue = "true", description = "Call initializeRound() once per round when nobody did.")
  boolean initializeRound;

  @Option(names = "-reward", arity = "0..1", fallbackValue = "true", description = "Call reward() once per round while an active orchestrator.")
  boolean reward;

  @Option(names = "-cliAddr", defaultValue = "127.0.0.1:7935", description = "Address of the local CLI HTTP API. Default: ${DEFAULT-VALUE}.")
  String cliAddr = "127.0.0.1:7935";

  @Option(names = {"-datadir", "-dataDir", "--datadir", "--dataDir"}, description = "Data directory. Default: ~/.lpData.")
  String dataDir = "";

  @Option(names = "-maxGasPrice", description = "Most wei per gas this node pays (base fee plus tip). Default: 500 gwei.")
  String maxGasPrice = "";

  @Option(
      names = "-blockPollingInterval",
      defaultValue = "1s",
      description = "How often the chain head is polled: seconds, or with a unit (500ms, 2s). Default: ${DEFAULT-VALUE}.")
  String blockPollingInterval = "1s";

  Path dataDir() {
    return dataDir.isBlank() ? Path.of(System.getProperty("user.home"), ".lpData") : Path.of(dataDir);
  }

  boolean offchain() {
    return network.equals("offchain");
  }

  Duration pollInterval() {
    return parseDuration("-blockPollingInterval", blockPollingInterval);
  }

  static Duration parseDuration(String flag, String text) {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    try {
      Duration d;
      if (t.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        d = Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      } else {
        d = Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
      }
      if (d.isZero() || d.isNegative()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new ChainUsageException(flag + ": not a positive duration: \"" + text + "\" (examples: 1, 500ms, 2s)");
    }
  }
}
