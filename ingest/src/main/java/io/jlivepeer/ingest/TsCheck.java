package io.jlivepeer.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Structural check of an MPEG-TS segment (ISO/IEC 13818-1), pure Java, before it costs a decoder: whole 188-byte
 * packets, each starting with the sync byte 0x47, a PAT (PID 0) whose first program points at a PMT, that PMT
 * listing an H.264 video stream (stream type 0x1b), and at least one PES packet starting on that stream. PAT and
 * PMT CRCs are verified. It does not decode video: a segment that passes can still fail in the transcoder.
 */
public final class TsCheck {
  public static final int PACKET_SIZE = 188;
  public static final int SYNC_BYTE = 0x47;
  public static final int STREAM_TYPE_H264 = 0x1b;

  private static final int PAT_PID = 0;
  private static final int MAX_SECTION_LENGTH = 1021;
  private static final int[] CRC_TABLE = crcTable();

  private TsCheck() {}

  /** Empty when {@code data} is structurally valid MPEG-TS with H.264 video, else a reason fit to send to a client. */
  public static Optional<String> problem(byte[] data) {
    try {
      summarize(data);
      return Optional.empty();
    } catch (Invalid e) {
      return Optional.of(e.getMessage());
    }
  }

  /** What the check learnt about a valid segment. */
  record Summary(int packets, int pmtPid, int videoPid, int videoPesWithPts, long firstPts, long lastPts) {
    /**
     * Video duration estimated from presentation timestamps: the PTS span of the H.264 frames plus one average
     * frame interval (the last frame is shown for that long too). Empty with fewer than two timestamped frames.
     */
    OptionalLong durationMillis() {
      if (videoPesWithPts < 2 || lastPts <= firstPts) {
        return OptionalLong.empty();
      }
      long span = lastPts - firstPts;
      long withLastFrame = span + span / (videoPesWithPts - 1);
      return OptionalLong.of(Math.round(withLastFrame / 90.0)); // PTS run at 90 kHz
    }
  }

  /** Why a segment failed the check; the message is the reason. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String reason) {
      super(reason, null, false, false);
    }
  }

  /** A packet's payload bounds, after the adaptation field. */
  private record Packet(int pid, boolean unitStart, int payloadStart, int payloadEnd) {}

  static Summary summarize(byte[] data) throws Invalid {
    if (data.length == 0) {
      throw new Invalid("empty segment");
    }
    if (data.length % PACKET_SIZE != 0) {
      throw new Invalid("length " + data.length + " is not a multiple of the 188-byte MPEG-TS packet size"
          + " (truncated or not MPEG-TS)");
    }
    List<Packet> packets = new ArrayList<>(data.length / PACKET_SIZE);
    for (int offset = 0; offset < data.length; offset += PACKET_SIZE) {
      packets.add(packet(data, offset));
    }
    byte[] pat = firstSection(data, packets, PAT_PID)
        .orElseThrow(() -> new Invalid("no PAT (program association table, PID 0) found"));
    int pmtPid = pmtPidOf(pat);
    byte[] pmt = firstSection(data, packets, pmtPid).orElseThrow(() -> new Invalid(
        "the PAT points at a PMT on PID " + hex(pmtPid) + " but no PMT section was found there"));
    int videoPid = h264PidOf(pmt);
    int pes = 0;
    int timestamped = 0;
    long firstPts = Long.MAX_VALUE;
    long lastPts = Long.MIN_VALUE;
    for (Packet p : packets) {
      if (p.pid() != videoPid || !p.unitStart()) {
        continue;
      }
      int s = p.payloadStart();
      if (p.payloadEnd() - s < 9 || data[s] != 0 || data[s + 1] != 0 || data[s + 2] != 1) {
        throw new Invalid("a packet on the H.264 PID " + hex(videoPid) + " starts a unit that is not a PES packet");
      }
      pes++;
      boolean hasPts = (data[s + 7] & 0x80) != 0;
      if (hasPts && p.payloadEnd() - s >= 14) {
        long pts = ((long) (data[s + 9] & 0x0e) << 29) | ((data[s + 10] & 0xff) << 22)
            | ((data[s + 11] & 0xfe) << 14) | ((data[s + 12] & 0xff) << 7) | ((data[s + 13] & 0xfe) >> 1);
        timestamped++;
        firstPts = Math.min(firstPts, pts);
        lastPts = Math.max(lastPts, pts);
      }
    }
    if (pes == 0) {
      throw new Invalid("the PMT lists H.264 video on PID " + hex(videoPid) + " but no packet carries it");
    }
    return new Summary(packets.size(), pmtPid, videoPid, timestamped, firstPts, lastPts);
  }

