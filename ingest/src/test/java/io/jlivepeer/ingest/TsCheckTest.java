package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.TestMedia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TsCheckTest {
  static byte[] goodTs;

  @BeforeAll
  static void media() throws Exception {
    goodTs = Files.readAllBytes(TestMedia.source(320, 180, 30, 2, "ts"));
  }

  @Test
  void acceptsFfmpegMpegTsWithH264AndEstimatesItsDuration() throws Exception {
    assertThat(TsCheck.problem(goodTs)).isEmpty();
    TsCheck.Summary summary = TsCheck.summarize(goodTs);
    assertThat(summary.packets()).isEqualTo(goodTs.length / 188);
    assertThat(summary.videoPesWithPts()).isEqualTo(60);
    assertThat(summary.durationMillis().orElseThrow()).isBetween(1950L, 2050L);
  }

  @Test
  void rejectsRandomBytesAtTheFirstBadSyncByte() {
    byte[] random = new byte[188 * 20];
    new Random(7).nextBytes(random);
    random[0] = 0x47;
    random[188] = 0x12;

    assertThat(TsCheck.problem(random)).hasValueSatisfying(reason -> assertThat(reason)
        .contains("packet 1 (byte offset 188) does not start with the sync byte 0x47"));
  }

  @Test
  void rejectsTruncatedSegments() {
    byte[] cut = Arrays.copyOf(goodTs, goodTs.length - 100);
    assertThat(TsCheck.problem(cut)).hasValueSatisfying(
        reason -> assertThat(reason).contains("not a multiple of the 188-byte"));
    assertThat(TsCheck.problem(new byte[0])).contains("empty segment");
  }

  @Test
  void rejectsSegmentsWithoutPatOrPmt() throws Exception {
    TsCheck.Summary summary = TsCheck.summarize(goodTs);
    byte[] noTables = withoutPids(goodTs, 0, summary.pmtPid());
    assertThat(TsCheck.problem(noTables)).contains("no PAT (program association table, PID 0) found");

    byte[] noPmt = withoutPids(goodTs, summary.pmtPid());
    assertThat(TsCheck.problem(noPmt)).hasValueSatisfying(reason -> assertThat(reason)
        .contains("no PMT section was found").contains(String.format("0x%02x", summary.pmtPid())));
  }

  @Test
  void rejectsCorruptedTables() {
    byte[] corrupt = goodTs.clone();
    int pat = firstPacketOf(corrupt, 0);
    corrupt[pat + 4 + 1 + 4] ^= 0x01; // a byte of the PAT's transport_stream_id
    assertThat(TsCheck.problem(corrupt)).hasValueSatisfying(reason -> assertThat(reason).contains("CRC-32"));
  }

  @Test
  void rejectsStreamsWithoutH264Video() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "test-media"));
    Path audioOnly = dir.resolve("audio-only.ts");
    if (!Files.exists(audioOnly)) {
      TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
          "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "1", "-c:a", "aac",
          "-f", "mpegts", audioOnly.toString()), 60);
    }

    assertThat(TsCheck.problem(Files.readAllBytes(audioOnly))).hasValueSatisfying(reason -> assertThat(reason)
        .contains("no H.264 video stream (stream type 0x1b)").contains("0x0f"));
  }

  @Test
  void crcOfASectionIncludingItsCrcIsZero() {
    // PAT of one program (number 1 -> PMT PID 0x1000), CRC as ffmpeg writes it.
    byte[] pat = {0x00, (byte) 0xb0, 0x0d, 0x00, 0x01, (byte) 0xc1, 0x00, 0x00, 0x00, 0x01, (byte) 0xf0, 0x00,
        0x2a, (byte) 0xb1, 0x04, (byte) 0xb2};
    assertThat(TsCheck.crc32(pat, 0, pat.length)).isZero();
    assertThat(TsCheck.crc32(pat, 0, pat.length - 4)).isEqualTo(0x2ab104b2);
  }

  static byte[] withoutPids(byte[] ts, int... pids) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int off = 0; off < ts.length; off += 188) {
      int pid = ((ts[off + 1] & 0x1f) << 8) | (ts[off + 2] & 0xff);
      if (Arrays.stream(pids).noneMatch(p -> p == pid)) {
        out.write(ts, off, 188);
      }
    }
    return out.toByteArray();
  }

  private static int firstPacketOf(byte[] ts, int pid) {
    for (int off = 0; off < ts.length; off += 188) {
      if ((((ts[off + 1] & 0x1f) << 8) | (ts[off + 2] & 0xff)) == pid) {
        return off;
      }
    }
    throw new AssertionError("no packet on PID " + pid);
  }
}
