package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;

import io.jlivepeer.media.Cheats.Kind;
import io.jlivepeer.media.RenditionVerifier.Probe;
import io.jlivepeer.media.TestMedia.Content;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CheatsTest {
  private static final RenditionVerifier VERIFIER = new RenditionVerifier();
  private static final VideoProfile P240 = VideoProfiles.preset("P240p30fps16x9").orElseThrow();
  private static byte[] honest;
  private static Probe honestProbe;

  @BeforeAll
  static void transcodeHonestly() throws IOException {
    honest = honestRenditions(TestMedia.clip(Content.TEST_PATTERN, 1280, 720, 30, 2), List.of(P240)).get(0);
    honestProbe = VERIFIER.probe(honest);
    assertThat(honestProbe.frames()).isEqualTo(60);
  }

  /** Our transcoder's renditions of a 2 s clip (the whole clip is one segment). */
  static List<byte[]> honestRenditions(Path clip, List<VideoProfile> profiles) throws IOException {
    Segment segment = new Segment("cheats", 0, 2000, Files.readAllBytes(clip));
    try (var session = new FfmpegTranscoder().open("honest", profiles)) {
      return session.transcode(segment).renditions().stream().map(Rendition::data).toList();
    }
  }

  @Test
  void watermarkKeepsSizeFramesAndTimestampsButNotThePictures() {
    byte[] cheat = Cheats.apply(Kind.WATERMARK, honest, P240);

    Probe p = assertPlaysInPlaceOfHonest(cheat);
    assertThat(p.width()).isEqualTo(honestProbe.width());
    assertThat(p.height()).isEqualTo(honestProbe.height());
    assertThat(p.frames()).isEqualTo(60);
    assertThat(VERIFIER.psnr(cheat, honest, 1).db()).isLessThan(25);
  }

  @Test
  void lowResolutionHalvesWidthAndHeight() {
    byte[] cheat = Cheats.apply(Kind.LOW_RESOLUTION, honest, P240);

    Probe p = assertPlaysInPlaceOfHonest(cheat);
    assertThat(p.width()).isEqualTo(212); // 426 / 2 = 213, made even
    assertThat(p.height()).isEqualTo(120);
    assertThat(p.frames()).isEqualTo(60);
    assertThat(VERIFIER.psnr(cheat, honest, 1).sameSize()).isFalse();
  }

  @Test
  void droppedFramesKeepsHalfTheFramesAndAllTheAudio() {
    byte[] cheat = Cheats.apply(Kind.DROPPED_FRAMES, honest, P240);

    Probe p = assertPlaysInPlaceOfHonest(cheat);
    assertThat(p.frames()).isEqualTo(30);
    assertThat(p.width()).isEqualTo(honestProbe.width());
    assertThat(audioPackets(cheat)).isEqualTo(audioPackets(honest));
  }

  @Test
  void refusesInputThatIsNotARendition() {
    assertThatThrownBy(() -> Cheats.apply(Kind.WATERMARK, new byte[] {1, 2, 3}, P240))
        .isInstanceOf(MediaException.class);
  }

  /** A valid MPEG-TS that decodes, with audio, starting and ending where the honest rendition does. */
  private static Probe assertPlaysInPlaceOfHonest(byte[] cheat) {
    assertThat(cheat.length % 188).isZero();
    assertThat(cheat[0]).isEqualTo((byte) 0x47);
    Probe p = VERIFIER.probe(cheat);
    assertThat(p.decodable()).isTrue();
    assertThat(p.decodeErrors()).isZero();
    assertThat(p.startMillis()).isCloseTo(honestProbe.startMillis(), within(1L));
    assertThat(p.durationMillis()).isCloseTo(honestProbe.durationMillis(), within(34L));
    assertThat(audioPackets(cheat)).isPositive();
    return p;
  }

  static int audioPackets(byte[] ts) {
    int count = 0;
    try (MemoryInput in = MemoryInput.open(ts)) {
      AVPacket p = av_packet_alloc();
      try {
        while (av_read_frame(in.format(), p) >= 0) {
          if (in.format().streams(p.stream_index()).codecpar().codec_type() == AVMEDIA_TYPE_AUDIO) {
            count++;
          }
          av_packet_unref(p);
        }
      } finally {
        av_packet_free(p);
      }
    }
    return count;
  }
}
