package io.jlivepeer.media;

import java.util.Arrays;

/**
 * Writes an MPEG transport stream (ISO/IEC 13818-1) carrying one H.264 video and one AAC audio stream, as
 * 188-byte packets into an internal buffer that is taken out one segment at a time.
 *
 * <p>Input is the FLV/RTMP layout: AVCC access units (length-prefixed NAL units, parameter sets given once in
 * an AVCDecoderConfigurationRecord) and raw AAC frames (AudioSpecificConfig given once). The output is what
 * HLS players and FFmpeg expect: Annex B with an access unit delimiter first in every access unit and SPS/PPS
 * before every IDR (ITU-T H.264 7.4.1.2.3, Apple HLS authoring rules), AAC in ADTS (ISO/IEC 13818-7 6.2).
 *
 * <p>Continuity counters and the PMT version live in the muxer, so segments taken one after another
 * concatenate into one valid stream. Not thread-safe. All buffers are reused: writing a frame allocates
 * nothing once the buffers have grown to the stream's largest segment / access unit.
 */
final class TsMuxer {
  static final int PACKET_SIZE = 188;
  static final int PAT_PID = 0x0000;
  static final int PMT_PID = 0x1000;
  static final int VIDEO_PID = 0x0100;
  static final int AUDIO_PID = 0x0101;
  static final int STREAM_TYPE_H264 = 0x1B;
  static final int STREAM_TYPE_AAC_ADTS = 0x0F;
  static final int PROGRAM_NUMBER = 1;
  static final int TRANSPORT_STREAM_ID = 1;

  /** 33-bit PTS/DTS/PCR base wraps around (about 26.5 hours at 90 kHz). */
  private static final long TS_MASK = (1L << 33) - 1;
  /**
   * PCR runs this far ahead of decode time so a decoder's buffer model (T-STD) sees data arrive before it is
   * decoded; 100 ms is plenty for a 2 s segment that is delivered whole.
   */
  private static final long PCR_LEAD_90K = 9_000;
  /**
   * The PCR must recur at least every 100 ms (2.7.2); low frame-rate video (slides, screen share) does not do
   * that by itself, so audio that runs this far past the last PCR triggers a PCR-only packet on the video PID.
   */
  private static final long PCR_INTERVAL_90K = 7_200;
  private static final byte[] AUD = {0, 0, 0, 1, 0x09, (byte) 0xF0};
  private static final int MAX_PES_HEADER = 19;

  private byte[] out = new byte[64 * 1024];
  private int size;
  private byte[] scratch = new byte[16 * 1024];
  private final byte[] pesHeader = new byte[MAX_PES_HEADER];
  private final byte[] section = new byte[PACKET_SIZE];

  private int ccPat;
  private int ccPmt;
  private int ccVideo;
  private int ccAudio;
  private int pmtVersion;
  /** Last PCR written on the video PID (90 kHz, before the 33-bit wrap), -1 before the first. */
  private long lastVideoPcr = -1;
  /** Stream set (bit 1 video, bit 2 audio) the last PMT declared; -1 before the first one. */
  private int declaredStreams = -1;

  private AvcConfig video;
  private AacConfig audio;

  void setVideoConfig(AvcConfig config) {
    video = config;
  }

  void setAudioConfig(AacConfig config) {
    audio = config;
  }

  boolean hasVideo() {
    return video != null;
  }

  boolean hasAudio() {
    return audio != null;
  }

  /** Bytes written since the last {@link #takeSegment()}. */
  int size() {
    return size;
  }

  /** Writes PAT and PMT; every segment starts with them so it can be decoded on its own. */
  void writeTables() {
    writePat();
    writePmt();
  }

  /**
   * Writes one video access unit as a PES packet. The AVCC input is validated and converted before anything
   * is written, so a malformed access unit leaves the stream untouched.
   *
   * @param dtsMillis decode time on the output timeline, in milliseconds
   * @param ptsMillis presentation time on the output timeline, in milliseconds
   */
  void writeVideo(long dtsMillis, long ptsMillis, boolean keyframe, byte[] avcc) {
    if (video == null) {
      throw new IllegalStateException("video access unit before the video configuration");
    }
    int length = toAnnexB(avcc, keyframe);
    ensurePmtDeclaresCurrentStreams();
    long dts = dtsMillis * 90;
    long pts = ptsMillis * 90;
    int headerLength = pesHeader(0xE0, pts, dts, pts != dts, 0);
    long pcr = Math.max(0, dts - PCR_LEAD_90K);
    writePes(VIDEO_PID, headerLength, scratch, 0, length, true, pcr, keyframe);
    lastVideoPcr = pcr;
  }

