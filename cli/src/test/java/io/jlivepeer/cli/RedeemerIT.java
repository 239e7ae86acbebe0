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
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two orchestrators, one ticket redemption service, all real processes on a dev chain. Both orchestrators run the
 * same on-chain account (one operator's fleet) with {@code -redeemerAddr}; the redeemer ({@code -redeemer}) pays
 * the gas from another account. The redeemer is killed with SIGKILL while it holds tickets that are not due yet,
 * more tickets win while it is away (they wait in the orchestrators' outboxes), and after its restart every ticket
 * is redeemed exactly once: the orchestrator's fees on chain equal the face values, as does the deposit B spent.
 */
class RedeemerIT {
  private static final long PRICE = 120_000;

  @TempDir Path dir;

  @Test
  void twoOrchestratorsShareOneRedeemerThatRedeemsEachTicketOnceAcrossAKill() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    List<VideoProfile> ladder = VideoProfiles.parse("P144p30fps16x9");
    byte[] media = Files.readAllBytes(TestMedia.source(320, 180, 30, 2, "ts"));
    // EV 2.5e11, face value 5e11: every other ticket wins. Accounts: 0 = the orchestrators, 1 = the redeemer's gas.
    DemoChain.Settings settings = new DemoChain.Settings(2, 100, false, PRICE, "250000000000", "500000000000",
        io.jlivepeer.payments.Wei.ofEther("1"), io.jlivepeer.payments.Wei.ofEther("1"), "300ms");
    try (DemoChain chain = DemoChain.start(dir.resolve("chain"), settings);
        NodeProcesses nodes = new NodeProcesses(dir)) {
      BigInteger feesBefore = chain.fees(0);
      BigInteger redeemerFeesBefore = chain.fees(1);
      int redeemerPort = NodeProcesses.freePort();
      List<String> redeemerFlags = new ArrayList<>(List.of("-redeemer", "-httpAddr", "127.0.0.1:" + redeemerPort,
          "-ethOrchAddr", chain.orchestratorAddress(0).toString()));
      redeemerFlags.addAll(chain.orchestratorArgs(1));
      NodeProcesses.Node redeemer = nodes.start("redeemer-1", "redeemer", "listening on", redeemerFlags);
      Path redeemerQueue = redeemer.dataDir().resolve("redeemer");

      List<NodeProcesses.Node> os = new ArrayList<>();
      List<Integer> ports = new ArrayList<>();
      for (int i = 1; i <= 2; i++) {
        int port = NodeProcesses.freePort();
        ports.add(port);
        List<String> flags = new ArrayList<>(List.of("-orchestrator", "-transcoder", "-serviceAddr",
            "127.0.0.1:" + port, "-orchSecret", "redeemer-it", "-redeemerAddr", "127.0.0.1:" + redeemerPort));
        flags.addAll(chain.orchestratorArgs(0));
        os.add(nodes.start("o" + i, "o" + i, "serving broadcasters at", flags));
      }

      List<RemoteTranscoder> bs = new ArrayList<>();
      List<Transcoder.TranscodeSession> streams = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          // generous time and attempts: a freshly started JVM on a loaded 2-core machine answers slowly at first
          RemoteConfig remote = new RemoteConfig(List.of("127.0.0.1:" + ports.get(i)), dir.resolve("b" + i),
              Duration.ofSeconds(15), 8, Duration.ofSeconds(30), 1.0, RemoteConfig.DEFAULT_MAX_RENDITION_BYTES);
          RemoteTranscoder b = RemoteTranscoder.start(remote, ladder, chain.broadcasterPayments());
          bs.add(b);
          streams.add(b.open("stream-" + i, ladder));
        }
        // at least 6 segments each, and on until each orchestrator holds a winner (every other ticket wins, so
        // 6 alone leave one orchestrator without any in ~3% of runs)
        int seq = 0;
        while (seq < 6 || (seq < 40 && os.stream().anyMatch(o -> NodeProcesses.storedHashes(o.dataDir(), null)
            .isEmpty()))) {
          for (Transcoder.TranscodeSession s : streams) {
            assertThat(s.transcode(new Segment("redeemer", seq, 2000, media)).renditions()).hasSize(1);
          }
          seq++;
        }
        int resumeAt = seq;
        // every winner of both orchestrators reaches the redeemer, none is due (no block was mined)
        nodes.await("both orchestrators' winners stored at the redeemer", Duration.ofSeconds(60), () ->
            outboxes(os, RedemptionQueue.State.QUEUED).isEmpty()
                && !forwardedBy(os.get(0)).isEmpty() && !forwardedBy(os.get(1)).isEmpty()
                && NodeProcesses.storedHashes(redeemerQueue, RedemptionQueue.State.QUEUED).size() == outboxes(os, null).size());
        Set<String> atKill = new HashSet<>(NodeProcesses.storedHashes(redeemerQueue, RedemptionQueue.State.QUEUED));
        redeemer.kill();

        for (seq = resumeAt; seq < resumeAt + 4; seq++) { // streams go on; their winners wait in the orchestrators
          for (Transcoder.TranscodeSession s : streams) {
            assertThat(s.transcode(new Segment("redeemer", seq, 2000, media)).renditions()).hasSize(1);
          }
        }
        int waiting = outboxes(os, RedemptionQueue.State.QUEUED).size();

        NodeProcesses.Node again = nodes.start("redeemer-2", "redeemer", "listening on", redeemerFlags);
        assertThat(again.output()).contains(atKill.size() + " winning tickets waiting");
        chain.mine(41); // everything so far is due now
        nodes.await("every ticket handed over and redeemed", Duration.ofSeconds(120), () -> {
          List<String> all = outboxes(os, null);
          return outboxes(os, RedemptionQueue.State.QUEUED).isEmpty()
              && NodeProcesses.storedHashes(redeemerQueue, RedemptionQueue.State.QUEUED).isEmpty()
              && NodeProcesses.storedHashes(redeemerQueue, null).size() == all.size() && chain.allUsed(all);
        });

        List<RedemptionQueue.Entry> redeemed = NodeProcesses.storedTickets(redeemerQueue);
        List<String> handedOver = outboxes(os, null);
        assertThat(handedOver).as("no ticket won twice").doesNotHaveDuplicates();
        assertThat(redeemed).extracting(e -> e.ticket().ticket().hash().hex())
            .containsExactlyInAnyOrderElementsOf(handedOver).containsAll(atKill);
        BigInteger faceValues = BigInteger.ZERO;
        for (RedemptionQueue.Entry e : redeemed) {
          assertThat(e.state()).as("ticket %s", e.ticket().ticket().hash()).isEqualTo(RedemptionQueue.State.REDEEMED);
          assertThat(e.txHash()).isPresent();
          faceValues = faceValues.add(e.ticket().ticket().faceValue().value());
        }
        BigInteger fees = chain.fees(0).subtract(feesBefore);
        System.out.printf("redeemer: %d tickets from o1, %d from o2; %d stored at the redeemer at its kill, %d waited"
            + " in the orchestrators; face value %s wei, fees on chain %s wei, B deposit spent %s wei%n",
            forwardedBy(os.get(0)).size(), forwardedBy(os.get(1)).size(), atKill.size(), waiting, faceValues, fees,
            chain.depositSpent());
        assertThat(fees).as("each ticket paid once, to the orchestrators' account").isEqualTo(faceValues);
        assertThat(chain.depositSpent()).isEqualTo(faceValues);
        assertThat(chain.fees(1)).as("the redeemer's account only pays gas").isEqualTo(redeemerFeesBefore);
      } finally {
        for (Transcoder.TranscodeSession s : streams) {
          s.close();
        }
        for (RemoteTranscoder b : bs) {
          b.close();
        }
      }
    }
  }

  /** Ticket hashes in the orchestrators' outboxes (all states when {@code state} is null). */
  private static List<String> outboxes(List<NodeProcesses.Node> os, RedemptionQueue.State state) {
    List<String> out = new ArrayList<>();
    for (NodeProcesses.Node o : os) {
      out.addAll(NodeProcesses.storedHashes(o.dataDir(), state));
    }
    return out;
  }

  private static List<String> forwardedBy(NodeProcesses.Node o) {
    return NodeProcesses.storedHashes(o.dataDir(), RedemptionQueue.State.FORWARDED);
  }
}
