package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Real H.264/AAC clips through the segmenter, every segment checked with the bundled ffprobe/ffmpeg. */
class SegmenterEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path OUT = Path.of("target", "segmenter-e2e").toAbsolutePath();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final ch.qos.logback.classic.Logger logger =
      (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Segmenter.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  @Test
  void cutsFlvClipIntoDecodableTwoSecondSegmentsWithContinuousTimestamps() throws Exception {
    // 30 fps, x264 with B-frames (pts = dts + 67 ms), AAC 48 kHz stereo.
    verifyTwoSecondSegments("clip", TestMedia.source(320, 240, 30, 10, "flv"), 5, 3000, 1920);
  }

  @Test
  void cutsNtscRateClipWithoutBFramesAndMono44kAudio() throws Exception {
    // 29.97 fps: FLV millisecond timestamps alternate 33/34 ms and the 60-frame GOP lasts 2002 ms.
    Path clip = generate("ntsc_320x240_8s.flv", "testsrc2=size=320x240:rate=30000/1001", "44100", "8",
        "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-bf", "0", "-ac", "1");
    verifyTwoSecondSegments("ntsc", clip, 4, 3003, 2090);
  }

  private void verifyTwoSecondSegments(String name, Path clip, int expectedSegments, long frame, long audioFrame)
      throws Exception {
    List<Segment> segments = segment(clip, SegmenterConfig.defaults(), 0);

    assertThat(segments).extracting(Segment::seq)
        .containsExactlyElementsOf(LongStream.range(0, expectedSegments).boxed().toList());
    assertThat(segments).allSatisfy(s -> assertThat(s.streamId()).isEqualTo("e2e"));
    assertThat(segments).allSatisfy(s -> assertThat(s.durationMillis()).isBetween(1990L, 2010L));

    Probe source = probe(clip);
    List<Probe> probes = new ArrayList<>();
    for (Segment s : segments) {
      Path file = write(s, name + "_" + s.seq() + ".ts");
      assertThat(decodeErrors(file)).as("decode errors in segment %d", s.seq()).isBlank();
      Probe p = probe(file);
      assertThat(p.codecs).as("segment %d streams", s.seq()).containsExactlyInAnyOrder("h264", "aac");
      assertThat(p.video.getFirst().key).as("first video packet of segment %d is a keyframe", s.seq()).isTrue();
      assertThat(firstVideoFrame(file)).as("first decoded frame of segment %d", s.seq()).startsWith("1,I");
      probes.add(p);
    }

    for (int i = 0; i < probes.size(); i++) {
      Probe p = probes.get(i);
      long start = p.videoStart();
      long end = i + 1 < probes.size() ? probes.get(i + 1).videoStart() : p.videoEnd();
      // Reported duration = next segment's first video pts - this one's (1 ms rounding of FLV timestamps).
      assertThat(Math.abs(segments.get(i).durationMillis() * 90 - (end - start))).isLessThanOrEqualTo(90);
      // Video continues exactly one frame after the previous segment's last frame.
      assertThat(Math.abs(end - p.videoEnd())).as("gap after segment %d", i).isLessThanOrEqualTo(frame / 10);
      // Audio lies in the segment its timestamp belongs to.
      for (Packet a : p.audio) {
        assertThat(a.pts).as("audio pts in segment %d", i).isBetween(start, end - 1);
      }
    }

    // The segments, concatenated, are one continuous stream matching the clip.
    Path all = OUT.resolve(name + "_all.ts");
    var concat = new ByteArrayOutputStream();
    for (Segment s : segments) {
      concat.write(s.data());
    }
    Files.write(all, concat.toByteArray());
    assertThat(decodeErrors(all)).isBlank();
    Probe whole = probe(all);
    assertThat(whole.video).hasSameSizeAs(source.video);
    // Audio presented before the first video frame belongs to no segment; every later frame is kept.
    long sourceAudioAfterVideoStart = source.audio.stream().filter(a -> a.pts >= source.videoStart()).count();
    assertThat(whole.audio).hasSize((int) sourceAudioAfterVideoStart);
    assertIncreasingWithoutGaps(whole.video.stream().mapToLong(v -> v.dts).toArray(), frame);
    assertIncreasingWithoutGaps(whole.audio.stream().mapToLong(a -> a.pts).toArray(), audioFrame);
    long sourceDuration = (source.videoEnd() - source.videoStart()) * 90; // FLV time base is 1 ms
    assertThat(Math.abs((whole.videoEnd() - whole.videoStart()) - sourceDuration)).isLessThanOrEqualTo(frame);
    long total = segments.stream().mapToLong(Segment::durationMillis).sum();
    assertThat(Math.abs(total * 90 - sourceDuration)).isLessThanOrEqualTo(frame);
    // The publisher's timeline is kept: the clip starts at 0, so do the segments.
    assertThat(whole.videoStart()).isLessThan(frame * 3);
    assertThat(logs.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
  }

  @Test
  void publisherStartingAtALargeTimestampIsRebasedToTheSameSegments() {
    Path clip = TestMedia.source(320, 240, 30, 10, "flv");
    var events = SegmenterFlvFixture.read(clip);
    List<Segment> plain = new ArrayList<>();
    var a = new Segmenter("e2e", SegmenterConfig.defaults(), 7, plain::add);
    SegmenterFlvFixture.feed(events, a, 0);
    a.finish();
    List<Segment> shifted = new ArrayList<>();
    var b = new Segmenter("e2e", SegmenterConfig.defaults(), 7, shifted::add);
    SegmenterFlvFixture.feed(events, b, 3_600_000_000L);
    b.finish();

    assertThat(shifted).extracting(Segment::seq).containsExactly(7L, 8L, 9L, 10L, 11L);
    assertThat(shifted).hasSameSizeAs(plain);
    for (int i = 0; i < plain.size(); i++) {
      assertThat(shifted.get(i).data()).isEqualTo(plain.get(i).data());
      assertThat(shifted.get(i).durationMillis()).isEqualTo(plain.get(i).durationMillis());
    }
    assertThat(logs.list).anyMatch(e -> e.getLevel() == Level.WARN
        && e.getFormattedMessage().contains("timestamps start at 3600000000 ms"));
  }

  @Test
  void longGopStreamStillProgressesWithOneWarning() throws Exception {
    Path clip = longGopClip();
    List<Segment> segments = segment(clip, SegmenterConfig.defaults(), 0);

    assertThat(segments).extracting(Segment::seq).containsExactly(0L, 1L, 2L);
    assertThat(segments.get(0).durationMillis()).isBetween(9990L, 10010L);
    assertThat(segments.get(1).durationMillis()).isBetween(9990L, 10010L);
    assertThat(segments.get(2).durationMillis()).isBetween(1900L, 2100L);
    for (Segment s : segments) {
      Path file = write(s, "longgop_" + s.seq() + ".ts");
      assertThat(decodeErrors(file)).isBlank();
      assertThat(firstVideoFrame(file)).startsWith("1,I");
    }
    var warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.getFirst().getFormattedMessage())
        .contains("keyframe interval is 1000", "longer than 8000 ms", "keyframe interval to 2 s");
  }

  private List<Segment> segment(Path clip, SegmenterConfig config, long firstSeq) {
    List<Segment> segments = new ArrayList<>();
    var segmenter = new Segmenter("e2e", config, firstSeq, segments::add);
    SegmenterFlvFixture.feed(SegmenterFlvFixture.read(clip), segmenter, 0);
    segmenter.finish();
    return segments;
  }

  /** 15 fps, keyframe every 10 s, 22 s long: keyframes at 0, 10 and 20 s. */
  private static Path longGopClip() {
    return generate("longgop_160x120p15_10s_22s.flv", "testsrc2=size=160x120:rate=15", "48000", "22",
        "-g", "150", "-keyint_min", "150", "-sc_threshold", "0", "-ac", "2");
  }

  /** An H.264 + AAC FLV clip made once per build under target/test-media. */
  private static Path generate(String fileName, String video, String sampleRate, String seconds,
      String... options) {
    Path out = Path.of("target", "test-media", fileName).toAbsolutePath();
    if (Files.exists(out)) {
      return out;
    }
    try {
      Files.createDirectories(out.getParent());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp.flv");
    List<String> cmd = new ArrayList<>(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner",
        "-loglevel", "error", "-y", "-f", "lavfi", "-i", video,
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=" + sampleRate, "-t", seconds,
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k"));
    cmd.addAll(List.of(options));
    cmd.add(tmp.toString());
    TestMedia.run(cmd, 120);
    try {
      Files.move(tmp, out);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  private static void assertIncreasingWithoutGaps(long[] ts, long frame) {
    for (int i = 1; i < ts.length; i++) {
      long step = ts[i] - ts[i - 1];
      assertThat(step).as("step %d at %d", i, ts[i]).isPositive().isLessThanOrEqualTo(frame + frame / 2);
    }
  }

  private static Path write(Segment s, String name) throws IOException {
    Files.createDirectories(OUT);
    Path file = OUT.resolve(name);
    Files.write(file, s.data());
    return file;
  }

  private static String decodeErrors(Path file) {
    return TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-v", "error",
        "-i", file.toString(), "-f", "null", "-"), 60).strip();
  }

  private static String firstVideoFrame(Path file) {
    return TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
        "-read_intervals", "%+#1", "-show_entries", "frame=key_frame,pict_type", "-of", "csv=p=0",
        file.toString()), 60).strip();
  }

  record Packet(long pts, long dts, long duration, boolean key) {}

  /** Packets per stream, in the stream's time base (90 kHz for TS, 1 kHz for FLV), in file order. */
  static final class Probe {
    final List<String> codecs = new ArrayList<>();
    final List<Packet> video = new ArrayList<>();
    final List<Packet> audio = new ArrayList<>();

    long videoStart() {
      return video.stream().mapToLong(Packet::pts).min().orElseThrow();
    }

    long videoEnd() {
      return video.stream().mapToLong(p -> p.pts + p.duration).max().orElseThrow();
    }
  }

  private static Probe probe(Path file) throws IOException {
    String out = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error",
        "-show_entries", "stream=index,codec_type,codec_name:packet=codec_type,pts,dts,duration,flags",
        "-of", "json", file.toString()), 60);
    JsonNode root = JSON.readTree(out.substring(out.indexOf('{')));
    Probe p = new Probe();
    root.path("streams").forEach(s -> p.codecs.add(s.path("codec_name").asText()));
    for (JsonNode pk : root.path("packets")) {
      var packet = new Packet(pk.path("pts").asLong(), pk.path("dts").asLong(), pk.path("duration").asLong(),
          pk.path("flags").asText().startsWith("K"));
      (pk.path("codec_type").asText().equals("video") ? p.video : p.audio).add(packet);
    }
    return p;
  }
}
