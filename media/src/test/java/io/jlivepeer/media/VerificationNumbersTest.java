package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.Cheats.Kind;
import io.jlivepeer.media.RenditionVerifier.PsnrResult;
import io.jlivepeer.media.TestMedia.Content;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The numbers the broadcaster's PSNR threshold is chosen from: honest renditions against independent honest encodes
 * of the same segment, and each cheat against the honest rendition, per content and rendition size; and what a check
 * costs next to a transcode. Printed, and written to target/verification-numbers/.
 *
 * <p>Columns of psnr.txt (dB, each against our transcoder's rendition): ours2 = our transcoder again with one thread
 * per codec and no QP carry; cliVF, cliUF, cliMed = the ffmpeg program, libx264 veryfast, ultrafast and medium at the
 * same size, rate and capped bitrate (veryfast is often bit-identical to ours on a stream's first segment, where
 * there is no rate-control state to carry); then the three cheats (low resolution cannot be compared: its size).
 *
 * <p>A measurement, not a gate (it times things): run with {@code ./mvnw -B -o -q test -pl media
 * -Dtest=VerificationNumbersTest -Dverification.bench=true}.
 */
@EnabledIfSystemProperty(named = "verification.bench", matches = "true")
class VerificationNumbersTest {
  private static final RenditionVerifier VERIFIER = new RenditionVerifier();
  private static final List<VideoProfile> RUNGS = List.of(
      VideoProfile.of("P144p30fps16x9", 256, 144, 300_000, 30),
      VideoProfile.of("P240p30fps16x9", 426, 240, 300_000, 30),
      VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30),
      VideoProfile.of("P360p30fps16x9", 640, 360, 1_200_000, 30));
  private static final Path WORK = Path.of("target", "verification-numbers").toAbsolutePath();

  @Test
  void honestEncodesScoreFarAboveCheats() throws IOException {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-12s %-14s %7s %7s %7s %7s | %9s %9s %9s%n", "content", "rung",
        "ours2", "cliVF", "cliUF", "cliMed", "watermark", "lowres", "dropped"));
    for (Content content : Content.values()) {
      Path clip = TestMedia.clip(content, 1280, 720, 30, 2);
      List<byte[]> ours = CheatsTest.honestRenditions(clip, RUNGS);
      List<byte[]> oursAgain = transcode(clip, RUNGS, FfmpegTranscoder.Config.defaults().withThreads(1, 1, 1)
          .withCarryQp(false));
      for (int i = 0; i < RUNGS.size(); i++) {
        VideoProfile rung = RUNGS.get(i);
        byte[] honest = ours.get(i);
        PsnrResult self = VERIFIER.psnr(oursAgain.get(i), honest, 1);
        PsnrResult veryfast = VERIFIER.psnr(cliEncode(clip, rung, "veryfast"), honest, 1);
        PsnrResult ultrafast = VERIFIER.psnr(cliEncode(clip, rung, "ultrafast"), honest, 1);
        PsnrResult medium = VERIFIER.psnr(cliEncode(clip, rung, "medium"), honest, 1);
        PsnrResult watermark = VERIFIER.psnr(Cheats.apply(Kind.WATERMARK, honest, rung), honest, 1);
        PsnrResult lowRes = VERIFIER.psnr(Cheats.apply(Kind.LOW_RESOLUTION, honest, rung), honest, 1);
        PsnrResult dropped = VERIFIER.psnr(Cheats.apply(Kind.DROPPED_FRAMES, honest, rung), honest, 1);
        out.append(String.format(Locale.ROOT, "%-12s %-14s %7.2f %7.2f %7.2f %7.2f | %9.2f %9s %9s%n",
            content, rung.height() + "p@" + rung.bitrateBps() / 1000 + "k", self.db(), veryfast.db(), ultrafast.db(),
            medium.db(), watermark.db(), lowRes.sameSize() ? String.format(Locale.ROOT, "%.2f", lowRes.db())
                : "size " + lowRes.candidate().width() + "x" + lowRes.candidate().height(),
            String.format(Locale.ROOT, "%.2f/%df", dropped.db(), dropped.candidate().frames())));
        double honestMin = Math.min(Math.min(self.db(), veryfast.db()), Math.min(ultrafast.db(), medium.db()));
        assertThat(honestMin).as("%s %s honest", content, rung).isGreaterThan(30);
        assertThat(watermark.db()).as("%s %s watermark", content, rung).isLessThan(honestMin - 10);
        assertThat(lowRes.sameSize()).isFalse();
        assertThat(dropped.candidate().frames()).isEqualTo(30);
        assertThat(dropped.db()).as("%s %s dropped", content, rung).isLessThan(honestMin);
      }
    }
    report("psnr.txt", out.toString());
  }

  @Test
  void verifyingCostsAFractionOfTranscoding() throws IOException {
    Path clip = TestMedia.source(1920, 1080, 30, 2, "ts");
    VideoProfile rung = VideoProfiles.preset("P240p30fps16x9").orElseThrow();
    List<VideoProfile> ladder = List.of(rung);
    byte[] honest = CheatsTest.honestRenditions(clip, ladder).get(0);
    byte[] reference = cliEncode(clip, rung, "veryfast");

    double transcode = medianMillis(3, () -> transcode(clip, ladder, FfmpegTranscoder.Config.defaults()));
    double probe = medianMillis(7, () -> VERIFIER.probe(honest));
    double psnr1 = medianMillis(7, () -> VERIFIER.psnr(honest, reference, 1));
    double psnr5 = medianMillis(7, () -> VERIFIER.psnr(honest, reference, 5));

    String text = String.format(Locale.ROOT, "2 s 1080p30 source -> 240p30 600k, %d cores%n"
        + "transcode (FfmpegTranscoder, one rung): %.1f ms%n"
        + "probe: %.1f ms (%.3f of the transcode)%n"
        + "psnr sampleEvery 1 (both probes included): %.1f ms (%.3f)%n"
        + "psnr sampleEvery 5: %.1f ms (%.3f)%n"
        + "probe + psnr 1: %.1f ms (%.3f)%n",
        Runtime.getRuntime().availableProcessors(), transcode, probe, probe / transcode, psnr1, psnr1 / transcode,
        psnr5, psnr5 / transcode, probe + psnr1, (probe + psnr1) / transcode);
    report("cost.txt", text);
    assertThat(psnr1).isLessThan(transcode);
  }

  private static List<byte[]> transcode(Path clip, List<VideoProfile> ladder, FfmpegTranscoder.Config config) {
    try {
      Segment segment = new Segment("numbers", 0, 2000, Files.readAllBytes(clip));
      try (var session = new FfmpegTranscoder(config).open("numbers", ladder)) {
        return session.transcode(segment).renditions().stream().map(Rendition::data).toList();
      }
    } catch (IOException e) {
      throw new MediaException("could not read " + clip, e);
    }
  }

  /** An independent honest encode: the ffmpeg program at the rung's size, rate and capped bitrate. */
  private static byte[] cliEncode(Path clip, VideoProfile rung, String preset) throws IOException {
    Files.createDirectories(WORK);
    Path out = WORK.resolve("cli_" + rung.height() + "_" + rung.bitrateBps() + "_" + preset + ".ts");
    String rate = Integer.toString(rung.bitrateBps());
    FfmpegCli.ffmpeg(List.of("-hide_banner", "-loglevel", "error", "-y", "-i", clip.toString(), "-map", "0:v:0",
        "-vf", "scale=" + rung.width() + ":" + rung.height() + ":flags=bicubic,fps=" + rung.fps(),
        "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", "-b:v", rate, "-minrate", rate, "-maxrate", rate,
        "-bufsize", rate, "-an", "-f", "mpegts", out.toString()), 120);
    return Files.readAllBytes(out);
  }

  private static double medianMillis(int runs, Supplier<?> work) {
    work.get(); // warm-up: JIT, native libraries, x264's first open
    double[] t = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      work.get();
      t[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(t);
    return t[runs / 2];
  }

  private static void report(String name, String text) throws IOException {
    System.out.print(text);
    Files.createDirectories(WORK);
    Files.writeString(WORK.resolve(name), text);
  }
}
