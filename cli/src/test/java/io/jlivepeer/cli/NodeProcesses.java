package io.jlivepeer.cli;

import io.jlivepeer.payments.BrokerUnavailableException;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.RedeemOutcome;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.RoundsView;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Signature;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketBroker;
import io.jlivepeer.payments.TicketExpirationParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Nodes as real OS processes for the multi-process tests: the {@code livepeer} command ({@link Main}) started with
 * this JVM's class path, each with its output in a log file under {@code dir}. Closing kills whatever still runs.
 */
final class NodeProcesses implements AutoCloseable {
  private final Path dir;
  private final List<Node> nodes = new ArrayList<>();

  NodeProcesses(Path dir) {
    this.dir = dir;
  }

  /** One node process and its log. */
  record Node(String name, Process process, Path log, Path dataDir) {
    String output() {
      try {
        // decoded leniently: a line being written may end in half a character
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String tail(int lines) {
      List<String> all = output().lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** SIGKILL: no shutdown hook, nothing closed cleanly. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        throw new AssertionError(name + " did not die after SIGKILL");
      }
    }
  }

  /**
   * Starts {@code livepeer <flags> -dataDir <dir>/<dataDirName>} and waits (up to 90 s) until its output contains
   * {@code readyLine}. Small heaps, one GC thread and C1 only: a 2-core machine runs several of these.
   */
  Node start(String name, String dataDirName, String readyLine, List<String> flags) throws Exception {
    Path data = dir.resolve(dataDirName);
    Files.createDirectories(data);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow"); // as the root pom's jdk23+ profile does for test JVMs
    }
    cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(flags);
    cmd.addAll(List.of("-dataDir", data.toString()));
    Path log = dir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Node n = new Node(name, p, log, data);
    nodes.add(n);
    await(name + " up (\"" + readyLine + "\")", Duration.ofSeconds(90), () -> {
      if (!p.isAlive()) {
        throw new AssertionError(name + " exited with " + p.exitValue() + ":\n" + n.tail(40));
      }
      return n.output().contains(readyLine);
    });
    return n;
  }

  /** Polls {@code condition} every 200 ms; on time-out fails with the end of every log. */
  void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out (" + timeout.toSeconds() + " s) waiting for " + what + "\n" + logs());
      }
      Thread.sleep(200);
    }
  }

  /** The last lines of every node's log, for failure messages. */
  String logs() {
    StringBuilder b = new StringBuilder();
    for (Node n : nodes) {
      b.append("----- ").append(n.name()).append(n.process().isAlive() ? " (running)" : " (exited)").append('\n')
          .append(n.tail(40)).append('\n');
    }
    return b.toString();
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      n.process().destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** The winning tickets stored in {@code dataDir}'s queue, oldest first, read from disk; this reader never redeems. */
  static List<RedemptionQueue.Entry> storedTickets(Path dataDir) {
    try (RedemptionQueue q = RedemptionQueue.open(dataDir, ReadOnly.INSTANCE, ReadOnly.INSTANCE, Clock.systemUTC())) {
      return q.entries();
    }
  }

  /** Hashes of the tickets stored in {@code dataDir}'s queue (all states when {@code state} is null), oldest first. */
  static List<String> storedHashes(Path dataDir, RedemptionQueue.State state) {
    if (!Files.exists(dataDir.resolve(RedemptionQueue.FILE_NAME))) {
      return List.of();
    }
    return storedTickets(dataDir).stream().filter(e -> state == null || e.state() == state)
        .map(e -> e.ticket().ticket().hash().hex()).toList();
  }

  /** A reader's stand-in for the chain: the queue is only read. */
  private enum ReadOnly implements TicketBroker, RoundsView {
    INSTANCE;

    @Override
    public SenderInfo senderInfo(EthAddress sender) {
      throw new BrokerUnavailableException("read-only");
    }

    @Override
    public long transcoderPoolSize() {
      throw new BrokerUnavailableException("read-only");
    }

    @Override
    public io.jlivepeer.payments.Wei claimedReserve(EthAddress reserveHolder, EthAddress claimant) {
      throw new BrokerUnavailableException("read-only");
    }

    @Override
    public RedeemOutcome redeemWinningTicket(Ticket ticket, Signature signature, BigInteger recipientRand) {
      return new RedeemOutcome.Unavailable("read-only");
    }

    @Override
    public TicketExpirationParams lastInitializedRound() {
      throw new BrokerUnavailableException("read-only");
    }

    @Override
    public long latestBlock() {
      throw new BrokerUnavailableException("read-only");
    }

    @Override
    public io.jlivepeer.payments.Wei gasPrice() {
      throw new BrokerUnavailableException("read-only");
    }
  }
}