  /** Writes one raw AAC frame, in an ADTS header, as a PES packet. */
  void writeAudio(long ptsMillis, byte[] aac) {
    if (audio == null) {
      throw new IllegalStateException("audio frame before the audio configuration");
    }
    int frameLength = AacConfig.ADTS_HEADER_LENGTH + aac.length;
    if (frameLength > AacConfig.MAX_ADTS_FRAME) {
      throw new MediaException("AAC frame of " + aac.length + " bytes is larger than ADTS can carry ("
          + AacConfig.MAX_ADTS_FRAME + "); the publisher's audio is not plain AAC");
    }
    ensurePmtDeclaresCurrentStreams();
    growScratch(frameLength);
    audio.writeAdtsHeader(scratch, 0, frameLength);
    System.arraycopy(aac, 0, scratch, AacConfig.ADTS_HEADER_LENGTH, aac.length);
    long pts = ptsMillis * 90;
    int headerLength = pesHeader(0xC0, pts, pts, false, frameLength);
    // Without video the audio PID carries the clock reference, so it gets the PCR.
    boolean pcr = video == null;
    if (!pcr && lastVideoPcr >= 0 && pts - PCR_LEAD_90K - lastVideoPcr >= PCR_INTERVAL_90K) {
      lastVideoPcr = pts - PCR_LEAD_90K;
      writeVideoPcrOnly(lastVideoPcr);
    }
    writePes(AUDIO_PID, headerLength, scratch, 0, frameLength, pcr, Math.max(0, pts - PCR_LEAD_90K), pcr);
  }

  /** Upper bound of the bytes {@link #writeVideo} adds for an AVCC access unit of this size. */
  int estimateVideoBytes(int avccLength) {
    int params = video == null ? 0 : video.annexBParameterSets().length;
    // Length fields become 4-byte start codes: same size for 4-byte fields, at most 4x for 1-byte fields.
    long converted = video == null || video.nalLengthSize() == 4 ? avccLength : 4L * avccLength;
    long annexB = AUD.length + params + converted;
    return estimatePes(annexB);
  }

  /** Upper bound of the bytes {@link #writeAudio} adds for an AAC frame of this size. */
  int estimateAudioBytes(int aacLength) {
    return estimatePes(AacConfig.ADTS_HEADER_LENGTH + (long) aacLength);
  }

  /** Upper bound of the bytes {@link #writeTables} adds (PAT, PMT and a possible PMT update). */
  static int tablesBytes() {
    return 3 * PACKET_SIZE;
  }

  private static int estimatePes(long payload) {
    long withHeaders = payload + MAX_PES_HEADER + 8; // PES header + PCR adaptation field
    long packets = (withHeaders + 183) / 184 + 2; // + a PMT update and a PCR-only packet
    return (int) Math.min(Integer.MAX_VALUE, packets * PACKET_SIZE);
  }

  /** The bytes written since the last call, as a new array; the internal buffer is kept for the next segment. */
  byte[] takeSegment() {
    byte[] segment = Arrays.copyOf(out, size);
    // A long-GOP segment can grow the buffer a lot; do not keep many MiB per idle stream afterwards.
    if (out.length > 1024 * 1024 && out.length > 4 * size) {
      out = new byte[Math.max(64 * 1024, size + size / 2)];
    }
    size = 0;
    return segment;
  }

  // ---- Annex B conversion -------------------------------------------------------------------------

