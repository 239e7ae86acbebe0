package io.jlivepeer.cli;

import picocli.CommandLine.Option;

/**
 * The micropayment and chain flags of the video roles (-orchestrator, -broadcaster), named as in the reference
 * node. Without -network (or -ethUrl) the node runs off chain and everything is free, as before. The data dir is
 * the node's own -dataDir.
 */
final class PaymentFlags {
  @Option(names = {"-network", "--network"}, defaultValue = "offchain",
      description = "offchain (free, no chain), devchain (`livepeer devchain`), arbitrum-one-mainnet, or any name with"
          + " -ethUrl and -ethController. Default: ${DEFAULT-VALUE}")
  String network = "offchain";

  @Option(names = {"-ethUrl", "--ethUrl"}, defaultValue = "", description = "Ethereum JSON-RPC URL.")
  String ethUrl = "";

  @Option(names = {"-ethController", "--ethController"}, defaultValue = "",
      description = "Address of the protocol's Controller contract.")
  String ethController = "";

  @Option(names = {"-ethKeystorePath", "--ethKeystorePath"}, defaultValue = "",
      description = "Keystore directory or file (geth JSON). Default: <dataDir>/<network>/keystore.")
  String ethKeystorePath = "";

  @Option(names = {"-ethAcctAddr", "--ethAcctAddr"}, defaultValue = "",
      description = "Account to use when the keystore holds several.")
  String ethAcctAddr = "";

  @Option(names = {"-ethOrchAddr", "--ethOrchAddr"}, defaultValue = "",
      description = "Redeemer: the orchestrator address whose winning tickets it takes (the tickets' recipient)."
          + " Default: the redeemer's own account.")
  String ethOrchAddr = "";

  @Option(names = {"-ethPassword", "--ethPassword"}, defaultValue = "",
      description = "Keystore password, or a file whose first line is the password.")
  String ethPassword = "";

  @Option(names = {"-initializeRound", "--initializeRound"}, arity = "0..1", fallbackValue = "true",
      description = "Call initializeRound() once per round when nobody did.")
  boolean initializeRound;

  @Option(names = {"-reward", "--reward"}, arity = "0..1", fallbackValue = "true",
      description = "Call reward() once per round while an active orchestrator.")
  boolean reward;

  @Option(names = {"-cliAddr", "--cliAddr"}, defaultValue = "127.0.0.1:7935",
      description = "Local CLI HTTP API (with a chain); a transcoder with -monitor serves /metrics here. "
          + "Default: ${DEFAULT-VALUE}")
  String cliAddr = "127.0.0.1:7935";

  @Option(names = {"-maxGasPrice", "--maxGasPrice"}, defaultValue = "",
      description = "Most wei per gas this node pays. Default: 500 gwei.")
  String maxGasPrice = "";

  @Option(names = {"-blockPollingInterval", "--blockPollingInterval"}, defaultValue = "1s",
      description = "How often the chain head is polled (1, 500ms, 2s). Default: ${DEFAULT-VALUE}")
  String blockPollingInterval = "1s";

  @Option(names = {"-maxPricePerUnit", "--maxPricePerUnit"}, defaultValue = "0",
      description = "Broadcaster: most wei per -pixelsPerUnit pixels it pays; dearer orchestrators are skipped."
          + " 0: no limit. Default: ${DEFAULT-VALUE}")
  long maxPricePerUnit;

  @Option(names = {"-ticketEV", "--ticketEV"}, defaultValue = "1000000000000",
      description = "Orchestrator: expected value of one ticket, in wei. Default: ${DEFAULT-VALUE}")
  String ticketEV = "1000000000000";

  @Option(names = {"-maxFaceValue", "--maxFaceValue"}, defaultValue = "0",
      description = "Orchestrator: cap on a ticket's face value, in wei (0: none). Default: ${DEFAULT-VALUE}")
  String maxFaceValue = "0";

  @Option(names = {"-maxTicketEV", "--maxTicketEV"}, defaultValue = "3000000000000",
      description = "Broadcaster: most EV of one ticket it signs, in wei. Default: ${DEFAULT-VALUE}")
  String maxTicketEV = "3000000000000";

  @Option(names = {"-maxTotalEV", "--maxTotalEV"}, defaultValue = "20000000000000",
      description = "Broadcaster: most EV of one payment (all tickets of a segment), in wei. Default: ${DEFAULT-VALUE}")
  String maxTotalEV = "20000000000000";

  @Option(names = {"-depositMultiplier", "--depositMultiplier"}, defaultValue = "1",
      description = "Broadcaster: a ticket's face value must be at most deposit / this. Default: ${DEFAULT-VALUE}")
  long depositMultiplier = 1;

  @Option(names = {"-redeemInterval", "--redeemInterval"}, defaultValue = "2s",
      description = "Orchestrator: how often due winning tickets are looked for (500ms, 2s). Default: ${DEFAULT-VALUE}")
  String redeemInterval = "2s";

  /** Whether a chain was asked for: -network other than offchain, or an -ethUrl. */
  boolean onChain() {
    return !network.equals("offchain") || !ethUrl.isBlank();
  }

  /** The chain flags as {@link ChainOptions}, with the node's data dir. */
  ChainOptions chainOptions(java.nio.file.Path dataDir) {
    ChainOptions o = new ChainOptions();
    o.network = network.equals("offchain") ? "custom" : network;
    o.ethUrl = ethUrl;
    o.ethController = ethController;
    o.ethKeystorePath = ethKeystorePath;
    o.ethAcctAddr = ethAcctAddr;
    o.ethPassword = ethPassword;
    o.initializeRound = initializeRound;
    o.reward = reward;
    o.cliAddr = cliAddr;
    o.dataDir = dataDir.toString();
    o.maxGasPrice = maxGasPrice;
    o.blockPollingInterval = blockPollingInterval;
    return o;
  }
}
