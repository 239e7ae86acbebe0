package io.jlivepeer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code livepeer} command. Subcommands are registered in {@link #commandLine()}. */
@Command(
    name = "livepeer",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "jlivepeer: a Livepeer node (broadcaster, orchestrator, transcoder) in Java.")
public final class Main implements Runnable {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    // Subcommands are added here, one line each.
    cl.addSubcommand(new ChainNodeCommand());
    cl.addSubcommand(new CliCommand());
    cl.addSubcommand(new DevchainCommand());
    return cl;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"jlivepeer " + (v == null ? "dev" : v)};
    }
  }
}
