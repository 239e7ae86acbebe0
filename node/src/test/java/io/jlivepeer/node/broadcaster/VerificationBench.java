package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.RenditionVerifier;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.orchestrator.CheatingTranscoder;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures of the broadcaster's verification (issue 10, docs/benchmarks.md "Verification (issue 10)"):
 *
 * <ol>
 *   <li>false positives: every segment of several kinds of content goes through a B at {@code -verificationFreq 1}
 *       (trusted FfmpegTranscoder) to an honest in-process orchestrator; every fault is a false positive;
 *   <li>detection: per cheat kind, {@link SegmentVerifier#check} on tampered results of sampled segments of every
 *       content (the tampering is {@link CheatingTranscoder}'s, applied to the honest renditions of step 1), and per
 *       stream a cheating orchestrator that B tries first, with an honest one behind it;
 *   <li>CPU: process CPU time of the orchestrator's transcodes against B's verification of the same segments in
 *       step 1, split into the trusted re-transcode and the rest (probes, PSNR), at frequency 1 and, from the same
 *       run, at 0.1 (the segments a 0.1 sampler picks).
 * </ol>
 *
 * Run with {@code ./mvnw -B -o -q verify -pl node -am -Dtest=VerificationBench -Dverification.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false -DskipITs} ({@code -Dverification.bench.segments=N} segments of 2 s per
 * content, default 40; {@code -Dverification.bench.picks=N} segments per content for the per-segment detection rate,
 * default 4). Prints a table and writes it to {@code node/target/verification-bench.md}.
 */
@EnabledIfSystemProperty(named = "verification.bench", matches = "true")
class VerificationBench {
  /** The three lowest rungs of the reference node's presets (16:9, 30 fps). */
  private static final List<VideoProfile> LADDER = Stream.of("P144p30fps16x9", "P240p30fps16x9", "P360p30fps16x9")
      .map(n -> VideoProfiles.preset(n).orElseThrow()).toList();
  private static final List<String> CHEATS = List.of("watermark", "lowres", "dropframes", "othersegment");
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  @TempDir Path dir;
  /** Faults against the honest O in the streams of step 2b (it stands behind the cheater there). */
  private final List<String> streamFalsePositives = new ArrayList<>();

  /** One kind of picture: its clip, cut into 2 s segments. */
  private record Content(String name, String source, Path clip, List<Path> segments) {}

  /** What step 1 measured for one segment. */
  private record Row(String content, long seq, boolean passed, long transcodeCpu, long verifyCpu, long retranscodeCpu,
      double[] psnr) {}

  /** Process CPU time in ns: FFmpeg's native threads (x264's frame threads, the decoders) are outside the JVM's. */
  private static long cpu() {
    return OS.getProcessCpuTime();
  }

  /**
   * Measures each transcode of the wrapped transcoder in process CPU time; the bench runs one thing at a time, so the
   * process's CPU during the call is the call's. Keeps the last result (the trusted re-transcode, for PSNR margins).
   */
  private static final class Metered implements Transcoder {
    private final Transcoder delegate;
    private long last;
    private Optional<TranscodeResult> lastResult = Optional.empty();

    Metered(Transcoder delegate) {
      this.delegate = delegate;
    }

    synchronized long take() {
      long l = last;
      last = 0;
      return l;
    }

    synchronized Optional<TranscodeResult> lastResult() {
      return lastResult;
    }

    private synchronized void record(long nanos, TranscodeResult r) {
      last += nanos;
      lastResult = Optional.of(r);
    }

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      TranscodeSession s = delegate.open(sessionId, profiles);
      return new TranscodeSession() {
        @Override
        public TranscodeResult transcode(Segment segment) {
          long start = cpu();
          TranscodeResult r = s.transcode(segment);
          record(cpu() - start, r);
          return r;
        }

        @Override
        public void close() {
          s.close();
        }
      };
    }
  }

  /** Hands back the renditions step 1 got for each segment: what the honest orchestrator made, without redoing it. */
  private static final class Replay implements Transcoder {
    private final Map<Long, List<Rendition>> bySeq;

    Replay(Map<Long, List<Rendition>> bySeq) {
      this.bySeq = bySeq;
    }

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      return new TranscodeSession() {
        @Override
        public TranscodeResult transcode(Segment segment) {
          return new TranscodeResult(0, bySeq.get(segment.seq()));
        }

        @Override
        public void close() {}
      };
    }
  }

  @Test
  void measuresFalsePositivesDetectionAndCpuCost() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    long wallStart = System.nanoTime();
    int perContent = Integer.getInteger("verification.bench.segments", 40);
    int picks = Integer.getInteger("verification.bench.picks", 4);
    String loadBefore = load();
    progress("load average %s; making clips of %d x 2 s", loadBefore, perContent);
    int seconds = 2 * perContent;
    List<Content> contents = new ArrayList<>();
    contents.add(content("test pattern", "testsrc2 640x360p30",
        TestMedia.clip(TestMedia.Content.TEST_PATTERN, 640, 360, 30, seconds)));
    contents.add(content("mandelbrot", "mandelbrot 640x360p30",
        TestMedia.clip(TestMedia.Content.MANDELBROT, 640, 360, 30, seconds)));
    contents.add(content("grainy", "mandelbrot + noise 640x360p30",
        TestMedia.clip(TestMedia.Content.GRAINY, 640, 360, 30, seconds)));
    contents.add(content("test pattern 720p25", "testsrc2 1280x720p25",
        TestMedia.clip(TestMedia.Content.TEST_PATTERN, 1280, 720, 25, seconds)));
    contents.add(content("life 60 fps", "life (mold, colours) 640x360p60",
        lifeClip(640, 360, 60, seconds)));

    Metered oMeter = new Metered(new FfmpegTranscoder());
    // warm-up: the JIT and the first native loads are not the per-segment cost
    honestPass(oMeter, contents.getFirst(), 3, new HashMap<>(), new ArrayList<>(), new ArrayList<>());
    progress("warm-up done");

    // 1. false positives, and the CPU figures of the same run
    List<Row> rows = new ArrayList<>();
    List<FaultLog.Fault> falsePositives = new ArrayList<>();
    Map<String, Map<Long, List<Rendition>>> honestRenditions = new LinkedHashMap<>();
    for (Content c : contents) {
      Map<Long, List<Rendition>> kept = new HashMap<>();
      honestPass(oMeter, c, c.segments().size(), kept, rows, falsePositives);
      honestRenditions.put(c.name(), kept);
      progress("%s: %d segments, %d faults", c.name(), c.segments().size(),
          falsePositives.stream().filter(f -> f.stream().equals(streamId(c))).count());
    }
    // 2a. per-segment detection: the checker on tampered results of the same honest renditions
    Map<String, List<Optional<SegmentVerifier.Finding>>> perSegment = new LinkedHashMap<>();
    List<Optional<SegmentVerifier.Finding>> honestSampled = new ArrayList<>();
    CHEATS.forEach(k -> perSegment.put(k, new ArrayList<>()));
    for (Content c : contents) {
      Map<Long, List<Rendition>> kept = honestRenditions.get(c.name());
      int n = c.segments().size();
      try (SegmentVerifier v = new SegmentVerifier(SegmentVerifier.Config.of(1), new RenditionVerifier(),
          Optional.of(new FfmpegTranscoder()), () -> 0)) {
        for (int p = 0; p < picks; p++) {
          long seq = 1 + (long) p * Math.max(1, (n - 1) / picks);
          if (!(kept.containsKey(seq) && kept.containsKey(seq - 1))) {
            continue; // O's transcode failed outright (not seen so far)
          }
          Segment segment = segment(c, seq);
          // as at -verificationFreq 0.1, the trusted session sees only the sampled segments: honest ones too
          honestSampled.add(v.check(segment, LADDER, kept.get(seq)));
          for (String kind : CHEATS) {
            List<Rendition> tampered = tamper(kind, kept, c, seq);
            perSegment.get(kind).add(v.check(segment, LADDER, tampered));
          }
        }
      }
      progress("%s: per-segment detection on %d segments done", c.name(), picks);
    }

    // 2b. per stream: the cheater is B's first pick, an honest O behind it
    Map<String, List<Long>> caughtAt = new LinkedHashMap<>();
    Map<String, List<String>> streamFindings = new LinkedHashMap<>();
    for (String kind : CHEATS) {
      caughtAt.put(kind, new ArrayList<>());
      streamFindings.put(kind, new ArrayList<>());
      // a fresh honest O per kind: a B that flags an O leaves its O session open until O's idle timeout
      try (OrchestratorNode cheater = orchestrator("cheater-" + kind,
          CheatingTranscoder.of(kind, new FfmpegTranscoder()));
          OrchestratorNode honest = orchestrator("honest-" + kind, new FfmpegTranscoder())) {
        for (Content c : contents) {
          FaultLog faults = new FaultLog(Optional.empty());
          Verification verification = new Verification(SegmentVerifier.Config.of(1), new RenditionVerifier(),
              Optional.of(new FfmpegTranscoder()), faults, Optional.empty(), () -> 0, Clock.systemUTC());
          try (RemoteTranscoder b = RemoteTranscoder.start(RemoteConfig.defaults(
              List.of(RemoteTranscoderTest.addr(cheater), RemoteTranscoderTest.addr(honest)),
              dir.resolve("b-" + kind + "-" + contents.indexOf(c))), LADDER, Clock.systemUTC(), info -> info,
              Optional.empty(), verification)) {
            b.pool().seedLatency(RemoteTranscoderTest.addr(cheater), 1);
            b.pool().seedLatency(RemoteTranscoderTest.addr(honest), 500);
            try (Transcoder.TranscodeSession s = b.open("cheat-" + kind, LADDER)) {
              for (long seq = 0; seq < 3; seq++) {
                assertThat(s.transcode(segment(c, seq)).renditions()).hasSize(LADDER.size());
              }
            } catch (NodeException e) {
              // the honest O was flagged as well (a false positive), so no O was left for the segment
              progress("%s stream on %s: %s", kind, c.name(), e.getMessage());
            }
          }
          String cheaterAddr = RemoteTranscoderTest.addr(cheater);
          List<FaultLog.Fault> found = faults.faults().stream().filter(f -> f.orchestrator().equals(cheaterAddr))
              .toList();
          caughtAt.get(kind).add(found.isEmpty() ? -1 : found.getFirst().seq());
          found.stream().findFirst().ifPresent(f -> streamFindings.get(kind).add(f.kind()));
          faults.faults().stream().filter(f -> !f.orchestrator().equals(cheaterAddr)).forEach(f ->
              streamFalsePositives.add(kind + " stream, " + c.name() + " segment " + f.seq() + ": the honest O "
                  + "flagged (" + f.kind() + ", score " + f.score() + " milli-dB): " + f.detail()));
        }
      }
      progress("%s: streams done, first fault at segment %s", kind, caughtAt.get(kind));
    }
    String loadAfter = load();
    double wallMinutes = (System.nanoTime() - wallStart) / 60e9;

    StringBuilder md = new StringBuilder();
    report(md, contents, rows, falsePositives, perSegment, honestSampled, caughtAt, streamFindings, loadBefore,
        loadAfter, wallMinutes);
    System.out.println(md);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "verification-bench.md"), md.toString(), StandardCharsets.UTF_8);
  }

  /**
   * All of {@code count} segments of {@code c} through B at {@code -verificationFreq 1} to an honest O, in order, one
   * stream. B's verification is measured from its sampling draw (which comes just before the check) to the moment its
   * transcode call returns (the check is the last thing it does); O's transcode by its meter. A false positive
   * suspends the only O: it is recorded, and the stream goes on from the next segment with a fresh O and B (a
   * flagged O session is left open on O, and O caps its sessions).
   */
  private void honestPass(Metered oMeter, Content c, int count, Map<Long, List<Rendition>> kept, List<Row> rows,
      List<FaultLog.Fault> falsePositives) {
    long[] drawnAt = {0};
    Metered trusted = new Metered(new FfmpegTranscoder());
    RenditionVerifier media = new RenditionVerifier();
    int restarts = 0;
    long seq = 0;
    while (seq < count) {
      FaultLog faults = new FaultLog(Optional.empty());
      Verification verification = new Verification(SegmentVerifier.Config.of(1), media, Optional.of(trusted),
          faults, Optional.empty(), () -> {
            drawnAt[0] = cpu();
            return 0;
          }, Clock.systemUTC());
      String run = streamId(c) + "-" + restarts++;
      try (OrchestratorNode honest = orchestrator("honest-" + run, oMeter);
          RemoteTranscoder b = RemoteTranscoder.start(RemoteConfig.defaults(List.of(RemoteTranscoderTest.addr(honest)),
              dir.resolve("b-" + run)), LADDER, Clock.systemUTC(), info -> info, Optional.empty(), verification);
          Transcoder.TranscodeSession s = b.open(streamId(c), LADDER)) {
        for (; seq < count; seq++) {
          Segment segment = segment(c, seq);
          oMeter.take();
          trusted.take();
          TranscodeResult r;
          boolean passed = true;
          try {
            r = s.transcode(segment);
          } catch (NodeException e) {
            passed = false;
            r = oMeter.lastResult().orElseThrow(); // what honest O made, which B refused
            falsePositives.addAll(faults.faults());
            progress("%s segment %d: %s", c.name(), seq, e.getMessage());
          }
          long end = cpu();
          long transcodeCpu = oMeter.take();
          long retranscodeCpu = trusted.take();
          assertThat(r.renditions()).hasSize(LADDER.size());
          // the margin to the threshold: each rung's score (its faithfulness to the source relative to the trusted
          // re-transcode's, which sits at 36), outside the measured windows
          double[] psnr = new double[LADDER.size()];
          List<Rendition> reference = trusted.lastResult().orElseThrow().renditions();
          List<byte[]> both = new ArrayList<>();
          r.renditions().forEach(x -> both.add(x.data()));
          reference.forEach(x -> both.add(x.data()));
          List<RenditionVerifier.PsnrResult> q = media.psnrAgainstSource(both, segment.data(), 2);
          for (int i = 0; i < psnr.length; i++) {
            psnr[i] = SegmentVerifier.TRUSTED_SCORE_DB + q.get(i).db() - q.get(psnr.length + i).db();
          }
          rows.add(new Row(c.name(), seq, passed, transcodeCpu, end - drawnAt[0], retranscodeCpu, psnr));
          kept.put(seq, r.renditions());
          if (!passed) {
            seq++;
            break;
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** What CheatingTranscoder returns for segment {@code seq}, from the honest renditions step 1 kept. */
  private static List<Rendition> tamper(String kind, Map<Long, List<Rendition>> kept, Content c, long seq)
      throws IOException {
    try (Transcoder.TranscodeSession cheat = CheatingTranscoder.of(kind, new Replay(kept)).open("cheat", LADDER)) {
      if (kind.equals("othersegment")) {
        cheat.transcode(segment(c, seq - 1)); // it replays the segment before
      }
      return cheat.transcode(segment(c, seq)).renditions();
    }
  }

  private void report(StringBuilder md, List<Content> contents, List<Row> rows, List<FaultLog.Fault> falsePositives,
      Map<String, List<Optional<SegmentVerifier.Finding>>> perSegment,
      List<Optional<SegmentVerifier.Finding>> honestSampled, Map<String, List<Long>> caughtAt,
      Map<String, List<String>> streamFindings, String loadBefore, String loadAfter, double wallMinutes) {
    md.append(String.format(Locale.ROOT, "Verification bench %s, ladder %s, %d cores, load average before [%s] after "
        + "[%s], %.1f min%n%n", Instant.now(), LADDER.stream().map(p -> p.name() + " " + p.width() + "x" + p.height()
        + " " + p.bitrateBps() / 1000 + "k").toList(), Runtime.getRuntime().availableProcessors(), loadBefore,
        loadAfter, wallMinutes));

    md.append("False positives, every segment through B at -verificationFreq 1 to an honest O (goal 0); score of each"
        + " rung: its luma PSNR against the source relative to B's trusted re-transcode's, which sits at 36 (fault below"
        + " 30)\n\n");
    md.append("| content | source | segments | faults (false positives) | rungs of them | min score 144p / 240p / "
        + "360p (dB) | median score (dB) |\n");
    md.append("|---|---|---:|---:|---|---|---|\n");
    for (Content c : contents) {
      List<Row> rs = rows.stream().filter(r -> r.content().equals(c.name())).toList();
      List<FaultLog.Fault> fp = falsePositives.stream().filter(f -> f.stream().equals(streamId(c))).toList();
      Map<String, Integer> rungs = new LinkedHashMap<>();
      fp.forEach(f -> rungs.merge(f.profile(), 1, Integer::sum));
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s |%n", c.name(), c.source(),
          rs.size(), fp.size(), rungs.isEmpty() ? "-" : rungs.toString(), psnrs(rs, 0), psnrs(rs, 0.5)));
    }
    md.append(String.format(Locale.ROOT, "| **all** | | **%d** | **%d** | | | |%n", rows.size(),
        falsePositives.size()));
    md.append("\n");
    for (FaultLog.Fault f : falsePositives) {
      Row r = rows.stream().filter(x -> streamId(x.content()).equals(f.stream()) && x.seq() == f.seq()).findFirst()
          .orElseThrow();
      md.append(String.format(Locale.ROOT, "- false positive: %s segment %d, %s %s, score %d milli-dB (%s); all "
          + "rungs %s dB%n", r.content(), f.seq(), f.kind(), f.profile(), f.score(), f.detail(),
          java.util.Arrays.stream(r.psnr()).mapToObj(d -> String.format(Locale.ROOT, "%.1f", d)).toList()));
    }
    long sampledFp = honestSampled.stream().filter(Optional::isPresent).count();
    md.append(String.format(Locale.ROOT, "%nHonest results checked by a trusted session that sees only the sampled "
        + "segments (as at 0.1): %d of %d flagged%s%n", sampledFp, honestSampled.size(),
        honestSampled.stream().flatMap(Optional::stream).map(f -> " [" + f.kind() + ": " + f.detail() + "]")
            .reduce("", String::concat)));

    md.append("\nDetection (goal 100%): SegmentVerifier.check on tampered results, per segment; and streams whose "
        + "first pick is the cheater (caught at segment; -1: not caught in 3 segments; othersegment's segment 0 is "
        + "honest work, so a fault there is a false positive)\n\n");
    md.append("| cheat | tampered segments detected | findings | highest score of a content finding (dB) | "
        + "streams caught within 2 segments | caught at segment |\n");
    md.append("|---|---:|---|---:|---:|---|\n");
    for (String kind : CHEATS) {
      List<Optional<SegmentVerifier.Finding>> fs = perSegment.get(kind);
      long detected = fs.stream().filter(Optional::isPresent).count();
      Map<String, Integer> kinds = new LinkedHashMap<>();
      fs.stream().flatMap(Optional::stream).forEach(f -> kinds.merge(f.kind(), 1, Integer::sum));
      Optional<Long> worst = fs.stream().flatMap(Optional::stream).filter(f -> f.kind().equals("content"))
          .map(SegmentVerifier.Finding::scoreMilliDb).max(Long::compare);
      List<Long> at = caughtAt.get(kind);
      long within = at.stream().filter(s -> s >= 0 && s <= 1).count();
      md.append(String.format(Locale.ROOT, "| %s | %d / %d (%.0f%%) | %s | %s | %d / %d | %s (%s) |%n", kind,
          detected, fs.size(), 100.0 * detected / fs.size(), kinds,
          worst.map(w -> String.format(Locale.ROOT, "%.1f", w / 1000.0)).orElse("-"), within, at.size(), at,
          String.join(",", streamFindings.get(kind))));
    }

    md.append(String.format(Locale.ROOT, "%nThe honest O behind the cheaters flagged in those streams: %d%n",
        streamFalsePositives.size()));
    streamFalsePositives.forEach(f -> md.append("  ").append(f).append('\n'));
    md.append("\nCPU (process CPU time, same run, same segments): O's transcodes vs B's verification\n\n");
    md.append("| content | segments | transcode s | verify s | of which re-transcode s | rest s (probes, PSNR) | "
        + "verify / transcode | rest / transcode |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    List<Row> passed = rows.stream().filter(Row::passed).toList();
    for (Content c : contents) {
      cpuRow(md, c.name(), passed.stream().filter(r -> r.content().equals(c.name())).toList());
    }
    cpuRow(md, "**all, frequency 1**", passed);
    // frequency 0.1: the segments SegmentVerifier's draw (< 0.1) picks, their verification over every transcode
    Random draw = new Random(10);
    List<Row> sampled = passed.stream().filter(r -> draw.nextDouble() < 0.1).toList();
    long transcode = passed.stream().mapToLong(Row::transcodeCpu).sum();
    long verify = sampled.stream().mapToLong(Row::verifyCpu).sum();
    long retranscode = sampled.stream().mapToLong(Row::retranscodeCpu).sum();
    md.append(String.format(Locale.ROOT, "| **all, frequency 0.1** (%d of the %d checked, seed 10) | %d | %.2f | %.2f "
        + "| %.2f | %.2f | %.1f%% | %.1f%% |%n", sampled.size(), passed.size(), passed.size(), transcode / 1e9,
        verify / 1e9, retranscode / 1e9, (verify - retranscode) / 1e9, 100.0 * verify / transcode,
        100.0 * (verify - retranscode) / transcode));
    long allVerify = passed.stream().mapToLong(Row::verifyCpu).sum();
    long allRe = passed.stream().mapToLong(Row::retranscodeCpu).sum();
    md.append(String.format(Locale.ROOT, "| expected at 0.1 (a tenth of frequency 1) | | | | | | %.1f%% | %.1f%% |%n",
        10.0 * allVerify / transcode, 10.0 * (allVerify - allRe) / transcode));
    md.append("\n(CPU rows: the segments that passed; a flagged one stops its check at the failing rung.)\n");
  }

  private static void cpuRow(StringBuilder md, String what, List<Row> rs) {
    long transcode = rs.stream().mapToLong(Row::transcodeCpu).sum();
    long verify = rs.stream().mapToLong(Row::verifyCpu).sum();
    long re = rs.stream().mapToLong(Row::retranscodeCpu).sum();
    md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.1f%% | %.1f%% |%n", what,
        rs.size(), transcode / 1e9, verify / 1e9, re / 1e9, (verify - re) / 1e9, 100.0 * verify / transcode,
        100.0 * (verify - re) / transcode));
  }

  /** The quantile of each rung's PSNR over the segments, "a / b / c". */
  private static String psnrs(List<Row> rs, double quantile) {
    if (rs.isEmpty()) {
      return "-";
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < LADDER.size(); i++) {
      int rung = i;
      double[] v = rs.stream().mapToDouble(r -> r.psnr()[rung]).sorted().toArray();
      out.add(String.format(Locale.ROOT, "%.1f", v[(int) Math.round(quantile * (v.length - 1))]));
    }
    return String.join(" / ", out);
  }

  private Content content(String name, String source, Path clip) throws IOException {
    Path cut = dir.resolve("cut-" + name.replaceAll("[^a-z0-9]", "_"));
    Files.createDirectories(cut);
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-i",
        clip.toString(), "-c", "copy", "-f", "segment", "-segment_time", "2",
        // without the delta the first cut falls a keyframe late (a 4 s first segment): its time is 2 s minus a rounding
        "-segment_time_delta", "0.05", "-segment_format", "mpegts", cut.resolve("seg%03d.ts").toString()), 120);
    try (Stream<Path> files = Files.list(cut)) {
      return new Content(name, source, clip, files.filter(p -> p.toString().endsWith(".ts")).sorted().toList());
    }
  }

  /** A clip of Conway's life (growing, colour-fading cells), cached like TestMedia's. */
  private static Path lifeClip(int width, int height, int fps, int seconds) throws IOException {
    Path media = Path.of("target", "test-media").toAbsolutePath();
    Path out = media.resolve("life_" + width + "x" + height + "p" + fps + "_" + seconds + "s.ts");
    if (Files.exists(out)) {
      return out;
    }
    Files.createDirectories(media);
    Path tmp = media.resolve(out.getFileName() + ".tmp.ts");
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", String.format(Locale.ROOT, "life=size=%dx%d:rate=%d:mold=10:ratio=0.1:"
            + "death_color=#C83232:life_color=#00FF00,format=yuv420p", width, height, fps),
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", Integer.toString(seconds),
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-b:v", "4000k", "-maxrate", "4000k", "-bufsize", "8000k",
        "-g", Integer.toString(2 * fps), "-keyint_min", Integer.toString(2 * fps), "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-f", "mpegts", tmp.toString()), 300);
    Files.move(tmp, out);
    return out;
  }

  private static Segment segment(Content c, long seq) throws IOException {
    return new Segment(streamId(c), seq, 2000, Files.readAllBytes(c.segments().get((int) seq)));
  }

  private static String streamId(Content c) {
    return streamId(c.name());
  }

  private static String streamId(String content) {
    return "bench-" + content.replaceAll("[^a-z0-9]", "-");
  }

  private OrchestratorNode orchestrator(String name, Transcoder transcoder) {
    return OrchestratorNode.start(OrchestratorConfig.defaults("127.0.0.1", 0, dir.resolve(name), "secret-" + name),
        transcoder);
  }

  private static String load() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  private static final AtomicInteger STEP = new AtomicInteger();

  private static void progress(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[verification bench %d] %s%n", STEP.incrementAndGet(),
        String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
