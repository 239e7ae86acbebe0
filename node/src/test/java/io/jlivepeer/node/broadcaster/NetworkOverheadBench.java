package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.PromParser;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import io.jlivepeer.node.transcoder.TranscoderConfig;
import io.jlivepeer.node.transcoder.TranscoderNode;
import io.jlivepeer.payments.Keccak;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * B -> O -> T -> O -> B overhead on loopback, through the production code of each role (RemoteTranscoder, an
 * OrchestratorNode without local transcoding, a TranscoderNode with x264): per segment, B's round trip minus T's
 * transcode time, as a share of the 2 s segment, split into phases from the three roles' /metrics. Run with
 * {@code ./mvnw -B -q -o -pl node -am verify -Dtest=NetworkOverheadBench -Dnetwork.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=None -Dfailsafe.failIfNoSpecifiedTests=false}
 * ({@code -Dnetwork.bench.segments=N} for a longer run). Reports the mean over all segments but the first and the
 * steady-state mean after {@code -Dnetwork.bench.warmup=10} segments (a live node runs for hours with a warm JIT).
 */
@EnabledIfSystemProperty(named = "network.bench", matches = "true")
class NetworkOverheadBench {
  @TempDir Path dir;
  @TempDir Path cut;

  @Test
  void measuresRoundTripMinusTranscodeTimeThroughARemoteTranscoder() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    int seconds = 2 * Integer.getInteger("network.bench.segments", 10);
    Path source = TestMedia.source(1280, 720, 30, seconds, "ts");
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-i",
        source.toString(), "-c", "copy", "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts",
        cut.resolve("seg%03d.ts").toString()), 120);
    List<byte[]> segments = new ArrayList<>();
    try (Stream<Path> files = Files.list(cut)) {
      for (Path p : files.sorted().toList()) {
        segments.add(Files.readAllBytes(p));
      }
    }
    List<VideoProfile> ladder = VideoProfiles.defaultLadder();
    Transcoder noLocal = (id, profiles) -> {
      throw new AssertionError("O must hand the work to T");
    };
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
    try (OrchestratorNode o = OrchestratorNode.start(OrchestratorConfig.defaults("127.0.0.1", 0, dir.resolve("o"),
            "bench").withLocalTranscoding(false), noLocal);
        TranscoderNode t = TranscoderNode.start(TranscoderConfig.of(RemoteTranscoderTest.addr(o), "bench", 1),
            new FfmpegTranscoder())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!o.metricsText().contains("livepeer_orchestrator_remote_transcoders 1")) {
        assertThat(System.nanoTime()).as("T registered").isLessThan(deadline);
        Thread.sleep(50);
      }
      try (RemoteTranscoder b = RemoteTranscoder.start(RemoteConfig.defaults(List.of(RemoteTranscoderTest.addr(o)),
          dir.resolve("b")), ladder)) {
        Transcoder.TranscodeSession session = b.open("bench", ladder);
        Snapshot before = Snapshot.of(b, o, t);
        // columns: round trip, T transcode, overhead, then the overhead's phases, which sum to it
        String[] phases = {"B prepare", "B->O upload", "O other", "O->T dispatch", "T transfers", "B downloads",
            "B verify", "B<->O handoffs"};
        int warmUp = Integer.getInteger("network.bench.warmup", 10);
        double[] all = new double[3 + phases.length];
        double[] steady = new double[all.length];
        int measured = 0;
        int steadyCount = 0;
        System.out.println("seg  bytes    round  T-xcode overhead | B-prep  upload O-other  O->T  T-down  T-post  "
            + "B-down  B-verif  handoff (ms)");
        for (int seq = 0; seq < segments.size(); seq++) {
          long start = System.nanoTime();
          TranscodeResult r = session.transcode(new Segment("bench", seq, 2000, segments.get(seq)));
          double roundTrip = (System.nanoTime() - start) / 1e6;
          assertThat(r.renditions()).hasSize(ladder.size());
          Snapshot after = Snapshot.of(b, o, t);
          Snapshot d = after.minus(before);
          before = after;
          double overhead = roundTrip - d.tTranscode;
          // O's "other": its handling time outside the work it hands to T (checks, queue, signing, storing)
          double oOther = d.oHandling - d.oTranscode;
          // O->T: O's transcode time outside T's own three phases (NotifySegment, scheduling, multipart encoding)
          double dispatch = d.oTranscode - d.tDownload - d.tTranscode - d.tPost;
          // the rest of B's round trip: from B's send() to O's request headers, O's answer back to B and parsed,
          // and thread hand-offs on B
          double handoffs = roundTrip - d.bPrepare - d.oUpload - d.oHandling - d.bDownloads - d.bVerify;
          System.out.printf("%3d %7d %7.1f %7.1f %7.1f | %6.1f %6.1f %7.1f %5.1f %7.1f %7.1f %7.1f %7.1f %7.1f%n", seq,
              segments.get(seq).length, roundTrip, d.tTranscode, overhead, d.bPrepare, d.oUpload, oOther, dispatch,
              d.tDownload, d.tPost, d.bDownloads, d.bVerify, handoffs);
          if (seq > 0) { // the first segment also opens the sessions and the connections
            double[] row = {roundTrip, d.tTranscode, overhead, d.bPrepare, d.oUpload, oOther, dispatch,
                d.tDownload + d.tPost, d.bDownloads, d.bVerify, handoffs};
            for (int i = 0; i < row.length; i++) {
              all[i] += row[i];
              if (seq >= warmUp) {
                steady[i] += row[i];
              }
            }
            measured++;
            if (seq >= warmUp) {
              steadyCount++;
            }
          }
        }
        session.close();
        // the CPU floor of the protocol: B hashes the 1.1 MB input (keccak256) before it sends it; O while it arrives
        double[] hashMs = new double[21];
        for (int i = 0; i < hashMs.length; i++) {
          long h = System.nanoTime();
          Keccak.hash(segments.get(1));
          hashMs[i] = (System.nanoTime() - h) / 1e6;
        }
        java.util.Arrays.sort(hashMs);
        System.out.printf("keccak256 of one %d-byte segment: median %.1f ms (B before sending; O while receiving)%n",
            segments.get(1).length, hashMs[hashMs.length / 2]);
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).strip();
        report("all segments 1.." + (segments.size() - 1), all, measured, phases);
        if (steadyCount > 0) {
          report("steady state, segments " + warmUp + ".." + (segments.size() - 1) + " (JIT warm)", steady,
              steadyCount, phases);
        }
        System.out.printf("  ladder %s, 720p30 source, %d cores, load average before [%s] after [%s]%n",
            ladder.stream().map(VideoProfile::name).toList(), Runtime.getRuntime().availableProcessors(), loadBefore,
            loadAfter);
      }
    }
  }

  private static void report(String what, double[] sums, int n, String[] phases) {
    StringBuilder table = new StringBuilder();
    double total = 0;
    for (int i = 0; i < phases.length; i++) {
      table.append(i == 0 ? "" : ", ").append(phases[i]).append(String.format(" %.1f", sums[3 + i] / n));
      total += sums[3 + i] / n;
    }
    System.out.printf("%s (%d segments): round trip %.1f ms, T transcode %.1f ms, overhead %.1f ms = %.2f%% of a 2 s "
        + "segment%n  phases (ms, sum %.1f): %s%n", what, n, sums[0] / n, sums[1] / n, sums[2] / n,
        sums[2] / n / 2000 * 100, total, table);
  }

  /** Cumulative figures from the three roles' /metrics, in milliseconds. */
  private record Snapshot(double oUpload, double oHandling, double oTranscode, double tDownload, double tTranscode,
      double tPost, double bDownloads, double bPrepare, double bVerify) {

    static Snapshot of(RemoteTranscoder b, OrchestratorNode o, TranscoderNode t) {
      Map<String, Double> om = PromParser.parse(o.metricsText());
      Map<String, Double> tm = PromParser.parse(t.metricsText());
      return new Snapshot(ms(om, "livepeer_orchestrator_segment_upload_seconds_sum"),
          ms(om, "livepeer_orchestrator_segment_handling_seconds_sum"),
          ms(om, "livepeer_orchestrator_transcode_seconds_sum"),
          ms(tm, "livepeer_transcoder_download_seconds_sum"),
          ms(tm, "livepeer_transcoder_transcode_seconds_sum"),
          ms(tm, "livepeer_transcoder_post_seconds_sum"),
          b.renditionDownloads.snapshot().sumSeconds() * 1e3, b.preparations.snapshot().sumSeconds() * 1e3,
          b.verifications.snapshot().sumSeconds() * 1e3);
    }

    private static double ms(Map<String, Double> m, String key) {
      return PromParser.value(m, key) * 1e3;
    }

    Snapshot minus(Snapshot o) {
      return new Snapshot(oUpload - o.oUpload, oHandling - o.oHandling, oTranscode - o.oTranscode,
          tDownload - o.tDownload, tTranscode - o.tTranscode, tPost - o.tPost, bDownloads - o.bDownloads,
          bPrepare - o.bPrepare, bVerify - o.bVerify);
    }
  }
}
