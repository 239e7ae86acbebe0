package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.RemoteConfig;
import io.jlivepeer.node.RemoteTranscoder;
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
import io.jlivepeer.payments.Wei;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once redemption across a crash: an orchestrator running as its own process (the {@code livepeer}
 * command on a dev chain) is paid by a broadcaster, then killed with SIGKILL while its winning tickets wait in the
 * queue (no block was mined, so none was due). Started again on the same data dir, it redeems every one of them;
 * the broadcaster refreshes its params (the new process has a new ticket secret) and keeps streaming. On chain:
 * every stored ticket is used, and O's fees equal the sum of their face values, so none was paid twice.
 */
class OrchestratorRestartIT {
  private static final long PRICE = 120_000;

  @TempDir Path dir;

  @Test
  void killedOrchestratorRedeemsItsQueuedTicketsExactlyOnceAfterRestart() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    List<VideoProfile> ladder = VideoProfiles.parse("P144p30fps16x9");
    byte[] media = Files.readAllBytes(TestMedia.source(320, 180, 30, 2, "ts"));
    // EV 2.5e11, face value 5e11: every other ticket wins
    DemoChain.Settings settings = new DemoChain.Settings(1, 100, false, PRICE, "250000000000", "500000000000",
        Wei.ofEther("1"), Wei.ofEther("1"), "300ms");
    int port = freePort();
    Path oDir = dir.resolve("o");
    List<Process> processes = new ArrayList<>();
    try (DemoChain chain = DemoChain.start(dir.resolve("chain"), settings)) {
      BigInteger feesBefore = chain.fees(0);
      Process first = startOrchestrator(chain, port, oDir, "first");
      processes.add(first);
      List<String> beforeKill;
      // A freshly started JVM on a loaded machine answers its first calls slowly: more time and attempts than
      // wire.md's defaults, so that the test is about payments, not warm-up.
      RemoteConfig remote = new RemoteConfig(List.of("127.0.0.1:" + port), dir.resolve("b"), Duration.ofSeconds(15),
          8, Duration.ofSeconds(30), 1.0, RemoteConfig.DEFAULT_MAX_RENDITION_BYTES);
      try (RemoteTranscoder b = RemoteTranscoder.start(remote, ladder, chain.broadcasterPayments());
          Transcoder.TranscodeSession s = b.open("restart", ladder)) {
        for (int seq = 0; seq < 8; seq++) {
          assertThat(s.transcode(new Segment("restart", seq, 2000, media)).renditions()).hasSize(1);
        }
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of the queue
        assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        beforeKill = hashes(oDir, RedemptionQueue.State.QUEUED);
        assertThat(beforeKill).as("winning tickets waiting at the kill").isNotEmpty();
        assertThat(hashes(oDir, null)).isEqualTo(beforeKill);

        Process second = startOrchestrator(chain, port, oDir, "second");
        processes.add(second);
        chain.mine(41); // the tickets of the first run are due now
        for (int seq = 8; seq < 12; seq++) {
          assertThat(s.transcode(new Segment("restart", seq, 2000, media)).renditions()).hasSize(1);
        }
      }
      chain.mine(41); // and those of the second run
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!allUsed(chain, hashes(oDir, null)) || !hashes(oDir, RedemptionQueue.State.QUEUED).isEmpty()) {
        assertThat(System.nanoTime()).as("tickets not all redeemed; orchestrator log:%n%s", log(oDir))
            .isLessThan(deadline);
        Thread.sleep(300);
      }
      Process second = processes.get(1);
      second.destroy();
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();

      List<RedemptionQueue.Entry> all = entries(oDir);
      BigInteger faceValues = BigInteger.ZERO;
      for (RedemptionQueue.Entry e : all) {
        assertThat(e.state()).as("ticket %s", e.ticket().ticket().hash()).isEqualTo(RedemptionQueue.State.REDEEMED);
        assertThat(e.txHash()).isPresent();
        faceValues = faceValues.add(e.ticket().ticket().faceValue().value());
      }
      assertThat(all.stream().map(e -> e.ticket().ticket().hash().hex()).toList()).containsAll(beforeKill)
          .doesNotHaveDuplicates();
      BigInteger fees = chain.fees(0).subtract(feesBefore);
      System.out.printf("restart: %d tickets queued at the kill, %d redeemed in all; face value %s wei, O fees on "
          + "chain %s wei, B deposit spent %s wei%n", beforeKill.size(), all.size(), faceValues, fees,
          chain.depositSpent());
      assertThat(fees).as("each ticket paid once").isEqualTo(faceValues);
      assertThat(chain.depositSpent()).isEqualTo(faceValues);
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
      }
    }
  }

  private Process startOrchestrator(DemoChain chain, int port, Path oDir, String name) throws Exception {
    Files.createDirectories(oDir);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), "io.jlivepeer.cli.Main", "-orchestrator", "-transcoder",
        "-serviceAddr", "127.0.0.1:" + port, "-dataDir", oDir.toString(), "-orchSecret", "restart-secret"));
    cmd.addAll(chain.orchestratorArgs(0));
    Path out = oDir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.readString(out, StandardCharsets.UTF_8).contains("serving broadcasters at")) {
      assertThat(p.isAlive()).as("orchestrator process exited:%n%s", Files.readString(out)).isTrue();
      assertThat(System.nanoTime()).as("orchestrator not up:%n%s", Files.readString(out)).isLessThan(deadline);
      Thread.sleep(200);
    }
    return p;
  }

  private static String log(Path oDir) throws IOException {
    StringBuilder b = new StringBuilder();
    for (String n : List.of("first.log", "second.log")) {
      Path f = oDir.resolve(n);
      if (Files.exists(f)) {
        b.append("--- ").append(n).append('\n').append(Files.readString(f));
      }
    }
    return b.toString();
  }

  private static boolean allUsed(DemoChain chain, List<String> hashes) {
    for (String h : hashes) {
      if (!chain.client().usedTickets(io.jlivepeer.payments.Bytes32.fromHex(h).toBytes())) {
        return false;
      }
    }
    return true;
  }

  /** Ticket hashes in the orchestrator's queue (all states when {@code state} is null), oldest first. */
  private static List<String> hashes(Path oDir, RedemptionQueue.State state) {
    return entries(oDir).stream().filter(e -> state == null || e.state() == state)
        .map(e -> e.ticket().ticket().hash().hex()).toList();
  }

  /** Reads the queue's database as it is on disk; this reader never redeems. */
  private static List<RedemptionQueue.Entry> entries(Path oDir) {
    try (RedemptionQueue q = RedemptionQueue.open(oDir, NoChain.INSTANCE, NoChain.INSTANCE, Clock.systemUTC())) {
      return q.entries();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A reader's stand-in for the chain: the queue is only read here. */
  private enum NoChain implements TicketBroker, RoundsView {
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
    public Wei claimedReserve(EthAddress reserveHolder, EthAddress claimant) {
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
    public Wei gasPrice() {
      throw new BrokerUnavailableException("read-only");
    }
  }
}
