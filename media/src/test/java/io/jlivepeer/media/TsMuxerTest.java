package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TsMuxerTest {
  private static final HexFormat HEX = HexFormat.of();

  /** SPS (type 7) 4 bytes, PPS (type 8) 2 bytes, 4-byte NAL lengths. */
  static final byte[] AVC_RECORD = HEX.parseHex("01640028" + "ff" + "e1" + "0004" + "67640028" + "01" + "0002" + "68ee");
  /** AAC LC, 48 kHz (index 3), stereo. */
  static final byte[] ASC_LC_48K_STEREO = HEX.parseHex("1190");

  @Test
  void crcIsMpeg2Variant() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(TsMuxer.crc32Mpeg2(check, 0, check.length)).isEqualTo(0x0376E6E7);
  }

  @Test
  void patHasProgramOneOnPmtPidWithKnownCrc() {
    byte[] s = new byte[188];
    int n = TsMuxer.patSection(s);
    // Same bytes FFmpeg's mpegts muxer writes for one program with its PMT on PID 0x1000.
    assertThat(HEX.formatHex(s, 0, n)).isEqualTo("00b00d0001c100000001f0002ab104b2");
  }

  @Test
  void pmtDeclaresH264AndAdtsAacWithPcrOnVideoAndKnownCrc() {
    byte[] s = new byte[188];
    int n = TsMuxer.pmtSection(s, 0, true, true);
    assertThat(HEX.formatHex(s, 0, n)).isEqualTo("02b0170001c10000e100f0001be100f0000fe101f0002f44b99b");
  }

  @Test
  void pmtOfAudioOnlyStreamPutsPcrOnAudioAndBumpsVersion() {
    byte[] s = new byte[188];
    int n = TsMuxer.pmtSection(s, 1, false, true);
    assertThat(HEX.formatHex(s, 0, 17)).isEqualTo("02b0120001c30000e101f0000fe101f000");
    assertThat(TsMuxer.crc32Mpeg2(s, 0, n)).isZero(); // a section with its CRC leaves a zero remainder
  }

  @Test
  void adtsHeaderFollowsAudioSpecificConfig() {
    var lc48 = TsMuxer.AacConfig.parse(ASC_LC_48K_STEREO);
    assertThat(lc48.profile()).isEqualTo(1);
    assertThat(lc48.sampleRate()).isEqualTo(48000);
    assertThat(lc48.channelConfig()).isEqualTo(2);
    byte[] h = new byte[7];
    lc48.writeAdtsHeader(h, 0, 7 + 371);
    // profile LC (1), index 3, 2 channels, frame length 378 = 0x17A, buffer fullness 0x7FF.
    assertThat(HEX.formatHex(h)).isEqualTo("fff14c802f5ffc");

    var lc44mono = TsMuxer.AacConfig.parse(HEX.parseHex("1208"));
    lc44mono.writeAdtsHeader(h, 0, 100);
    assertThat(HEX.formatHex(h)).isEqualTo("fff15040" + "0c9f" + "fc");
  }

  @Test
  void heAacIsCarriedAsItsLcCoreInAdts() {
    // AOT 5 (SBR), core index 6 (24 kHz), stereo, extension index 3 (48 kHz), core AOT 2.
    var he = TsMuxer.AacConfig.parse(HEX.parseHex("2b118800"));
    assertThat(he.profile()).isEqualTo(1);
    assertThat(he.samplingIndex()).isEqualTo(6);
    assertThat(he.channelConfig()).isEqualTo(2);
  }

  @Test
  void explicitSamplingRateMapsToAdtsIndex() {
    // AOT 2, index 15, 24-bit rate 44100 (0x00AC44), channel config 1.
    var explicit = TsMuxer.AacConfig.parse(HEX.parseHex("1780562208"));
    assertThat(explicit.sampleRate()).isEqualTo(44100);
    assertThat(explicit.channelConfig()).isEqualTo(1);
  }

  @Test
  void rejectsAudioConfigsAdtsCannotCarry() {
    assertThatThrownBy(() -> TsMuxer.AacConfig.parse(new byte[] {0x12}))
        .isInstanceOf(MediaException.class).hasMessageContaining("AudioSpecificConfig");
    // AOT 23 (ER AAC LD)
    assertThatThrownBy(() -> TsMuxer.AacConfig.parse(HEX.parseHex("b990")))
        .isInstanceOf(MediaException.class).hasMessageContaining("object type 23");
  }

  @Test
  void parsesAvcDecoderConfigurationRecordIntoAnnexBParameterSets() {
    var avc = TsMuxer.AvcConfig.parse(AVC_RECORD);
    assertThat(avc.nalLengthSize()).isEqualTo(4);
    assertThat(HEX.formatHex(avc.annexBParameterSets())).isEqualTo("00000001" + "67640028" + "00000001" + "68ee");
  }

  @Test
  void rejectsTruncatedAvcRecord() {
    assertThatThrownBy(() -> TsMuxer.AvcConfig.parse(Arrays.copyOf(AVC_RECORD, 12)))
        .isInstanceOf(MediaException.class).hasMessageContaining("AVCDecoderConfigurationRecord");
    assertThatThrownBy(() -> TsMuxer.AvcConfig.parse(HEX.parseHex("0264002800e100")))
        .isInstanceOf(MediaException.class).hasMessageContaining("configurationVersion 2");
  }

  @Test
  void convertsIdrToAnnexBWithAudAndParameterSetsFirst() {
    var muxer = new TsMuxer();
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(AVC_RECORD));
    // SEI (6) 3 bytes + IDR slice (5) 5 bytes.
    byte[] avcc = HEX.parseHex("00000003" + "060504" + "00000005" + "6588840021");
    int n = muxer.toAnnexB(avcc, true);
    assertThat(HEX.formatHex(muxer.scratch(), 0, n)).isEqualTo(
        "0000000109f0" + "0000000167640028" + "0000000168ee" + "00000001060504" + "000000016588840021");
  }

  @Test
  void keepsInBandParameterSetsAndReplacesInBandAud() {
    var muxer = new TsMuxer();
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(AVC_RECORD));
    byte[] avcc = HEX.parseHex("00000002" + "0910" + "00000003" + "676401" + "00000002" + "68ef" + "00000002" + "6588");
    int n = muxer.toAnnexB(avcc, true);
    assertThat(HEX.formatHex(muxer.scratch(), 0, n)).isEqualTo(
        "0000000109f0" + "00000001676401" + "0000000168ef" + "000000016588");
  }

  @Test
  void nonIdrFrameGetsOnlyTheAud() {
    var muxer = new TsMuxer();
    // 2-byte NAL lengths (lengthSizeMinusOne = 1).
    byte[] record = AVC_RECORD.clone();
    record[4] = (byte) 0xFD;
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(record));
    int n = muxer.toAnnexB(HEX.parseHex("0003" + "419a02" + "0000" + "0002" + "0188"), false);
    assertThat(HEX.formatHex(muxer.scratch(), 0, n)).isEqualTo("0000000109f0" + "00000001419a02" + "000000010188");
  }

  @Test
  void rejectsAccessUnitWhoseNalRunsPastTheEndWithoutWritingAnything() {
    var muxer = new TsMuxer();
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(AVC_RECORD));
    muxer.writeTables();
    int before = muxer.size();
    assertThatThrownBy(() -> muxer.writeVideo(0, 0, true, HEX.parseHex("000000ff6588")))
        .isInstanceOf(MediaException.class).hasMessageContaining("runs past the end");
    assertThatThrownBy(() -> muxer.writeVideo(0, 0, true, HEX.parseHex("000000")))
        .isInstanceOf(MediaException.class).hasMessageContaining("truncated");
    assertThat(muxer.size()).isEqualTo(before);
  }

  @Test
  void packetizesEveryPayloadSizeIntoValidPacketsThatReassembleExactly() {
    var muxer = new TsMuxer();
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(AVC_RECORD));
    muxer.setAudioConfig(TsMuxer.AacConfig.parse(ASC_LC_48K_STEREO));
    var reader = new TsMuxerTestReader();
    // Sizes around every stuffing edge case: 0/1/2 bytes of stuffing, exactly full packets, several packets.
    for (int size = 1; size <= 600; size++) {
      muxer.writeTables();
      byte[] nal = new byte[size];
      nal[0] = 0x41;
      for (int i = 1; i < size; i++) {
        nal[i] = (byte) (i * 31 + size);
      }
      byte[] avcc = new byte[4 + size];
      avcc[3] = (byte) size;
      avcc[2] = (byte) (size >> 8);
      System.arraycopy(nal, 0, avcc, 4, size);
      muxer.writeVideo(size * 33L, size * 33L + 66, false, avcc);
      byte[] aac = Arrays.copyOf(nal, size);
      muxer.writeAudio(size * 21L, aac);
      reader.read(muxer.takeSegment());

      var video = reader.pes(TsMuxer.VIDEO_PID).getLast();
      assertThat(video.payload()).isEqualTo(concat(HEX.parseHex("0000000109f000000001"), nal));
      assertThat(video.pts()).isEqualTo((size * 33L + 66) * 90);
      assertThat(video.dts()).isEqualTo(size * 33L * 90);
      assertThat(video.streamId()).isEqualTo(0xE0);
      assertThat(video.pcr()).isEqualTo(Math.max(0, size * 33L * 90 - 9000));
      var audio = reader.pes(TsMuxer.AUDIO_PID).getLast();
      assertThat(audio.streamId()).isEqualTo(0xC0);
      assertThat(audio.hasDts()).isFalse();
      assertThat(audio.pts()).isEqualTo(size * 21L * 90);
      assertThat(Arrays.copyOfRange(audio.payload(), 7, audio.payload().length)).isEqualTo(aac);
      assertThat(((audio.payload()[3] & 3) << 11) | ((audio.payload()[4] & 0xFF) << 3)
          | ((audio.payload()[5] & 0xFF) >> 5)).isEqualTo(size + 7);
    }
  }

  @Test
  void marksKeyframesRandomAccessAndStartsSegmentsWithPatThenPmt() {
    var muxer = new TsMuxer();
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(AVC_RECORD));
    muxer.setAudioConfig(TsMuxer.AacConfig.parse(ASC_LC_48K_STEREO));
    muxer.writeTables();
    muxer.writeVideo(0, 0, true, HEX.parseHex("000000026588"));
    muxer.writeVideo(33, 33, false, HEX.parseHex("000000024188"));
    var reader = new TsMuxerTestReader().read(muxer.takeSegment());
    assertThat(reader.packetPids.subList(0, 3)).containsExactly(TsMuxer.PAT_PID, TsMuxer.PMT_PID, TsMuxer.VIDEO_PID);
    var video = reader.pes(TsMuxer.VIDEO_PID);
    assertThat(video).extracting(TsMuxerTestReader.Pes::randomAccess).containsExactly(true, false);
    assertThat(video.get(0).payload()).startsWith(HEX.parseHex("0000000109f00000000167640028"));
  }

  @Test
  void announcesLateAudioWithANewPmtVersionBeforeItsFirstPacket() {
    var muxer = new TsMuxer();
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(AVC_RECORD));
    muxer.writeTables();
    muxer.writeVideo(0, 0, true, HEX.parseHex("000000026588"));
    muxer.setAudioConfig(TsMuxer.AacConfig.parse(ASC_LC_48K_STEREO));
    muxer.writeAudio(10, new byte[] {1, 2, 3});
    var reader = new TsMuxerTestReader().read(muxer.takeSegment());
    var pmts = reader.sections.stream().filter(s -> s.tableId() == 2).toList();
    assertThat(pmts).hasSize(2);
    assertThat((pmts.get(0).bytes()[5] >> 1) & 0x1F).isZero();
    assertThat((pmts.get(1).bytes()[5] >> 1) & 0x1F).isEqualTo(1);
    assertThat(pmts.get(1).bytes()).hasSize(3 + 0x17);
    int pmtIndex = reader.packetPids.lastIndexOf(TsMuxer.PMT_PID);
    assertThat(reader.packetPids.indexOf(TsMuxer.AUDIO_PID)).isGreaterThan(pmtIndex);
  }

  @Test
  void continuityCountersContinueAcrossSegmentsAndWrap() {
    var muxer = new TsMuxer();
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(AVC_RECORD));
    var reader = new TsMuxerTestReader();
    for (int segment = 0; segment < 20; segment++) {
      muxer.writeTables();
      byte[] avcc = new byte[4 + 1000];
      avcc[2] = 0x03;
      avcc[3] = (byte) 0xE8;
      avcc[4] = 0x65;
      muxer.writeVideo(segment * 2000L, segment * 2000L, true, avcc);
      reader.read(muxer.takeSegment()); // the reader checks counters across the chunks
    }
    assertThat(reader.pes(TsMuxer.VIDEO_PID)).hasSize(20);
  }

  @Test
  void lowFrameRateVideoStillGetsAPcrEveryHundredMilliseconds() {
    var muxer = new TsMuxer();
    muxer.setVideoConfig(TsMuxer.AvcConfig.parse(AVC_RECORD));
    muxer.setAudioConfig(TsMuxer.AacConfig.parse(ASC_LC_48K_STEREO));
    var reader = new TsMuxerTestReader();
    for (int segment = 0; segment < 3; segment++) {
      muxer.writeTables();
      for (long t = segment * 2000L; t < (segment + 1) * 2000L; t += 20) {
        if (t % 500 == 0) { // 2 fps
          muxer.writeVideo(t, t, t % 2000 == 0, HEX.parseHex("000000026588"));
        }
        muxer.writeAudio(t, new byte[] {1, 2, 3, 4});
      }
      reader.read(muxer.takeSegment()); // continuity counters checked across PCR-only packets too
    }
    List<Long> videoPcrs = reader.pcrs.stream().filter(p -> p[0] == TsMuxer.VIDEO_PID).map(p -> p[1]).toList();
    assertThat(videoPcrs).isSorted();
    assertThat(reader.pcrs).allMatch(p -> p[0] == TsMuxer.VIDEO_PID);
    for (int i = 1; i < videoPcrs.size(); i++) {
      assertThat(videoPcrs.get(i) - videoPcrs.get(i - 1)).isLessThanOrEqualTo(9000);
    }
    assertThat(reader.pes(TsMuxer.VIDEO_PID)).hasSize(12);
  }

  @Test
  void timestampsWrapAt33Bits() {
    var muxer = new TsMuxer();
    muxer.setAudioConfig(TsMuxer.AacConfig.parse(ASC_LC_48K_STEREO));
    muxer.writeTables();
    long ms = (1L << 33) / 90 + 1000; // a little past the wrap (about 26.5 hours)
    muxer.writeAudio(ms, new byte[] {9});
    var audio = new TsMuxerTestReader().read(muxer.takeSegment()).pes(TsMuxer.AUDIO_PID).getFirst();
    assertThat(audio.pts()).isEqualTo((ms * 90) & ((1L << 33) - 1));
    assertThat(audio.pcr()).isNotNegative(); // the audio PID carries the PCR when there is no video
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
