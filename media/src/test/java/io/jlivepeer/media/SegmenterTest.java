package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Segmenter behaviour on synthetic frames, checked through an independent TS reader. */
class SegmenterTest {
  private static final byte[] AVC = TsMuxerTest.AVC_RECORD;
  private static final byte[] ASC = TsMuxerTest.ASC_LC_48K_STEREO;
  private static final byte[] SPS_PPS = HexFormat.of().parseHex("0000000167640028" + "0000000168ee");

  private final List<Segment> out = new ArrayList<>();
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
  void cutsAtFirstKeyframeAfterTargetAndNumbersFromFirstSeq() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 5, out::add);
    s.onVideoConfig(AVC);
    // 25 fps, keyframe every second, 6 s.
    for (int i = 0; i < 150; i++) {
      s.onFrame(video(i * 40L, 0, i % 25 == 0, 200));
    }
    assertThat(out).hasSize(2); // the last one waits for finish()
    s.finish();

    assertThat(out).extracting(Segment::seq).containsExactly(5L, 6L, 7L);
    assertThat(out).extracting(Segment::durationMillis).containsExactly(2000L, 2000L, 2000L);
    assertThat(out).allSatisfy(seg -> assertThat(seg.streamId()).isEqualTo("s1"));
    assertThat(s.nextSeq()).isEqualTo(8);
    var reader = new TsMuxerTestReader();
    for (int i = 0; i < out.size(); i++) {
      List<TsMuxerTestReader.Pes> before = List.copyOf(reader.pes);
      reader.read(out.get(i).data());
      var first = reader.pes.get(before.size());
      assertThat(first.randomAccess()).isTrue();
      assertThat(first.pts()).isEqualTo(i * 2000L * 90);
      assertThat(first.payload()).startsWith(concat(HexFormat.of().parseHex("0000000109f0"), SPS_PPS));
      assertThat(reader.pes.size() - before.size()).isEqualTo(50);
    }
    assertThat(reader.sections).extracting(TsMuxerTestReader.Section::tableId).containsExactly(0, 2, 0, 2, 0, 2);
  }

  @Test
  void keyframeWithinHalfAFrameOfTheTargetCutsThere() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    // Keyframes at 0, 1990 (rounding made it 10 ms early) and 3960 (40 ms before 4000: too early).
    long[] keys = {0, 1990, 3960, 5950};
    for (long t = 0; t <= 6000; t += 10) {
      long ts = t;
      if (t % 40 == 0 || Arrays.stream(keys).anyMatch(k -> k == ts)) {
        s.onFrame(video(t, 0, Arrays.stream(keys).anyMatch(k -> k == ts), 100));
      }
    }
    s.finish();
    assertThat(out).extracting(Segment::durationMillis).containsExactly(1990L, 3960L, 90L);
  }

  @Test
  void placesAudioIntoSegmentsByTimestampAroundBFrameKeyframes() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    s.onAudioConfig(ASC);
    // Like an FLV from x264 with B-frames: video pts = dts + 80 ms, tags ordered by decode time; audio every
    // 20 ms. The keyframe at dts 2000 presents at 2080: audio 2000..2060 arrives after it but belongs before.
    List<EsFrame> frames = new ArrayList<>();
    for (long t = 0; t < 4000; t += 20) {
      if (t % 40 == 0) {
        frames.add(video(t, 80, t % 2000 == 0, 300));
      }
      frames.add(audio(t));
    }
    frames.forEach(s::onFrame);
    s.finish();

    assertThat(out).hasSize(2);
    assertThat(out.get(0).durationMillis()).isEqualTo(2000);
    var first = new TsMuxerTestReader().read(out.get(0).data());
    var second = new TsMuxerTestReader().read(out.get(1).data());
    assertThat(ptsMillis(first.pes(TsMuxer.AUDIO_PID))).allMatch(t -> t >= 80 && t < 2080);
    assertThat(ptsMillis(second.pes(TsMuxer.AUDIO_PID))).allMatch(t -> t >= 2080).first().isEqualTo(2080L);
    // Audio before the first keyframe's presentation time precedes the stream's first segment: dropped.
    assertThat(ptsMillis(first.pes(TsMuxer.AUDIO_PID))).first().isEqualTo(80L);
    assertThat(ptsMillis(second.pes(TsMuxer.VIDEO_PID))).first().isEqualTo(2080L);
    assertThat(second.pes(TsMuxer.VIDEO_PID).getFirst().randomAccess()).isTrue();
  }

  @Test
  void audioArrivingAheadOfVideoWaitsForItsSegment() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    s.onAudioConfig(ASC);
    // The publisher sends audio 500 ms ahead of the video.
    for (long t = 0; t < 4000; t += 20) {
      if (t + 500 < 4000) {
        s.onFrame(audio(t + 500));
      }
      if (t % 40 == 0) {
        s.onFrame(video(t, 0, t % 2000 == 0, 300));
      }
    }
    s.finish();
    var first = new TsMuxerTestReader().read(out.get(0).data());
    var second = new TsMuxerTestReader().read(out.get(1).data());
    assertThat(ptsMillis(first.pes(TsMuxer.AUDIO_PID))).hasSize(75).allMatch(t -> t < 2000);
    assertThat(ptsMillis(second.pes(TsMuxer.AUDIO_PID))).hasSize(100).allMatch(t -> t >= 2000);
  }

  @Test
  void videoOnlyStreamDeclaresOnlyVideo() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    for (int i = 0; i < 100; i++) {
      s.onFrame(video(i * 40L, 0, i % 50 == 0, 100));
    }
    s.finish();
    assertThat(out).extracting(Segment::durationMillis).containsExactly(2000L, 2000L);
    var reader = new TsMuxerTestReader().read(out.get(0).data());
    var pmt = reader.sections.get(1).bytes();
    assertThat(pmt.length).isEqualTo(3 + 9 + 5 + 4);
    assertThat(pmt[12]).isEqualTo((byte) TsMuxer.STREAM_TYPE_H264);
    assertThat(reader.packetPids).doesNotContain(TsMuxer.AUDIO_PID);
  }

  @Test
  void audioConfiguredLateJoinsMidSegmentWithPmtUpdate() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    for (long t = 0; t < 4000; t += 20) {
      if (t == 1000) {
        s.onAudioConfig(ASC);
      }
      if (t % 40 == 0) {
        s.onFrame(video(t, 0, t % 2000 == 0, 100));
      }
      s.onFrame(audio(t)); // before the config: dropped
    }
    s.finish();
    var reader = new TsMuxerTestReader();
    var first = reader.read(out.get(0).data());
    assertThat(first.sections).extracting(TsMuxerTestReader.Section::tableId).containsExactly(0, 2, 2);
    assertThat(ptsMillis(first.pes(TsMuxer.AUDIO_PID))).first().isEqualTo(1000L);
    var secondReader = new TsMuxerTestReader().read(out.get(1).data());
    assertThat(secondReader.sections.get(1).bytes().length).isEqualTo(3 + 9 + 10 + 4);
    assertThat(secondReader.pes(TsMuxer.AUDIO_PID)).hasSize(100);
    assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("audio frames before the AAC sequence"));
  }

  @Test
  void audioOnlyStreamIsCutOnTargetDuration() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onAudioConfig(ASC);
    for (long t = 0; t < 5000; t += 20) {
      s.onFrame(audio(t));
    }
    s.finish();
    assertThat(out).extracting(Segment::durationMillis).containsExactly(2000L, 2000L, 1000L);
    var reader = new TsMuxerTestReader().read(out.get(0).data());
    assertThat(reader.pes(TsMuxer.AUDIO_PID).getFirst().pcr()).isNotNegative();
  }

  @Test
  void longGopStreamGrowsSegmentsAndWarnsOnce() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    for (int i = 0; i < 750; i++) { // 30 s at 25 fps, keyframe every 9 s
      s.onFrame(video(i * 40L, 0, i % 225 == 0, 50));
    }
    s.finish();
    assertThat(out).extracting(Segment::durationMillis).containsExactly(9000L, 9000L, 9000L, 3000L);
    var warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.getFirst().getFormattedMessage()).contains("stream s1", "keyframe interval is 9000 ms");
  }

  @Test
  void cutsWithoutKeyframeAtMaxSegmentDuration() {
    var config = new SegmenterConfig(2000, 5000, 8000, SegmenterConfig.DEFAULT_MAX_SEGMENT_BYTES, 10_000, 10_000);
    var s = new Segmenter("s1", config, 0, out::add);
    s.onVideoConfig(AVC);
    for (int i = 0; i < 300; i++) { // 12 s, one keyframe at the start
      s.onFrame(video(i * 40L, 0, i == 0, 50));
    }
    s.finish();
    assertThat(out).extracting(Segment::durationMillis).containsExactly(5000L, 5000L, 2000L);
    var reader = new TsMuxerTestReader();
    reader.read(out.get(0).data());
    reader.read(out.get(1).data());
    assertThat(reader.pes.get(125).randomAccess()).isFalse();
    assertThat(reader.pes.get(125).pts()).isEqualTo(5000L * 90);
    assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN)
        .anyMatch(e -> e.getFormattedMessage().contains("no keyframe in 5000 ms"));
  }

  @Test
  void cutsEarlyBeforePassingMaxSegmentBytes() {
    var config = new SegmenterConfig(2000, 300_000, 8000, 64 * 1024, 10_000, 10_000);
    var s = new Segmenter("s1", config, 0, out::add);
    s.onVideoConfig(AVC);
    for (int i = 0; i < 100; i++) { // 10 KB frames, 4 s, keyframe every 2 s: ~500 KB per GOP
      s.onFrame(video(i * 40L, 0, i % 50 == 0, 10_000));
    }
    s.finish();
    assertThat(out.size()).isGreaterThan(6);
    assertThat(out).allSatisfy(seg -> assertThat(seg.data().length).isLessThanOrEqualTo(64 * 1024));
    assertThat(out.stream().mapToLong(Segment::durationMillis).sum()).isEqualTo(4000);
    var reader = new TsMuxerTestReader();
    out.forEach(seg -> reader.read(seg.data()));
    assertThat(reader.pes(TsMuxer.VIDEO_PID)).hasSize(100);
    assertThat(logs.list).anyMatch(e -> e.getLevel() == Level.ERROR
        && e.getFormattedMessage().contains("reached maxSegmentBytes"));
  }

  @Test
  void refusesAccessUnitLargerThanASegmentAndKeepsWorking() {
    var config = new SegmenterConfig(2000, 300_000, 8000, 64 * 1024, 10_000, 10_000);
    var s = new Segmenter("s1", config, 0, out::add);
    s.onVideoConfig(AVC);
    s.onFrame(video(0, 0, true, 100));
    assertThatThrownBy(() -> s.onFrame(video(40, 0, false, 100_000)))
        .isInstanceOf(MediaException.class).hasMessageContaining("maxSegmentBytes");
    s.onFrame(video(80, 0, false, 100));
    s.finish();
    assertThat(new TsMuxerTestReader().read(out.getFirst().data()).pes(TsMuxer.VIDEO_PID)).hasSize(2);
  }

  @Test
  void malformedAccessUnitRaisesAndLeavesTheStreamIntact() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    s.onFrame(video(0, 0, true, 100));
    assertThatThrownBy(() -> s.onFrame(new EsFrame(EsFrame.Kind.VIDEO, 40, 0, false, new byte[] {0, 0, 1, 0, 0x41})))
        .isInstanceOf(MediaException.class).hasMessageContaining("malformed H.264 access unit");
    assertThatThrownBy(() -> s.onVideoConfig(new byte[] {1, 2}))
        .isInstanceOf(MediaException.class).hasMessageContaining("AVCDecoderConfigurationRecord");
    s.onFrame(video(80, 0, false, 100));
    s.finish();
    assertThat(new TsMuxerTestReader().read(out.getFirst().data()).pes(TsMuxer.VIDEO_PID)).hasSize(2);
  }

  @Test
  void refusesMalformedFrameWhileACutWaitsForAudio() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    s.onAudioConfig(ASC);
    int good = 0;
    for (long t = 0; t < 4000; t += 20) {
      if (t % 40 == 0) {
        s.onFrame(video(t, 80, t % 2000 == 0, 300));
        good++;
      }
      if (t == 2020) { // the cut keyframe (dts 2000, pts 2080) is being held
        assertThatThrownBy(() -> s.onFrame(new EsFrame(EsFrame.Kind.VIDEO, 2030, 80, false, new byte[] {0, 0, 0, 9, 1})))
            .isInstanceOf(MediaException.class);
      }
      s.onFrame(audio(t));
    }
    s.finish();
    var reader = new TsMuxerTestReader();
    out.forEach(seg -> reader.read(seg.data()));
    assertThat(reader.pes(TsMuxer.VIDEO_PID)).hasSize(good);
    assertThat(out).extracting(Segment::durationMillis).containsExactly(2000L, 2000L);
  }

  @Test
  void refusesAacFrameTooLargeForAdts() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onAudioConfig(ASC);
    assertThatThrownBy(() -> s.onFrame(new EsFrame(EsFrame.Kind.AUDIO, 0, 0, true, new byte[9000])))
        .isInstanceOf(MediaException.class).hasMessageContaining("larger than ADTS can carry");
    s.onFrame(audio(0));
    s.finish();
    assertThat(out).hasSize(1);
  }

  @Test
  void backwardTimestampJumpIsRebasedToContinueTheTimeline() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    s.onAudioConfig(ASC);
    for (int i = 0; i < 75; i++) { // 3 s
      s.onFrame(video(i * 40L, 0, i % 50 == 0, 100));
      s.onFrame(audio(i * 40L));
      s.onFrame(audio(i * 40L + 20));
    }
    for (int i = 0; i < 75; i++) { // the publisher restarts its clock at 0 (keyframe at 1 s)
      s.onFrame(video(i * 40L, 0, i % 50 == 25, 100));
      s.onFrame(audio(i * 40L));
      s.onFrame(audio(i * 40L + 20));
    }
    s.finish();
    var reader = new TsMuxerTestReader();
    out.forEach(seg -> reader.read(seg.data()));
    long[] video = ptsMillis(reader.pes(TsMuxer.VIDEO_PID)).stream().mapToLong(Long::longValue).toArray();
    assertThat(video).hasSize(150);
    for (int i = 0; i < video.length; i++) {
      assertThat(video[i]).isEqualTo(i * 40L);
    }
    List<Long> audio = ptsMillis(reader.pes(TsMuxer.AUDIO_PID));
    assertThat(audio).isSorted().hasSize(300);
    assertThat(audio.getLast()).isBetween(5960L, 5990L);
    assertThat(out).extracting(Segment::durationMillis).containsExactly(2000L, 2000L, 2000L);
    assertThat(logs.list).anyMatch(e -> e.getLevel() == Level.WARN
        && e.getFormattedMessage().contains("video timestamp jumped from 2960 to 0 ms"));
  }

  @Test
  void forwardTimestampJumpBeyondLimitIsRebased() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    for (int i = 0; i < 100; i++) {
      long dts = i < 50 ? i * 40L : 3_600_000L + i * 40L;
      s.onFrame(video(dts, 0, i % 50 == 0, 100));
    }
    s.finish();
    assertThat(out).extracting(Segment::durationMillis).containsExactly(2000L, 2000L);
  }

  @Test
  void dropsFramesBeforeConfigurationAndBeforeTheFirstKeyframe() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onFrame(video(0, 0, true, 100)); // no configuration yet
    s.onVideoConfig(AVC);
    s.onFrame(video(40, 0, false, 100)); // not a keyframe
    s.onFrame(video(80, 0, true, 100));
    s.onFrame(video(120, 0, false, 100));
    s.onFrame(new EsFrame(EsFrame.Kind.VIDEO, 160, 0, false, new byte[0])); // empty: ignored
    s.finish();
    assertThat(out).hasSize(1);
    assertThat(out.getFirst().durationMillis()).isEqualTo(80);
    assertThat(ptsMillis(new TsMuxerTestReader().read(out.getFirst().data()).pes(TsMuxer.VIDEO_PID)))
        .containsExactly(80L, 120L);
  }

  @Test
  void finishEmitsTheLastSegmentOnceAndRefusesMoreFrames() {
    var empty = new Segmenter("s0", SegmenterConfig.defaults(), 0, out::add);
    empty.finish();
    assertThat(out).isEmpty();

    var s = new Segmenter("s1", SegmenterConfig.defaults(), 3, out::add);
    s.onVideoConfig(AVC);
    s.onFrame(video(0, 0, true, 100));
    s.onFrame(video(33, 0, false, 100));
    s.finish();
    s.finish();
    assertThat(out).extracting(Segment::seq).containsExactly(3L);
    assertThat(out.getFirst().durationMillis()).isEqualTo(66);
    assertThatThrownBy(() -> s.onFrame(video(66, 0, false, 100))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void newVideoConfigurationStartsANewSegmentAtTheNextKeyframe() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    s.onFrame(video(0, 0, true, 100));
    s.onFrame(video(40, 0, false, 100));
    s.onVideoConfig(AVC.clone()); // same bytes: nothing changes
    s.onFrame(video(80, 0, true, 100));
    byte[] changed = AVC.clone();
    changed[11] = 0x29; // another SPS
    s.onVideoConfig(changed);
    s.onFrame(video(120, 0, false, 100));
    s.onFrame(video(160, 0, true, 100));
    s.finish();
    assertThat(out).extracting(Segment::durationMillis).containsExactly(160L, 40L);
    var second = new TsMuxerTestReader().read(out.get(1).data()).pes(TsMuxer.VIDEO_PID).getFirst();
    assertThat(second.payload()).containsSequence(HexFormat.of().parseHex("0000000167640029"));
  }

  @Test
  void segmentsConcatenateIntoOneValidStream() {
    var s = new Segmenter("s1", SegmenterConfig.defaults(), 0, out::add);
    s.onVideoConfig(AVC);
    s.onAudioConfig(ASC);
    for (long t = 0; t < 20_000; t += 20) {
      if (t % 40 == 0) {
        s.onFrame(video(t, 40, t % 1000 == 0, 700));
      }
      s.onFrame(audio(t));
    }
    s.finish();
    assertThat(out).hasSize(10);
    var reader = new TsMuxerTestReader(); // checks continuity counters across segment boundaries
    out.forEach(seg -> reader.read(seg.data()));
    assertThat(reader.pes(TsMuxer.VIDEO_PID)).hasSize(500);
    assertThat(ptsMillis(reader.pes(TsMuxer.AUDIO_PID))).isSorted().hasSize(998);
    assertThat(out.stream().mapToLong(Segment::durationMillis).sum()).isEqualTo(20_000);
  }

  @Test
  void configRejectsInconsistentLimits() {
    assertThatThrownBy(() -> new SegmenterConfig(2000, 1000, 8000, 1 << 20, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSegmentMillis");
    assertThat(SegmenterConfig.defaults().withTargetDurationMillis(6000).targetDurationMillis()).isEqualTo(6000);
    assertThat(SegmenterConfig.defaults().maxSegmentMillis()).isEqualTo(300_000);
  }

  static EsFrame video(long dts, int cts, boolean key, int size) {
    byte[] au = new byte[4 + size];
    au[0] = (byte) (size >>> 24);
    au[1] = (byte) (size >>> 16);
    au[2] = (byte) (size >>> 8);
    au[3] = (byte) size;
    au[4] = (byte) (key ? 0x65 : 0x41);
    Arrays.fill(au, 5, au.length, (byte) 0x5A);
    return new EsFrame(EsFrame.Kind.VIDEO, dts, cts, key, au);
  }

  static EsFrame audio(long ts) {
    byte[] aac = new byte[24];
    Arrays.fill(aac, (byte) 0x21);
    return new EsFrame(EsFrame.Kind.AUDIO, ts, 0, true, aac);
  }

  private static List<Long> ptsMillis(List<TsMuxerTestReader.Pes> pes) {
    return pes.stream().map(p -> p.pts() / 90).toList();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
