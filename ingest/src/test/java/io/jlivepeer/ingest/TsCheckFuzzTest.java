package io.jlivepeer.ingest;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jlivepeer.media.AllocationMeter;
import io.jlivepeer.media.TestMedia;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * MPEG-TS demux of untrusted bytes: {@link TsCheck}, which every HTTP-pushed segment passes before it reaches a
 * decoder. Contract: a {@link TsCheck.Summary} consistent with the input or {@link TsCheck.Invalid} with a reason,
 * nothing else; {@link TsCheck#problem} agrees with it; bounded allocation.
 *
 * <p>Random bytes rarely get past the sync byte or a PSI CRC, so the first input byte picks one of three shapes:
 * raw bytes; 187-byte packet bodies behind sync bytes; or a real 64-packet segment from ffmpeg (PAT, PMT with CRCs,
 * PES with timestamps) with up to 24 fuzzer-chosen byte edits and an optional cut, which reaches the PES and
 * timestamp paths.
 */
// Jazzer fuzzes only the first @FuzzTest of a JVM: the 20 s one must come before its long twin.
@TestMethodOrder(MethodOrderer.MethodName.class)
class TsCheckFuzzTest {
  private static final int BASE_PACKETS = 64;
  private static final byte[] BASE = realSegmentHead();

  @FuzzTest(maxDuration = "20s")
  void tsDemux(FuzzedDataProvider data) {
    run(data);
  }

  @FuzzTest(maxDuration = "2h")
  @EnabledIfSystemProperty(named = "jlivepeer.fuzz.long", matches = "true")
  void tsDemuxLong(FuzzedDataProvider data) {
    run(data);
  }

  static void run(FuzzedDataProvider data) {
    AllocationMeter.bounded(segment(data), TsCheckFuzzTest::check);
  }

  static byte[] segment(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 2)) {
      case 0 -> data.consumeRemainingAsBytes();
      case 1 -> packetized(data.consumeRemainingAsBytes());
      default -> edited(data);
    };
  }

  private static byte[] packetized(byte[] bodies) {
    int packets = Math.max(1, (bodies.length + 186) / 187);
    byte[] out = new byte[packets * TsCheck.PACKET_SIZE];
    for (int i = 0; i < packets; i++) {
      out[i * TsCheck.PACKET_SIZE] = (byte) TsCheck.SYNC_BYTE;
      int from = i * 187;
      System.arraycopy(bodies, Math.min(from, bodies.length), out, i * TsCheck.PACKET_SIZE + 1,
          Math.max(0, Math.min(187, bodies.length - from)));
    }
    return out;
  }

  private static byte[] edited(FuzzedDataProvider data) {
    byte[] out = BASE.clone();
    int edits = data.consumeInt(0, 24);
    for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
      out[data.consumeInt(0, out.length - 1)] = data.consumeByte();
    }
    boolean cut = data.consumeBoolean();
    return cut ? Arrays.copyOf(out, data.consumeInt(0, out.length)) : out;
  }

  private static void check(byte[] segment) {
    Optional<String> problem = TsCheck.problem(segment);
    TsCheck.Summary summary;
    try {
      summary = TsCheck.summarize(segment);
    } catch (TsCheck.Invalid e) {
      if (e.getMessage() == null || e.getMessage().isBlank() || !problem.equals(Optional.of(e.getMessage()))) {
        throw new AssertionError("rejection without a reason, or problem() disagrees: " + e.getMessage()
            + " vs " + problem);
      }
      return;
    }
    if (problem.isPresent()) {
      throw new AssertionError("summarize accepted what problem() rejects: " + problem.get());
    }
    if (summary.packets() != segment.length / TsCheck.PACKET_SIZE || summary.videoPesWithPts() > summary.packets()
        || summary.videoPid() < 0 || summary.videoPid() > 0x1fff || summary.pmtPid() > 0x1fff) {
      throw new AssertionError("summary inconsistent with a " + segment.length + "-byte input: " + summary);
    }
    summary.durationMillis().ifPresent(ms -> {
      if (ms <= 0) {
        throw new AssertionError("non-positive duration " + ms + " from " + summary);
      }
    });
  }

  private static byte[] realSegmentHead() {
    try {
      byte[] ts = Files.readAllBytes(TestMedia.source(320, 180, 30, 2, "ts"));
      return Arrays.copyOf(ts, Math.min(ts.length, BASE_PACKETS * TsCheck.PACKET_SIZE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
