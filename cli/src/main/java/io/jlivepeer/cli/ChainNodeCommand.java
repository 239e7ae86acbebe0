package io.jlivepeer.cli;

import io.jlivepeer.chain.ChainException;
import io.jlivepeer.payments.PaymentsException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code livepeer chain}: runs the on-chain side of a node alone (account, {@code -initializeRound},
 * {@code -reward}, the local CLI API) until Ctrl-C; handy for staking from a machine that does no video.
 */
@Command(
    name = "chain",
    mixinStandardHelpOptions = true,
    description = "Run a node's on-chain services (round initializer, reward caller, CLI API for staking) until Ctrl-C.")
final class ChainNodeCommand implements Callable<Integer> {
  @Mixin ChainOptions chain = new ChainOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    ChainNode node;
    try {
      node = ChainNode.start(chain);
    } catch (ChainUsageException | ChainException | PaymentsException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("account " + node.address() + " on " + node.client().rpc().url() + "; CLI API on http://" + node.apiAddress().getHostString()
        + ":" + node.apiAddress().getPort() + " (livepeer cli -cliAddr ...)");
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stop.countDown();
    }, "chain-shutdown"));
    stop.await();
    return 0;
  }
}