  /**
   * Converts an AVCC access unit into {@link #scratch} as Annex B: our AUD first (any in-band AUD is dropped so
   * there is exactly one), then SPS/PPS when this is an IDR without in-band parameter sets, then the NAL units
   * with 4-byte start codes. Returns the length.
   */
  int toAnnexB(byte[] avcc, boolean keyframe) {
    int lengthSize = video.nalLengthSize();
    boolean hasSps = false;
    boolean hasPps = false;
    boolean hasIdr = false;
    long length = AUD.length;
    int p = 0;
    while (p < avcc.length) {
      if (avcc.length - p < lengthSize) {
        throw malformed(avcc.length, p, "truncated NAL length field");
      }
      int nalLength = readLength(avcc, p, lengthSize);
      p += lengthSize;
      if (nalLength < 0 || nalLength > avcc.length - p) {
        throw malformed(avcc.length, p, "NAL unit of " + Integer.toUnsignedString(nalLength)
            + " bytes runs past the end");
      }
      if (nalLength > 0) {
        int type = avcc[p] & 0x1F;
        switch (type) {
          case 5 -> hasIdr = true;
          case 7 -> hasSps = true;
          case 8 -> hasPps = true;
          default -> { }
        }
        if (type != 9) {
          length += 4 + nalLength;
        }
      }
      p += nalLength;
    }
    boolean insertParameterSets = (hasIdr || keyframe) && !(hasSps && hasPps);
    byte[] params = video.annexBParameterSets();
    if (insertParameterSets) {
      length += params.length;
    }
    if (length > Integer.MAX_VALUE - 16) {
      throw new MediaException("video access unit of " + length + " bytes is too large");
    }
    growScratch((int) length);
    byte[] s = scratch;
    System.arraycopy(AUD, 0, s, 0, AUD.length);
    int w = AUD.length;
    if (insertParameterSets) {
      System.arraycopy(params, 0, s, w, params.length);
      w += params.length;
    }
    p = 0;
    while (p < avcc.length) {
      int nalLength = readLength(avcc, p, lengthSize);
      p += lengthSize;
      if (nalLength > 0 && (avcc[p] & 0x1F) != 9) {
        s[w] = 0;
        s[w + 1] = 0;
        s[w + 2] = 0;
        s[w + 3] = 1;
        System.arraycopy(avcc, p, s, w + 4, nalLength);
        w += 4 + nalLength;
      }
      p += nalLength;
    }
    return w;
  }

  /** Walks the NAL length fields of an AVCC access unit; throws {@link MediaException} if they do not add up. */
  void checkAccessUnit(byte[] avcc) {
    if (video == null) {
      throw new IllegalStateException("video access unit before the video configuration");
    }
    int lengthSize = video.nalLengthSize();
    int p = 0;
    while (p < avcc.length) {
      if (avcc.length - p < lengthSize) {
        throw malformed(avcc.length, p, "truncated NAL length field");
      }
      int nalLength = readLength(avcc, p, lengthSize);
      p += lengthSize;
      if (nalLength < 0 || nalLength > avcc.length - p) {
        throw malformed(avcc.length, p, "NAL unit of " + Integer.toUnsignedString(nalLength)
            + " bytes runs past the end");
      }
      p += nalLength;
    }
  }

  /** The scratch buffer holding the last converted access unit or ADTS frame (tests read it). */
  byte[] scratch() {
    return scratch;
  }

  private static MediaException malformed(int length, int offset, String what) {
    return new MediaException("malformed H.264 access unit (" + length + " bytes, AVCC layout expected): " + what
        + " at offset " + offset + "; the publisher must send FLV/RTMP H.264 with length-prefixed NAL units");
  }

  private static int readLength(byte[] b, int p, int size) {
    int v = 0;
    for (int i = 0; i < size; i++) {
      v = (v << 8) | (b[p + i] & 0xFF);
    }
    return v;
  }

  private void growScratch(int needed) {
    if (scratch.length < needed) {
      scratch = new byte[Math.max(needed, scratch.length + scratch.length / 2)];
    }
  }

  // ---- PES and packets ----------------------------------------------------------------------------

  /** Fills {@link #pesHeader}; returns its length. {@code payloadLength} 0 means unbounded (video only). */
  private int pesHeader(int streamId, long pts, long dts, boolean withDts, int payloadLength) {
    byte[] h = pesHeader;
    int optional = withDts ? 10 : 5;
    int packetLength = payloadLength == 0 ? 0 : 3 + optional + payloadLength;
    if (packetLength > 0xFFFF) {
      packetLength = 0;
    }
    h[0] = 0;
    h[1] = 0;
    h[2] = 1;
    h[3] = (byte) streamId;
    h[4] = (byte) (packetLength >>> 8);
    h[5] = (byte) packetLength;
    h[6] = (byte) 0x84; // '10', not scrambled, data_alignment_indicator: the PES starts with an access unit
    h[7] = (byte) (withDts ? 0xC0 : 0x80);
    h[8] = (byte) optional;
    writeTimestamp(h, 9, withDts ? 0x3 : 0x2, pts);
    if (withDts) {
      writeTimestamp(h, 14, 0x1, dts);
    }
    return 9 + optional;
  }

