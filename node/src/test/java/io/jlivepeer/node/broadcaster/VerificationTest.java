package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.RenditionVerifier;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.Counters;
import io.jlivepeer.node.orchestrator.CheatingTranscoder;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthCrypto;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.payments.Signature;
import io.jlivepeer.wire.SigningPayloads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The broadcaster's verification on a loopback network of real orchestrators: an honest one and one that tampers
 * with its renditions in each way a cheater might ({@link CheatingTranscoder}). At {@code -verificationFreq 1} the
 * cheater is caught within two segments, suspended, and every segment the stream gets back is the honest
 * orchestrator's; the fault proof handed to the reporter carries signatures that recover the way the Verifier
 * contract recovers them.
 */
class VerificationTest {
  private static final List<VideoProfile> LADDER = RemoteTranscoderTest.LADDER;
  private static List<byte[]> segments;

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void cutSegments(@TempDir Path work) throws IOException {
    FfmpegBinaries.usePlatformExtension();
    segments = TestMedia.segments(TestMedia.clip(TestMedia.Content.MANDELBROT, 480, 270, 30, 8), work, 2);
    assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  /** A reporter that keeps the proofs (the chain is the cli ITs' business). */
  private static final class Proofs implements FaultReporter {
    final List<FaultProof> proofs = new CopyOnWriteArrayList<>();

    @Override
    public String submit(FaultProof proof) {
      proofs.add(proof);
      return "0x" + "ab".repeat(32);
    }
  }

  @ParameterizedTest(name = "{0}")
  // another segment's content: it starts at the other segment's time (or, were it retimed, its picture differs)
  @CsvSource({"watermark, content", "lowres, resolution", "dropframes, frames", "othersegment, timestamps|content"})
  void aCheaterIsCaughtWithinTwoSegmentsSuspendedAndNoTamperedSegmentGetsThrough(String cheat, String kind)
      throws Exception {
    AtomicInteger honestCalls = new AtomicInteger();
    OrchestratorNode honest = orchestrator("honest",
        new RemoteTranscoderTest.CountingTranscoder(new FfmpegTranscoder(), honestCalls));
    OrchestratorNode cheater = orchestrator("cheater", CheatingTranscoder.of(cheat, new FfmpegTranscoder()));
    Proofs proofs = new Proofs();
    FaultLog faults = new FaultLog(Optional.of(dir));
    Verification verification = new Verification(SegmentVerifier.Config.of(1), new RenditionVerifier(),
        Optional.of(new FfmpegTranscoder()), faults, Optional.of(proofs), () -> 0, Clock.systemUTC());
    RemoteTranscoder b = RemoteTranscoder.start(RemoteConfig.defaults(
        List.of(RemoteTranscoderTest.addr(cheater), RemoteTranscoderTest.addr(honest)), dir.resolve("b")), LADDER,
        Clock.systemUTC(), info -> info, Optional.empty(), verification);
    toClose.add(b);
    b.pool().seedLatency(RemoteTranscoderTest.addr(cheater), 1); // the stream starts on the cheater
    b.pool().seedLatency(RemoteTranscoderTest.addr(honest), 500);

    RenditionVerifier check = new RenditionVerifier();
    try (Transcoder.TranscodeSession s = b.open("verified", LADDER)) {
      for (int seq = 0; seq < 3; seq++) {
        RenditionVerifier.Probe source = check.probe(segments.get(seq));
        TranscodeResult r = s.transcode(new Segment("verified", seq, source.durationMillis(), segments.get(seq)));
        assertThat(r.renditions()).hasSize(2);
        for (int i = 0; i < LADDER.size(); i++) {
          RenditionVerifier.Probe probe = check.probe(r.renditions().get(i).data());
          assertThat(probe.width()).as("seq %d rendition %d", seq, i).isEqualTo(LADDER.get(i).width());
          assertThat(probe.frames()).as("seq %d rendition %d", seq, i)
              .isBetween(source.frames() - 2, source.frames() + 2);
          // what got through is the honest orchestrator's picture: it passes the comparison a cheat fails
          assertThat(check.psnr(r.renditions().get(i).data(), reference(seq, i), 2).db()).isGreaterThan(30);
        }
      }
    }
    assertThat(faults.faults()).singleElement().satisfies(f -> {
      assertThat(f.orchestrator()).isEqualTo(RemoteTranscoderTest.addr(cheater));
      assertThat(f.kind()).matches(kind);
      assertThat(f.seq()).as("caught within two segments").isLessThanOrEqualTo(1);
      assertThat(f.slash()).startsWith("slashed in 0x");
    });
    // before its first tampered result the cheater's work was honest (and passed); from then on the honest O's
    assertThat(honestCalls.get()).as("segments the honest O made").isEqualTo(3 - (int) faults.faults().get(0).seq());
    assertThat(verification.verified()).isGreaterThanOrEqualTo(3);
    assertThat(verification.failedVerifications()).isEqualTo(1);
    assertThat(b.pool().scores()).anySatisfy(sc -> assertThat(sc).isEqualTo(RemoteTranscoderTest.addr(cheater)
        + "=faulty"));
    assertThat(Files.readString(dir.resolve(FaultLog.FILE))).containsPattern("\"kind\":\"(" + kind + ")\"");

    FaultReporter.FaultProof p = proofs.proofs.getFirst();
    // what Verifier.submitFault recovers: B over its segment, O over its result hashes, B's verdict
    byte[] seq32 = new byte[32];
    seq32[31] = (byte) p.seq();
    EthAddress bAddress = EthAddress.of(b.ethAddress());
    assertThat(recover(Keccak.hash(p.manifestId(), seq32, p.segmentHash(), p.profileIds()), p.broadcasterSig()))
        .isEqualTo(bAddress);
    assertThat(recover(Keccak.hash(p.renditionHashes().toArray(byte[][]::new)), p.transcoderSig()))
        .isEqualTo(EthAddress.of(cheater.ethAddress()));
    assertThat(p.verdictSeq()).isEqualTo(p.seq());
    assertThat(recover(SigningPayloads.verdict(p.transcoder(), bAddress.toBytes(), p.verdictSeq(), p.segmentHash(),
        p.renditionHashes().get(p.renditionIndex()), p.score()), p.verdictSig())).isEqualTo(bAddress);
    assertThat(p.score()).as("milli-dB, below the 30 dB threshold").isLessThan(30_000);
  }

  @Test
  void anHonestOrchestratorPassesEveryCheck() throws Exception {
    OrchestratorNode honest = orchestrator("honest", new FfmpegTranscoder());
    FaultLog faults = new FaultLog(Optional.empty());
    Verification verification = new Verification(SegmentVerifier.Config.of(1), new RenditionVerifier(),
        Optional.of(new FfmpegTranscoder()), faults, Optional.empty(), () -> 0, Clock.systemUTC());
    RemoteTranscoder b = RemoteTranscoder.start(RemoteConfig.defaults(List.of(RemoteTranscoderTest.addr(honest)),
        dir.resolve("b")), LADDER, Clock.systemUTC(), info -> info, Optional.empty(), verification);
    toClose.add(b);
    try (Transcoder.TranscodeSession s = b.open("honest", LADDER)) {
      for (int seq = 0; seq < segments.size(); seq++) {
        assertThat(s.transcode(new Segment("honest", seq, 2000, segments.get(seq))).renditions()).hasSize(2);
      }
    }
    assertThat(faults.faults()).isEmpty();
    assertThat(verification.verified()).isEqualTo(segments.size());
    assertThat(new BroadcasterMetrics(new Counters(), Optional.of(b)).render())
        .contains("livepeer_fast_verification_done " + segments.size())
        .contains("livepeer_fast_verification_failed 0");
  }

  @Test
  void samplesTheConfiguredFractionOfSegments() {
    double[] draws = {0.05, 0.5, 0.09, 0.95, 0.1};
    int[] next = {0};
    SegmentVerifier v = new SegmentVerifier(SegmentVerifier.Config.of(0.1), new RenditionVerifier(),
        Optional.empty(), () -> draws[next[0]++]);
    List<Boolean> picked = new ArrayList<>();
    for (int i = 0; i < draws.length; i++) {
      picked.add(v.sampled());
    }
    assertThat(picked).containsExactly(true, false, true, false, false);
    assertThat(new SegmentVerifier(SegmentVerifier.Config.of(0), new RenditionVerifier(), Optional.empty(),
        () -> 0).sampled()).as("0 is off").isFalse();
  }

  /** Our own transcode of segment {@code seq}, rendition {@code i}: what an honest orchestrator returns. */
  private static byte[] reference(int seq, int i) {
    try (Transcoder.TranscodeSession t = new FfmpegTranscoder().open("reference-" + seq, LADDER)) {
      return t.transcode(new Segment("reference", seq, 2000, segments.get(seq))).renditions().get(i).data();
    }
  }

  private static EthAddress recover(byte[] hash, byte[] sig) {
    return EthCrypto.recoverPersonal(Bytes32.of(hash), Signature.of(sig)).orElseThrow();
  }

  private OrchestratorNode orchestrator(String name, Transcoder transcoder) {
    OrchestratorNode o = OrchestratorNode.start(
        OrchestratorConfig.defaults("127.0.0.1", 0, dir.resolve(name), "secret-" + name), transcoder);
    toClose.add(o);
    return o;
  }
}
