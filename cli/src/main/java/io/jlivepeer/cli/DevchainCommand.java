package io.jlivepeer.cli;

import io.jlivepeer.chain.ChainException;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.payments.Wei;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code livepeer devchain}: a local Ethereum chain with the protocol deployed, funded dev accounts and the
 * addresses in {@code <datadir>/devchain/devchain.json}; runs until Ctrl-C.
 */
@Command(
    name = "devchain",
    mixinStandardHelpOptions = true,
    description = "Start a local chain (anvil on 127.0.0.1, a block a second) with the protocol deployed and funded test accounts, until Ctrl-C.")
final class DevchainCommand implements Callable<Integer> {
  @Option(names = {"-datadir", "-dataDir", "--datadir", "--dataDir"}, description = "Data directory; devchain.json and keystores go to <datadir>/devchain. Default: ~/.lpData.")
  String dataDir = "";

  @Option(names = "-accounts", defaultValue = "4", description = "Funded accounts to create. Default: ${DEFAULT-VALUE}.")
  int accounts = 4;

  @Option(names = "-lptEach", defaultValue = "10000", description = "Test LPT minted to each account. Default: ${DEFAULT-VALUE}.")
  String lptEach = "10000";

  @Option(names = "-roundLength", defaultValue = "50", description = "Blocks per round. Default: ${DEFAULT-VALUE}.")
  long roundLength = 50;

  @Option(names = "-unbondingPeriod", defaultValue = "2", description = "Rounds before unbonded stake can be withdrawn. Default: ${DEFAULT-VALUE}.")
  long unbondingPeriod = 2;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = dataDir.isBlank() ? Path.of(System.getProperty("user.home"), ".lpData") : Path.of(dataDir);
    Devchain chain;
    try {
      Devchain.Config cfg = new Devchain.Config(accounts, Devchain.Config.DEFAULTS.ethEach(), Wei.ofEther(lptEach), roundLength, unbondingPeriod, true);
      chain = Devchain.start(dir, cfg);
    } catch (ChainUsageException | ChainException | PaymentsException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
    out.print(chain.describe());
    out.println("press Ctrl-C to stop");
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        chain.close();
      } catch (ChainException e) {
        err.println("error: " + e.getMessage());
        err.flush();
      }
      stop.countDown();
    }, "devchain-shutdown"));
    stop.await();
    return 0;
  }
}