  private static Packet packet(byte[] data, int offset) throws Invalid {
    int index = offset / PACKET_SIZE;
    if ((data[offset] & 0xff) != SYNC_BYTE) {
      throw new Invalid("packet " + index + " (byte offset " + offset + ") does not start with the sync byte 0x47");
    }
    if ((data[offset + 1] & 0x80) != 0) {
      throw new Invalid("packet " + index + " has the transport error indicator set");
    }
    int pid = ((data[offset + 1] & 0x1f) << 8) | (data[offset + 2] & 0xff);
    boolean unitStart = (data[offset + 1] & 0x40) != 0;
    int control = (data[offset + 3] >> 4) & 0x3;
    if (control == 0) {
      throw new Invalid("packet " + index + " uses the reserved adaptation_field_control value 0");
    }
    int payloadStart = offset + 4;
    if ((control & 0x2) != 0) {
      int adaptationLength = data[offset + 4] & 0xff;
      int room = control == 0x2 ? 183 : 182;
      if (adaptationLength > room) {
        throw new Invalid("packet " + index + " has an adaptation field of " + adaptationLength
            + " bytes, longer than the packet");
      }
      payloadStart += 1 + adaptationLength;
    }
    int end = offset + PACKET_SIZE;
    return (control & 0x1) != 0 ? new Packet(pid, unitStart, payloadStart, end) : new Packet(pid, false, end, end);
  }

  /** Reassembles the first complete PSI section on {@code pid} (it may span packets) and checks its CRC. */
  private static Optional<byte[]> firstSection(byte[] data, List<Packet> packets, int pid) throws Invalid {
    byte[] section = null;
    int have = 0;
    for (Packet p : packets) {
      if (p.pid() != pid || p.payloadEnd() <= p.payloadStart()) {
        continue;
      }
      int from = p.payloadStart();
      if (section == null) {
        if (!p.unitStart()) {
          continue;
        }
        int pointer = data[from] & 0xff;
        from += 1 + pointer;
        if (from + 3 > p.payloadEnd()) {
          throw new Invalid("PSI section on PID " + hex(pid) + " starts outside its packet");
        }
        int length = ((data[from + 1] & 0x0f) << 8) | (data[from + 2] & 0xff);
        if (length > MAX_SECTION_LENGTH || length < 9) {
          throw new Invalid("PSI section on PID " + hex(pid) + " has an invalid length " + length);
        }
        section = new byte[3 + length];
      } else if (p.unitStart()) {
        from += 1; // the pointer field; the tail of our section follows it
      }
      int n = Math.min(section.length - have, p.payloadEnd() - from);
      System.arraycopy(data, from, section, have, n);
      have += n;
      if (have == section.length) {
        if (crc32(section, 0, section.length) != 0) {
          throw new Invalid("PSI section on PID " + hex(pid) + " fails its CRC-32 check (corrupted)");
        }
        return Optional.of(section);
      }
    }
    if (section != null) {
      throw new Invalid("PSI section on PID " + hex(pid) + " is cut off (truncated segment)");
    }
    return Optional.empty();
  }

  private static int pmtPidOf(byte[] pat) throws Invalid {
    if ((pat[0] & 0xff) != 0x00) {
      throw new Invalid("PID 0 carries table id " + hex(pat[0] & 0xff) + ", not a PAT");
    }
    int end = pat.length - 4; // CRC
    for (int i = 8; i + 4 <= end; i += 4) {
      int program = ((pat[i] & 0xff) << 8) | (pat[i + 1] & 0xff);
      int pid = ((pat[i + 2] & 0x1f) << 8) | (pat[i + 3] & 0xff);
      if (program != 0) {
        return pid;
      }
    }
    throw new Invalid("the PAT lists no program");
  }

  private static int h264PidOf(byte[] pmt) throws Invalid {
    if ((pmt[0] & 0xff) != 0x02) {
      throw new Invalid("the PMT PID carries table id " + hex(pmt[0] & 0xff) + ", not a PMT");
    }
    int end = pmt.length - 4;
    int programInfoLength = ((pmt[10] & 0x0f) << 8) | (pmt[11] & 0xff);
    List<String> found = new ArrayList<>();
    for (int i = 12 + programInfoLength; i + 5 <= end; ) {
      int streamType = pmt[i] & 0xff;
      int pid = ((pmt[i + 1] & 0x1f) << 8) | (pmt[i + 2] & 0xff);
      int infoLength = ((pmt[i + 3] & 0x0f) << 8) | (pmt[i + 4] & 0xff);
      if (streamType == STREAM_TYPE_H264) {
        return pid;
      }
      found.add(hex(streamType));
      i += 5 + infoLength;
    }
    throw new Invalid("no H.264 video stream (stream type 0x1b) in the PMT; stream types found: "
        + (found.isEmpty() ? "none" : String.join(", ", found)));
  }

  /** CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection); a section including its CRC field sums to 0. */
  static int crc32(byte[] bytes, int from, int to) {
    int crc = 0xffffffff;
    for (int i = from; i < to; i++) {
      crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xff];
    }
    return crc;
  }

  private static int[] crcTable() {
    int[] table = new int[256];
    for (int i = 0; i < 256; i++) {
      int c = i << 24;
      for (int bit = 0; bit < 8; bit++) {
        c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04c11db7 : c << 1;
      }
      table[i] = c;
    }
    return table;
  }

  private static String hex(int value) {
    return String.format("0x%02x", value);
  }
}
