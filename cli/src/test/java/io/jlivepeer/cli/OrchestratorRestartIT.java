package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.broadcaster.RemoteConfig;
import io.jlivepeer.node.broadcaster.RemoteTranscoder;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
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
    int port = NodeProcesses.freePort();
    try (DemoChain chain = DemoChain.start(dir.resolve("chain"), settings);
        NodeProcesses nodes = new NodeProcesses(dir)) {
      BigInteger feesBefore = chain.fees(0);
      List<String> flags = new ArrayList<>(List.of("-orchestrator", "-transcoder", "-serviceAddr", "127.0.0.1:" + port,
          "-orchSecret", "restart-secret"));
      flags.addAll(chain.orchestratorArgs(0));
      NodeProcesses.Node first = nodes.start("first", "o", "serving broadcasters at", flags);
      Path oDir = first.dataDir();
      List<String> beforeKill;
      // A freshly started JVM on a loaded machine answers its first calls slowly: more time and attempts than
      // wire.md's defaults, so that the test is about payments, not warm-up.
      RemoteConfig remote = new RemoteConfig(List.of("127.0.0.1:" + port), dir.resolve("b"), Duration.ofSeconds(15),
          8, Duration.ofSeconds(30), 1.0, RemoteConfig.DEFAULT_MAX_RENDITION_BYTES);
      NodeProcesses.Node second;
      try (RemoteTranscoder b = RemoteTranscoder.start(remote, ladder, chain.broadcasterPayments());
          Transcoder.TranscodeSession s = b.open("restart", ladder)) {
        for (int seq = 0; seq < 8; seq++) {
          assertThat(s.transcode(new Segment("restart", seq, 2000, media)).renditions()).hasSize(1);
        }
        first.kill(); // SIGKILL: no shutdown hook, no clean close of the queue
        beforeKill = NodeProcesses.storedHashes(oDir, RedemptionQueue.State.QUEUED);
        assertThat(beforeKill).as("winning tickets waiting at the kill").isNotEmpty();
        assertThat(NodeProcesses.storedHashes(oDir, null)).isEqualTo(beforeKill);

        second = nodes.start("second", "o", "serving broadcasters at", flags);
        chain.mine(41); // the tickets of the first run are due now
        for (int seq = 8; seq < 12; seq++) {
          assertThat(s.transcode(new Segment("restart", seq, 2000, media)).renditions()).hasSize(1);
        }
      }
      chain.mine(41); // and those of the second run
      nodes.await("every ticket redeemed", Duration.ofSeconds(60), () ->
          chain.allUsed(NodeProcesses.storedHashes(oDir, null)) && NodeProcesses.storedHashes(oDir, RedemptionQueue.State.QUEUED).isEmpty());
      second.process().destroy();
      assertThat(second.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

      List<RedemptionQueue.Entry> all = NodeProcesses.storedTickets(oDir);
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
    }
  }
}
