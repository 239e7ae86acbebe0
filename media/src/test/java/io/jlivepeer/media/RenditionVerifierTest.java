package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jlivepeer.media.RenditionVerifier.Probe;
import io.jlivepeer.media.RenditionVerifier.PsnrResult;
import io.jlivepeer.media.TestMedia.Content;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RenditionVerifierTest {
  private static final RenditionVerifier VERIFIER = new RenditionVerifier();
  private static byte[] clip360;
  private static byte[] clip240;

  @BeforeAll
  static void makeClips() throws IOException {
    clip360 = Files.readAllBytes(TestMedia.clip(Content.TEST_PATTERN, 640, 360, 30, 2));
    clip240 = Files.readAllBytes(TestMedia.clip(Content.TEST_PATTERN, 426, 240, 30, 2));
  }

  @Test
  void probeReportsSizeFramesAndDurationOfARealClip() {
    Probe p = VERIFIER.probe(clip360);

    assertThat(p.decodable()).isTrue();
    assertThat(p.problem()).isEmpty();
    assertThat(p.width()).isEqualTo(640);
    assertThat(p.height()).isEqualTo(360);
    assertThat(p.frames()).isEqualTo(60);
    assertThat(p.durationMillis()).isCloseTo(2000, within(34L));
    assertThat(p.decodeErrors()).isZero();
    assertThat(p.startMillis()).isNotNegative();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void refusesGarbageCleanly() {
    Random random = new Random(7);
    byte[] noise = new byte[200_000];
    random.nextBytes(noise);
    byte[] syncedNoise = new byte[188 * 1000]; // sync bytes in place, random payload: the demuxer's worst case
    random.nextBytes(syncedNoise);
    for (int i = 0; i < syncedNoise.length; i += 188) {
      syncedNoise[i] = 0x47;
    }
    for (byte[] garbage : List.of(new byte[0], new byte[1], new byte[188 * 50], noise, syncedNoise,
        "not a video".getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
      Probe p = VERIFIER.probe(garbage);
      assertThat(p.decodable()).as("%d bytes", garbage.length).isFalse();
      assertThat(p.problem()).isNotBlank();
      assertThat(p.frames()).isZero();

      assertThatThrownBy(() -> VERIFIER.psnr(garbage, clip360, 1)).isInstanceOf(MediaException.class)
          .hasMessageContaining("candidate is not decodable");
      assertThatThrownBy(() -> VERIFIER.psnr(clip360, garbage, 1)).isInstanceOf(MediaException.class)
          .hasMessageContaining("reference is not decodable");
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void survivesTruncatedAndDamagedRenditions() {
    byte[] truncated = Arrays.copyOf(clip360, clip360.length / 2 + 77); // cut mid-packet
    Probe half = VERIFIER.probe(truncated);
    assertThat(half.decodable()).isTrue();
    assertThat(half.frames()).isBetween(1, 59);

    byte[] damaged = clip360.clone();
    Random random = new Random(3);
    for (int i = 0; i < 400; i++) {
      int at = 188 * (20 + random.nextInt(damaged.length / 188 - 20));
      for (int j = 4; j < 188; j++) {
        damaged[at + j] = (byte) random.nextInt(); // payloads scrambled, headers kept
      }
    }
    Probe d = VERIFIER.probe(damaged);
    assertThat(d.decodable()).isTrue();
    assertThat(d.decodeErrors()).isPositive();
    PsnrResult r = VERIFIER.psnr(damaged, clip360, 1);
    assertThat(r.db()).isLessThan(RenditionVerifier.MAX_PSNR_DB);
  }

  @Test
  void frameLimitRefusesLongerInput() {
    RenditionVerifier small = new RenditionVerifier(new RenditionVerifier.Config(10, 1));

    Probe p = small.probe(clip360);

    assertThat(p.decodable()).isFalse();
    assertThat(p.problem()).contains("more than 10 video frames");
    assertThatThrownBy(() -> small.psnr(clip360, clip360, 1)).isInstanceOf(MediaException.class);
  }

  @Test
  void psnrOfAClipWithItselfIsTheCap() {
    PsnrResult r = VERIFIER.psnr(clip360, clip360, 1);

    assertThat(r.db()).isEqualTo(RenditionVerifier.MAX_PSNR_DB);
    assertThat(r.minFrameDb()).isEqualTo(RenditionVerifier.MAX_PSNR_DB);
    assertThat(r.comparedFrames()).isEqualTo(60);
    assertThat(r.sameSize()).isTrue();
    assertThat(r.candidate()).isEqualTo(r.reference());
    assertThat(r.candidate().frames()).isEqualTo(60);
  }

  @Test
  void sampleEveryComparesEveryNthFrame() {
    assertThat(VERIFIER.psnr(clip360, clip360, 5).comparedFrames()).isEqualTo(12);
    assertThat(VERIFIER.psnr(clip360, clip360, 7).comparedFrames()).isEqualTo(9); // 0, 7, ..., 56
    assertThat(VERIFIER.psnr(clip360, clip360, 100).comparedFrames()).isEqualTo(1);
    assertThatThrownBy(() -> VERIFIER.psnr(clip360, clip360, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void differentSizesAreReportedNotCompared() {
    PsnrResult r = VERIFIER.psnr(clip240, clip360, 1);

    assertThat(r.sameSize()).isFalse();
    assertThat(r.db()).isZero();
    assertThat(r.comparedFrames()).isZero();
    assertThat(r.candidate().width()).isEqualTo(426);
    assertThat(r.reference().width()).isEqualTo(640);
  }

  @Test
  void differentContentScoresLow() throws IOException {
    byte[] mandelbrot = Files.readAllBytes(TestMedia.clip(Content.MANDELBROT, 640, 360, 30, 2));

    PsnrResult r = VERIFIER.psnr(mandelbrot, clip360, 1);

    assertThat(r.sameSize()).isTrue();
    assertThat(r.db()).isLessThan(15);
    assertThat(r.minFrameDb()).isLessThanOrEqualTo(r.db());
  }

  @Test
  void againstTheSourceAnHonestRenditionScoresFarAboveATamperedOneAndFramesPairByTime() {
    VideoProfile p240 = VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30);
    VideoProfile p144at15 = VideoProfile.of("P144p15fps16x9", 256, 144, 200_000, 15);
    byte[] honest;
    byte[] halfRate;
    try (Transcoder.TranscodeSession t = new FfmpegTranscoder().open("source-test", List.of(p240, p144at15))) {
      List<Rendition> out = t.transcode(new Segment("source-test", 0, 2000, clip360)).renditions();
      honest = out.get(0).data();
      halfRate = out.get(1).data();
    }
    byte[] watermarked = Cheats.apply(Cheats.Kind.WATERMARK, honest, p240);
    List<PsnrResult> r = VERIFIER.psnrAgainstSource(List.of(honest, watermarked, halfRate), clip360, 1);
    assertThat(r.get(0).db()).as("honest 240p from 360p").isGreaterThan(30);
    assertThat(r.get(0).db() - r.get(1).db()).as("watermark costs").isGreaterThan(8);
    // 15 fps from a 30 fps source: each of its 30 frames meets the source frame shown at the same time
    assertThat(r.get(2).candidate().frames()).isBetween(29, 31);
    assertThat(r.get(2).comparedFrames()).isEqualTo(r.get(2).candidate().frames());
    assertThat(r.get(2).db()).as("half-rate rendition, frames paired by time").isGreaterThan(30);
    assertThat(r.get(0).reference().frames()).as("the source's probe").isEqualTo(60);
  }

  @Test
  void psnrFormulaIsTenLogOfPeakOverMse() {
    assertThat(RenditionVerifier.psnr(0)).isEqualTo(99.0);
    assertThat(RenditionVerifier.psnr(1)).isCloseTo(48.13, within(0.01));
    assertThat(RenditionVerifier.psnr(65025)).isCloseTo(0, within(1e-9));
  }
}
