package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.broadcaster.BroadcasterPayments;
import io.jlivepeer.node.broadcaster.RemoteConfig;
import io.jlivepeer.node.broadcaster.RemoteTranscoder;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import io.jlivepeer.node.orchestrator.OrchestratorPayments;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.Wei;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probabilistic micropayments end to end on a real anvil chain: a 60 s stream (30 segments of 2 s) from a
 * broadcaster paying with tickets to an orchestrator that transcodes with FFmpeg; blocks are mined as the stream
 * goes so that ticket params expire (B switches to fresh ones) and winning tickets are redeemed on chain. Then the
 * money must add up: O's fees on chain = face value of the tickets it redeemed = what B's deposit lost, and the EV
 * B sent is within 5% of price x the pixels O actually encoded.
 */
class PaidStreamIT {
  private static final int SEGMENTS = 30;
  private static final long PRICE = 120_000; // wei per pixel: about one ticket EV per 2 s of the two renditions

  @TempDir Path dir;

  @Test
  void sixtySecondStreamIsPaidAndRedeemedOnChain() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    List<VideoProfile> ladder = VideoProfiles.parse("P144p30fps16x9,P240p30fps16x9");
    byte[] media = Files.readAllBytes(TestMedia.source(426, 240, 30, 2, "ts"));
    // EV 5e11 wei, face value 2e12 wei: one ticket in four wins
    DemoChain.Settings settings = new DemoChain.Settings(1, 100, false, PRICE, "500000000000", "2000000000000",
        Wei.ofEther("1"), Wei.ofEther("1"), "300ms");
    long started = System.nanoTime();
    try (DemoChain chain = DemoChain.start(dir.resolve("chain"), settings)) {
      BigInteger feesBefore = chain.fees(0);
      OrchestratorPayments oPay = chain.orchestratorPayments(0, dir.resolve("o"));
      try (OrchestratorNode o = OrchestratorNode.start(
              OrchestratorConfig.defaults("127.0.0.1", 0, dir.resolve("o"), "s").withPrice(PRICE, 1),
              new FfmpegTranscoder(), oPay)) {
        chain.register(0, o.transcoderUrl());
        BroadcasterPayments bPay = chain.broadcasterPayments();
        try (RemoteTranscoder b = RemoteTranscoder.start(RemoteConfig.defaults(
                List.of("127.0.0.1:" + o.serviceAddress().getPort()), dir.resolve("b")), ladder, bPay);
            Transcoder.TranscodeSession s = b.open("paid", ladder)) {
          for (int seq = 0; seq < SEGMENTS; seq++) {
            assertThat(s.transcode(new Segment("paid", seq, 2000, media)).renditions()).hasSize(ladder.size());
            chain.mine(4); // 120 blocks over the stream: params (40 blocks) expire three times
          }
        }
        chain.mine(41); // the last params expire: every winner is due
        awaitNoneQueued(oPay);

        OrchestratorPayments.Stats o1 = oPay.stats();
        BroadcasterPayments.Stats b1 = bPay.stats();
        List<RedemptionQueue.Entry> redeemed = oPay.queue().entries(RedemptionQueue.State.REDEEMED);
        BigInteger faceValues = redeemed.stream().map(e -> e.ticket().ticket().faceValue().value())
            .reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger fees = chain.fees(0).subtract(feesBefore);
        BigDecimal billed = oPay.price().forPixels(o1.pixels());
        BigDecimal ratio = b1.evSentWei().divide(billed, MathContext.DECIMAL64);
        System.out.printf("paid stream: %d segments, %d tickets sent, %d received, %d won, %d redeemed; "
                + "face value redeemed %s wei, O fees on chain %s wei, B deposit spent %s wei; EV sent %s wei, "
                + "price x pixels %s wei (%d pixels), ratio %s; %.1f s%n", SEGMENTS, b1.tickets(), o1.tickets(),
            o1.winners(), redeemed.size(), faceValues, fees, chain.depositSpent(), b1.evSentWei().toBigInteger(),
            billed.toBigInteger(), o1.pixels(), ratio.round(new MathContext(4)),
            (System.nanoTime() - started) / 1e9);

        assertThat(o1.tickets()).isEqualTo(b1.tickets());
        assertThat(oPay.queue().entries()).as("every winner stored").hasSize((int) o1.winners());
        assertThat(redeemed).as("every winner redeemed").hasSize((int) o1.winners());
        assertThat(o1.winners()).as("%d tickets at 1/4", o1.tickets()).isPositive();
        assertThat(fees).as("O's fees on chain").isEqualTo(faceValues);
        assertThat(chain.depositSpent()).as("B's deposit").isEqualTo(faceValues);
        for (RedemptionQueue.Entry e : redeemed) {
          assertThat(chain.client().usedTickets(e.ticket().ticket().hash().toBytes())).isTrue();
          assertThat(e.txHash()).isPresent();
        }
        assertThat(ratio.doubleValue()).as("EV sent / price x pixels").isBetween(1.0, 1.05);
        assertThat(b1.chargedWei()).isEqualByComparingTo(o1.debitedWei());
      }
    }
  }

  static void awaitNoneQueued(OrchestratorPayments p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!p.queue().entries(RedemptionQueue.State.QUEUED).isEmpty()) {
      assertThat(System.nanoTime()).as("winning tickets still queued: %s", p.queue().entries(
          RedemptionQueue.State.QUEUED)).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
