package io.jlivepeer.media;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent, strict MPEG-TS reader for tests: checks packet structure (size, sync byte, continuity
 * counters across everything it reads, adaptation field layout, stuffing, PSI CRCs) and reassembles PES
 * packets. Any violation throws {@link AssertionError}.
 */
final class TsMuxerTestReader {
  record Pes(int pid, int streamId, long pts, long dts, boolean hasDts, byte[] payload, boolean randomAccess,
      long pcr) {}

  record Section(int pid, byte[] bytes) {
    int tableId() {
      return bytes[0] & 0xFF;
    }
  }

  final List<Pes> pes = new ArrayList<>();
  final List<Section> sections = new ArrayList<>();
  final List<Integer> packetPids = new ArrayList<>();
  /** Every PCR seen, as {pid, base}, in stream order (PES starts and adaptation-only packets). */
  final List<long[]> pcrs = new ArrayList<>();
  private final Map<Integer, Integer> lastCc = new HashMap<>();
  private final Map<Integer, ByteArrayOutputStream> open = new HashMap<>();
  private final Map<Integer, long[]> openFlags = new HashMap<>(); // {randomAccess, pcr}

  /** Reads one chunk (a segment); PES packets must not straddle chunks. */
  TsMuxerTestReader read(byte[] ts) {
    check(ts.length % 188 == 0, "length " + ts.length + " is not a multiple of 188");
    for (int off = 0; off < ts.length; off += 188) {
      packet(ts, off);
    }
    for (int pid : new ArrayList<>(open.keySet())) {
      finishPes(pid);
    }
    return this;
  }

  List<Pes> pes(int pid) {
    return pes.stream().filter(p -> p.pid() == pid).toList();
  }

  private void packet(byte[] b, int off) {
    check((b[off] & 0xFF) == 0x47, "no sync byte at " + off);
    check((b[off + 1] & 0x80) == 0, "transport_error_indicator set at " + off);
    boolean pusi = (b[off + 1] & 0x40) != 0;
    int pid = ((b[off + 1] & 0x1F) << 8) | (b[off + 2] & 0xFF);
    check((b[off + 3] & 0xC0) == 0, "scrambled packet at " + off);
    int afc = (b[off + 3] >> 4) & 3;
    int cc = b[off + 3] & 0xF;
    check(afc != 0, "reserved adaptation_field_control at " + off);
    packetPids.add(pid);
    boolean hasPayload = (afc & 1) != 0;
    Integer last = lastCc.get(pid);
    if (last != null) {
      int expected = hasPayload ? (last + 1) & 0xF : last;
      check(cc == expected, "PID " + pid + " continuity counter " + cc + " after " + last + " at " + off);
    }
    lastCc.put(pid, cc);
    int p = off + 4;
    boolean randomAccess = false;
    long pcr = -1;
    if ((afc & 2) != 0) {
      int length = b[p] & 0xFF;
      check(length <= (hasPayload ? 182 : 183), "adaptation field too long at " + off);
      int end = p + 1 + length;
      if (length > 0) {
        int flags = b[p + 1] & 0xFF;
        randomAccess = (flags & 0x40) != 0;
        int q = p + 2;
        if ((flags & 0x10) != 0) {
          pcr = ((b[q] & 0xFFL) << 25) | ((b[q + 1] & 0xFFL) << 17) | ((b[q + 2] & 0xFFL) << 9)
              | ((b[q + 3] & 0xFFL) << 1) | ((b[q + 4] & 0x80L) >> 7);
          check((b[q + 4] & 0x7E) == 0x7E, "PCR reserved bits not set at " + off);
          q += 6;
        }
        check((flags & 0x0F) == 0, "unexpected adaptation field flags " + flags + " at " + off);
        for (int i = q; i < end; i++) {
          check((b[i] & 0xFF) == 0xFF, "stuffing byte not 0xFF at " + i);
        }
      }
      p = end;
    }
    if (pcr >= 0) {
      pcrs.add(new long[] {pid, pcr});
    }
    int payloadEnd = off + 188;
    if (!hasPayload) {
      check(p == payloadEnd, "adaptation-only packet does not fill the packet at " + off);
      return;
    }
    if (pid == TsMuxer.PAT_PID || pid == TsMuxer.PMT_PID) {
      check(pusi, "PSI packet without payload_unit_start at " + off);
      int pointer = b[p] & 0xFF;
      int s = p + 1 + pointer;
      int sectionLength = ((b[s + 1] & 0x0F) << 8) | (b[s + 2] & 0xFF);
      byte[] section = java.util.Arrays.copyOfRange(b, s, s + 3 + sectionLength);
      check(TsMuxer.crc32Mpeg2(section, 0, section.length) == 0, "PSI CRC mismatch on PID " + pid);
      sections.add(new Section(pid, section));
      return;
    }
    if (pusi) {
      if (open.containsKey(pid)) {
        finishPes(pid);
      }
      open.put(pid, new ByteArrayOutputStream());
      openFlags.put(pid, new long[] {randomAccess ? 1 : 0, pcr});
    } else {
      check(open.containsKey(pid), "continuation packet without a PES start on PID " + pid);
      check(pcr == -1, "PCR outside the first packet of a PES on PID " + pid);
    }
    open.get(pid).write(b, p, payloadEnd - p);
  }

  private void finishPes(int pid) {
    byte[] d = open.remove(pid).toByteArray();
    long[] flags = openFlags.remove(pid);
    check(d.length >= 14 && d[0] == 0 && d[1] == 0 && d[2] == 1, "PES start code missing on PID " + pid);
    int streamId = d[3] & 0xFF;
    int packetLength = ((d[4] & 0xFF) << 8) | (d[5] & 0xFF);
    if (packetLength != 0) {
      check(packetLength == d.length - 6, "PES_packet_length " + packetLength + " but " + (d.length - 6) + " bytes");
    }
    check((d[6] & 0xC0) == 0x80, "PES header marker bits");
    int ptsDts = (d[7] >> 6) & 3;
    check(ptsDts == 2 || ptsDts == 3, "PES without PTS");
    int headerLength = d[8] & 0xFF;
    long pts = timestamp(d, 9, ptsDts == 3 ? 3 : 2);
    long dts = ptsDts == 3 ? timestamp(d, 14, 1) : pts;
    byte[] payload = java.util.Arrays.copyOfRange(d, 9 + headerLength, d.length);
    pes.add(new Pes(pid, streamId, pts, dts, ptsDts == 3, payload, flags[0] == 1, flags[1]));
  }

  private static long timestamp(byte[] d, int p, int prefix) {
    check(((d[p] >> 4) & 0xF) == prefix, "timestamp prefix");
    check((d[p] & 1) == 1 && (d[p + 2] & 1) == 1 && (d[p + 4] & 1) == 1, "timestamp marker bits");
    return ((d[p] & 0x0EL) << 29) | ((d[p + 1] & 0xFFL) << 22) | ((d[p + 2] & 0xFEL) << 14)
        | ((d[p + 3] & 0xFFL) << 7) | ((d[p + 4] & 0xFEL) >> 1);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }
}