  private static void writeTimestamp(byte[] b, int p, int prefix, long ts) {
    long t = ts & TS_MASK;
    b[p] = (byte) ((prefix << 4) | ((t >>> 29) & 0x0E) | 1);
    b[p + 1] = (byte) (t >>> 22);
    b[p + 2] = (byte) (((t >>> 14) & 0xFE) | 1);
    b[p + 3] = (byte) (t >>> 7);
    b[p + 4] = (byte) (((t << 1) & 0xFE) | 1);
  }

  /**
   * Splits PES header + payload into transport packets. The first packet carries the PCR and the random access
   * indicator when asked; the last one is padded with adaptation-field stuffing (2.4.3.5), never with payload
   * padding, because PES payload bytes are all meaningful.
   */
  private void writePes(int pid, int headerLength, byte[] data, int offset, int length, boolean pcr, long pcrBase,
      boolean randomAccess) {
    int remaining = headerLength + length;
    int dataPos = offset;
    boolean first = true;
    ensureOut((remaining / 184 + 2) * PACKET_SIZE);
    byte[] o = out;
    while (remaining > 0) {
      int w = size;
      boolean flagsNeeded = first && (pcr || randomAccess);
      int adaptation = flagsNeeded ? 2 + (pcr ? 6 : 0) : 0; // length byte + flags byte + PCR
      int space = 184 - adaptation;
      int payload = Math.min(space, remaining);
      int stuffing = space - payload;
      if (stuffing > 0) {
        adaptation += stuffing;
      }
      int cc = nextCc(pid);
      o[w] = 0x47;
      o[w + 1] = (byte) ((first ? 0x40 : 0) | (pid >>> 8));
      o[w + 2] = (byte) pid;
      o[w + 3] = (byte) ((adaptation > 0 ? 0x30 : 0x10) | cc);
      w += 4;
      if (adaptation > 0) {
        o[w] = (byte) (adaptation - 1);
        if (adaptation > 1) {
          int flags = 0;
          if (flagsNeeded && randomAccess) {
            flags |= 0x40;
          }
          if (flagsNeeded && pcr) {
            flags |= 0x10;
          }
          o[w + 1] = (byte) flags;
          int a = w + 2;
          if (flagsNeeded && pcr) {
            long base = pcrBase & TS_MASK;
            o[a] = (byte) (base >>> 25);
            o[a + 1] = (byte) (base >>> 17);
            o[a + 2] = (byte) (base >>> 9);
            o[a + 3] = (byte) (base >>> 1);
            o[a + 4] = (byte) (((base & 1) << 7) | 0x7E); // 6 reserved bits, extension 0
            o[a + 5] = 0;
            a += 6;
          }
          Arrays.fill(o, a, w + adaptation, (byte) 0xFF);
        }
        w += adaptation;
      }
      int fromHeader = 0;
      if (first) {
        fromHeader = headerLength;
        System.arraycopy(pesHeader, 0, o, w, headerLength);
        w += headerLength;
      }
      int fromData = payload - fromHeader;
      System.arraycopy(data, dataPos, o, w, fromData);
      dataPos += fromData;
      w += fromData;
      remaining -= payload;
      size = w;
      first = false;
    }
  }

  /**
   * An adaptation-field-only packet on the video PID carrying just a PCR. Packets without payload repeat the
   * PID's last continuity counter instead of advancing it (2.4.3.3).
   */
  private void writeVideoPcrOnly(long pcrBase) {
    ensureOut(PACKET_SIZE);
    byte[] o = out;
    int w = size;
    int lastCc = (ccVideo + 15) & 0xF;
    o[w] = 0x47;
    o[w + 1] = (byte) (VIDEO_PID >>> 8);
    o[w + 2] = (byte) VIDEO_PID;
    o[w + 3] = (byte) (0x20 | lastCc);
    o[w + 4] = (byte) 183;
    o[w + 5] = 0x10;
    long base = pcrBase & TS_MASK;
    o[w + 6] = (byte) (base >>> 25);
    o[w + 7] = (byte) (base >>> 17);
    o[w + 8] = (byte) (base >>> 9);
    o[w + 9] = (byte) (base >>> 1);
    o[w + 10] = (byte) (((base & 1) << 7) | 0x7E);
    o[w + 11] = 0;
    Arrays.fill(o, w + 12, w + PACKET_SIZE, (byte) 0xFF);
    size = w + PACKET_SIZE;
  }

