package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FfmpegTranscoderTest {
  private static final Path WORK = Path.of("target", "transcoder-test").toAbsolutePath();
  private static List<Segment> segments;

  @BeforeAll
  static void cutSource() {
    Path source = TestMedia.source(1920, 1080, 30, 6, "ts");
    segments = FfmpegCli.cut(source, 2, WORK.resolve("source"), "test");
    assertThat(segments).hasSize(3);
  }

  /** What ffprobe says about one rendition file. */
  record Probe(int width, int height, String frameRate, boolean hasAudio, List<long[]> videoPackets,
      List<String> audioPackets) {
    long firstPts() {
      return videoPackets.stream().mapToLong(p -> p[0]).min().orElseThrow();
    }

    long lastPts() {
      return videoPackets.stream().mapToLong(p -> p[0]).max().orElseThrow();
    }

    long bytes() {
      return videoPackets.stream().mapToLong(p -> p[2]).sum();
    }
  }

  static Probe probe(Path file) {
    String streams = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-show_entries",
        "stream=codec_type,width,height,r_frame_rate", "-of", "csv=p=0", file.toString()), 60);
    int width = 0;
    int height = 0;
    String rate = "";
    boolean audio = false;
    for (String line : streams.strip().split("\n")) {
      String[] f = line.strip().split(",");
      if (f[0].equals("video")) {
        width = Integer.parseInt(f[1]);
        height = Integer.parseInt(f[2]);
        rate = f[3];
      } else if (f[0].equals("audio")) {
        audio = true;
      }
    }
    String packets = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams",
        "v:0", "-show_entries", "packet=pts,flags,size", "-of", "csv=p=0", file.toString()), 60);
    List<long[]> list = new ArrayList<>();
    for (String line : packets.strip().split("\n")) {
      String[] f = line.strip().split(",");
      // pts, keyframe (1/0), size
      list.add(new long[] {Long.parseLong(f[0]), f[2].startsWith("K") ? 1 : 0, Long.parseLong(f[1])});
    }
    String audioPackets = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams",
        "a:0", "-show_entries", "packet=pts,size", "-of", "csv=p=0", file.toString()), 60);
    return new Probe(width, height, rate, audio, list, audioPackets.strip().lines()
        .map(l -> l.split(",")[0] + "," + l.split(",")[1]).toList()); // pts,size
  }

  private static Path write(String name, byte[] data) throws IOException {
    Files.createDirectories(WORK);
    Path p = WORK.resolve(name);
    Files.write(p, data);
    return p;
  }

  private void checkLadder(List<VideoProfile> ladder, int[][] sizes, String tag) throws IOException {
    var transcoder = new FfmpegTranscoder();
    List<List<Probe>> probes = new ArrayList<>();
    for (int i = 0; i < ladder.size(); i++) {
      probes.add(new ArrayList<>());
    }
    try (var session = transcoder.open("s-" + tag, ladder)) {
      for (Segment segment : segments) {
        TranscodeResult result = session.transcode(segment);
        Probe source = probe(write(tag + "-src-" + segment.seq() + ".ts", segment.data()));
        assertThat(result.decodedPixels()).isEqualTo(1920L * 1080 * source.videoPackets().size());
        assertThat(result.renditions()).hasSize(ladder.size());
        for (int i = 0; i < ladder.size(); i++) {
          Rendition r = result.renditions().get(i);
          assertThat(r.profile()).isEqualTo(ladder.get(i));
          Probe p = probe(write(tag + "-" + i + "-" + segment.seq() + ".ts", r.data()));
          assertThat(p.width()).as("width of %s", r.profile().name()).isEqualTo(sizes[i][0]);
          assertThat(p.height()).as("height of %s", r.profile().name()).isEqualTo(sizes[i][1]);
          assertThat(p.frameRate()).isEqualTo("30/1");
          assertThat(p.hasAudio()).as("audio copied").isTrue();
          assertThat(p.audioPackets()).as("audio copied unchanged").isEqualTo(source.audioPackets());
          assertThat(p.videoPackets().get(0)[1]).as("first frame is a keyframe").isEqualTo(1);
          assertThat(p.videoPackets()).as("same frame count as the source (30 -> 30 fps)")
              .hasSize(source.videoPackets().size());
          assertThat(r.encodedPixels()).isEqualTo((long) sizes[i][0] * sizes[i][1] * p.videoPackets().size());
          assertThat(p.firstPts()).as("timestamps follow the source").isEqualTo(source.firstPts());
          probes.get(i).add(p);
        }
      }
    }
    for (int i = 0; i < ladder.size(); i++) {
      List<Probe> list = probes.get(i);
      for (int k = 1; k < list.size(); k++) {
        assertThat(list.get(k).firstPts()).as("segment %d continues segment %d", k, k - 1)
            .isEqualTo(list.get(k - 1).lastPts() + 3000);
      }
      // the joined segments obey the VBV model as one stream: each fresh encoder starts where the last one left it
      double buffer = ladder.get(i).bitrateBps();
      double fill = 0.9 * buffer;
      for (Probe p : list) {
        for (long[] packet : p.videoPackets()) {
          assertThat(fill - 8.0 * packet[2]).as("VBV fill of %s", ladder.get(i).name()).isGreaterThanOrEqualTo(0);
          fill = RenditionEncoder.vbvAfter(fill, (int) packet[2], buffer, buffer / 30);
        }
      }
      long bytes = list.stream().mapToLong(Probe::bytes).sum();
      long frames = list.stream().mapToLong(p -> p.videoPackets().size()).sum();
      double bps = bytes * 8.0 / (frames / 30.0);
      assertThat(bps).as("average bitrate of %s", ladder.get(i).name())
          .isCloseTo(ladder.get(i).bitrateBps(), within(0.15 * ladder.get(i).bitrateBps()));
    }
  }

  @Test
  void transcodesTheStandardLadderWithRightSizesRatesKeyframesAudioAndBitrates() throws IOException {
    checkLadder(VideoProfiles.standardLadder(), new int[][] {{1280, 720}, {854, 480}, {640, 360}, {426, 240}}, "std");
  }

  @Test
  void transcodesTheDefaultLadder() throws IOException {
    checkLadder(VideoProfiles.defaultLadder(), new int[][] {{426, 240}, {640, 360}}, "default");
  }

  @Test
  void rejectsCorruptInputClearlyAndKeepsTheSessionUsable() {
    var transcoder = new FfmpegTranscoder();
    try (var session = transcoder.open("corrupt", VideoProfiles.defaultLadder())) {
      byte[] random = new byte[188 * 500];
      new Random(7).nextBytes(random);
      assertThatThrownBy(() -> session.transcode(new Segment("x", 0, 2000, random)))
          .isInstanceOf(MediaException.class).hasMessageContaining("not MPEG-TS");

      byte[] good = segments.get(0).data();
      byte[] truncated = Arrays.copyOf(good, good.length / 2 + 77);
      assertThatThrownBy(() -> session.transcode(new Segment("x", 1, 2000, truncated)))
          .isInstanceOf(MediaException.class).hasMessageContaining("truncated");

      // random payloads behind valid TS headers: demuxable packets, undecodable video
      byte[] garbled = good.clone();
      Random rnd = new Random(3);
      for (int i = 0; i < garbled.length; i += 188) {
        for (int j = i + 4; j < i + 188; j++) {
          garbled[j] = (byte) rnd.nextInt();
        }
      }
      assertThatThrownBy(() -> session.transcode(new Segment("x", 2, 2000, garbled)))
          .isInstanceOf(MediaException.class).hasMessageContaining("segment 2 of stream x");

      byte[] headersOnly = Arrays.copyOf(good, 188 * 3);
      assertThatThrownBy(() -> session.transcode(new Segment("x", 3, 2000, headersOnly)))
          .isInstanceOf(MediaException.class).hasMessageContaining("segment 3 of stream x");

      TranscodeResult ok = session.transcode(segments.get(1));
      assertThat(ok.renditions()).hasSize(2);
      assertThat(ok.renditions().get(0).encodedPixels()).isEqualTo(426L * 240 * 60);
    }
  }

  @Test
  void midSegmentFailureResetsCodecsAndTheNextSegmentStillWorks() {
    var transcoder = new FfmpegTranscoder();
    try (var session = transcoder.open("reset", VideoProfiles.defaultLadder())) {
      session.transcode(segments.get(0));
      byte[] good = segments.get(1).data();
      byte[] garbled = good.clone();
      Random rnd = new Random(5);
      for (int i = 188 * 10; i < garbled.length; i += 188) {
        for (int j = i + 4; j < i + 188; j++) {
          garbled[j] = (byte) rnd.nextInt();
        }
      }
      try {
        session.transcode(new Segment("x", 1, 2000, garbled));
      } catch (MediaException expected) {
        // either concealed or rejected: both are fine, what matters is the next segment
      }
      TranscodeResult next = session.transcode(segments.get(2));
      assertThat(next.renditions().get(1).encodedPixels()).isEqualTo(640L * 360 * 60);
    }
  }
}