  private int nextCc(int pid) {
    int cc;
    switch (pid) {
      case VIDEO_PID -> {
        cc = ccVideo;
        ccVideo = (cc + 1) & 0xF;
      }
      case AUDIO_PID -> {
        cc = ccAudio;
        ccAudio = (cc + 1) & 0xF;
      }
      case PAT_PID -> {
        cc = ccPat;
        ccPat = (cc + 1) & 0xF;
      }
      case PMT_PID -> {
        cc = ccPmt;
        ccPmt = (cc + 1) & 0xF;
      }
      default -> throw new IllegalArgumentException("unknown PID " + pid);
    }
    return cc;
  }

  private void ensureOut(int extra) {
    if (out.length - size < extra) {
      // 1.5x rather than 2x: the buffer is kept per stream, so its slack counts once per publisher.
      long wanted = Math.max((long) size + extra, out.length + (long) out.length / 2);
      if (wanted > Integer.MAX_VALUE - 8) {
        wanted = (long) size + extra;
      }
      out = Arrays.copyOf(out, (int) wanted);
    }
  }

  // ---- PSI ----------------------------------------------------------------------------------------

  private void ensurePmtDeclaresCurrentStreams() {
    if (declaredStreams != streamSet()) {
      // A stream appeared mid-segment (audio configured late): announce it before its first packet.
      writePmt();
    }
  }

  private int streamSet() {
    return (video != null ? 1 : 0) | (audio != null ? 2 : 0);
  }

  private void writePat() {
    int n = patSection(section);
    writeSection(PAT_PID, section, n);
  }

  private void writePmt() {
    int streams = streamSet();
    if (declaredStreams != -1 && declaredStreams != streams) {
      pmtVersion = (pmtVersion + 1) & 0x1F;
    }
    declaredStreams = streams;
    int n = pmtSection(section, pmtVersion, video != null, audio != null);
    writeSection(PMT_PID, section, n);
  }

  /** PAT (2.4.4.3): one program, number 1, whose PMT is on {@link #PMT_PID}. Returns the section length. */
  static int patSection(byte[] s) {
    s[0] = 0x00; // table_id program_association_section
    int sectionLength = 5 + 4 + 4; // header rest + one program + CRC
    s[1] = (byte) (0xB0 | (sectionLength >>> 8));
    s[2] = (byte) sectionLength;
    s[3] = (byte) (TRANSPORT_STREAM_ID >>> 8);
    s[4] = (byte) TRANSPORT_STREAM_ID;
    s[5] = (byte) 0xC1; // reserved, version 0, current_next_indicator
    s[6] = 0; // section_number
    s[7] = 0; // last_section_number
    s[8] = (byte) (PROGRAM_NUMBER >>> 8);
    s[9] = (byte) PROGRAM_NUMBER;
    s[10] = (byte) (0xE0 | (PMT_PID >>> 8));
    s[11] = (byte) PMT_PID;
    return appendCrc(s, 12);
  }

  /** PMT (2.4.4.8) for the configured streams; the PCR is on the video PID, or on audio without video. */
  static int pmtSection(byte[] s, int version, boolean withVideo, boolean withAudio) {
    int streams = (withVideo ? 1 : 0) + (withAudio ? 1 : 0);
    int sectionLength = 9 + 5 * streams + 4;
    int pcrPid = withVideo || !withAudio ? VIDEO_PID : AUDIO_PID;
    s[0] = 0x02; // table_id TS_program_map_section
    s[1] = (byte) (0xB0 | (sectionLength >>> 8));
    s[2] = (byte) sectionLength;
    s[3] = (byte) (PROGRAM_NUMBER >>> 8);
    s[4] = (byte) PROGRAM_NUMBER;
    s[5] = (byte) (0xC1 | ((version & 0x1F) << 1));
    s[6] = 0;
    s[7] = 0;
    s[8] = (byte) (0xE0 | (pcrPid >>> 8));
    s[9] = (byte) pcrPid;
    s[10] = (byte) 0xF0; // program_info_length 0
    s[11] = 0;
    int p = 12;
    if (withVideo) {
      p = streamEntry(s, p, STREAM_TYPE_H264, VIDEO_PID);
    }
    if (withAudio) {
      p = streamEntry(s, p, STREAM_TYPE_AAC_ADTS, AUDIO_PID);
    }
    return appendCrc(s, p);
  }

  private static int streamEntry(byte[] s, int p, int streamType, int pid) {
    s[p] = (byte) streamType;
    s[p + 1] = (byte) (0xE0 | (pid >>> 8));
    s[p + 2] = (byte) pid;
    s[p + 3] = (byte) 0xF0; // ES_info_length 0
    s[p + 4] = 0;
    return p + 5;
  }

  private static int appendCrc(byte[] s, int length) {
    int crc = crc32Mpeg2(s, 0, length);
    s[length] = (byte) (crc >>> 24);
    s[length + 1] = (byte) (crc >>> 16);
    s[length + 2] = (byte) (crc >>> 8);
    s[length + 3] = (byte) crc;
    return length + 4;
  }

  /** One PSI section in one packet: pointer_field 0, the section, 0xFF fill (2.4.4.1). */
  private void writeSection(int pid, byte[] s, int length) {
    ensureOut(PACKET_SIZE);
    byte[] o = out;
    int w = size;
    o[w] = 0x47;
    o[w + 1] = (byte) (0x40 | (pid >>> 8));
    o[w + 2] = (byte) pid;
    o[w + 3] = (byte) (0x10 | nextCc(pid));
    o[w + 4] = 0; // pointer_field
    System.arraycopy(s, 0, o, w + 5, length);
    Arrays.fill(o, w + 5 + length, w + PACKET_SIZE, (byte) 0xFF);
    size = w + PACKET_SIZE;
  }

  private static final int[] CRC_TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int c = i << 24;
      for (int k = 0; k < 8; k++) {
        c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
      }
      CRC_TABLE[i] = c;
    }
  }

  /** CRC-32/MPEG-2: polynomial 0x04C11DB7, initial 0xFFFFFFFF, not reflected, no final xor (Annex A). */
  static int crc32Mpeg2(byte[] b, int offset, int length) {
    int crc = 0xFFFFFFFF;
    for (int i = offset; i < offset + length; i++) {
      crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b[i]) & 0xFF];
    }
    return crc;
  }

  // ---- codec configuration --------------------------------------------------------------------------

  /**
   * The parts of an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) the muxer needs: the NAL length
   * size and the parameter sets, pre-rendered in Annex B.
   */
  record AvcConfig(int nalLengthSize, byte[] annexBParameterSets) {
    static AvcConfig parse(byte[] rec) {
      if (rec.length < 7) {
        throw badAvc(rec, "only " + rec.length + " bytes");
      }
      if (rec[0] != 1) {
        throw badAvc(rec, "configurationVersion " + (rec[0] & 0xFF) + " (expected 1)");
      }
      int lengthSize = (rec[4] & 0x03) + 1;
      if (lengthSize == 3) {
        throw badAvc(rec, "NAL length size 3 (must be 1, 2 or 4)");
      }
      var params = new java.io.ByteArrayOutputStream();
      int p = 5;
      int numSps = rec[p++] & 0x1F;
      p = copySets(rec, p, numSps, params, "SPS");
      if (p >= rec.length) {
        throw badAvc(rec, "missing PPS count");
      }
      int numPps = rec[p++] & 0xFF;
      copySets(rec, p, numPps, params, "PPS");
      if (numSps == 0 || numPps == 0) {
        throw badAvc(rec, numSps + " SPS and " + numPps + " PPS (need at least one of each)");
      }
      return new AvcConfig(lengthSize, params.toByteArray());
    }

    private static int copySets(byte[] rec, int p, int count, java.io.ByteArrayOutputStream out, String what) {
      for (int i = 0; i < count; i++) {
        if (p + 2 > rec.length) {
          throw badAvc(rec, what + " " + i + " length missing");
        }
        int length = ((rec[p] & 0xFF) << 8) | (rec[p + 1] & 0xFF);
        p += 2;
        if (length == 0 || p + length > rec.length) {
          throw badAvc(rec, what + " " + i + " of " + length + " bytes runs past the end");
        }
        out.write(0);
        out.write(0);
        out.write(0);
        out.write(1);
        out.write(rec, p, length);
        p += length;
      }
      return p;
    }

    private static MediaException badAvc(byte[] rec, String what) {
      return new MediaException("bad H.264 AVCDecoderConfigurationRecord (" + rec.length + " bytes): " + what
          + "; the publisher must send an AVC sequence header before video frames");
    }
  }

  /** An AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) reduced to what an ADTS header needs. */
  record AacConfig(int profile, int samplingIndex, int channelConfig) {
    static final int ADTS_HEADER_LENGTH = 7;
    static final int MAX_ADTS_FRAME = 0x1FFF;
    private static final int[] RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
        11025, 8000, 7350};

    static AacConfig parse(byte[] asc) {
      if (asc.length < 2) {
        throw badAac(asc, "only " + asc.length + " bytes");
      }
      var bits = new Bits(asc);
      int objectType = objectType(bits);
      int samplingIndex = samplingIndex(bits, asc);
      int channels = bits.read(4);
      if (objectType == 5 || objectType == 29) {
        // HE-AAC with explicit SBR/PS signalling: ADTS carries the AAC-LC core at the core sampling rate and
        // decoders find SBR implicitly.
        samplingIndex(bits, asc); // extension sampling rate, not representable in ADTS
        objectType = objectType(bits);
      }
      if (objectType < 1 || objectType > 4) {
        throw badAac(asc, "audio object type " + objectType + " cannot be carried in ADTS (needs AAC Main, LC,"
            + " SSR or LTP; HE-AAC is fine)");
      }
      if (channels > 7) {
        throw badAac(asc, "channel configuration " + channels);
      }
      return new AacConfig(objectType - 1, samplingIndex, channels);
    }

    private static int objectType(Bits bits) {
      int type = bits.read(5);
      return type == 31 ? 32 + bits.read(6) : type;
    }

    private static int samplingIndex(Bits bits, byte[] asc) {
      int index = bits.read(4);
      if (index == 15) {
        int rate = bits.read(24);
        for (int i = 0; i < RATES.length; i++) {
          if (RATES[i] == rate) {
            return i;
          }
        }
        throw badAac(asc, "sampling rate " + rate + " Hz has no ADTS index");
      }
      if (index >= RATES.length) {
        throw badAac(asc, "reserved sampling frequency index " + index);
      }
      return index;
    }

    private static MediaException badAac(byte[] asc, String what) {
      return new MediaException("bad AAC AudioSpecificConfig (" + asc.length + " bytes): " + what
          + "; the publisher must send AAC audio with an AAC sequence header");
    }

    int sampleRate() {
      return RATES[samplingIndex];
    }

    /** ADTS fixed + variable header without CRC (ISO/IEC 13818-7 6.2.1), MPEG-4 ID, buffer fullness 0x7FF (VBR). */
    void writeAdtsHeader(byte[] b, int p, int frameLength) {
      b[p] = (byte) 0xFF;
      b[p + 1] = (byte) 0xF1; // syncword, ID 0 (MPEG-4), layer 00, protection_absent 1
      b[p + 2] = (byte) ((profile << 6) | (samplingIndex << 2) | (channelConfig >>> 2));
      b[p + 3] = (byte) (((channelConfig & 3) << 6) | (frameLength >>> 11));
      b[p + 4] = (byte) (frameLength >>> 3);
      b[p + 5] = (byte) (((frameLength & 7) << 5) | 0x1F);
      b[p + 6] = (byte) 0xFC; // buffer fullness low bits, one raw data block
    }
  }

  /** MSB-first bit reader over a short config blob. */
  private static final class Bits {
    private final byte[] b;
    private int bit;

    Bits(byte[] b) {
      this.b = b;
    }

    int read(int n) {
      int v = 0;
      for (int i = 0; i < n; i++) {
        int index = bit >>> 3;
        if (index >= b.length) {
          throw new MediaException("bad AAC AudioSpecificConfig (" + b.length + " bytes): truncated"
              + "; the publisher must send AAC audio with an AAC sequence header");
        }
        v = (v << 1) | ((b[index] >>> (7 - (bit & 7))) & 1);
        bit++;
      }
      return v;
    }
  }
}
