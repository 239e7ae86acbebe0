package io.jlivepeer.playback;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Derives the CODECS attribute of an EXT-X-STREAM-INF (RFC 8216 4.3.4.2, codec names per RFC 6381) from an
 * MPEG-TS segment: {@code avc1.PPCCLL} from the first H.264 sequence parameter set (profile_idc, constraint flags,
 * level_idc) and {@code mp4a.40.N} from the first ADTS header of an AAC stream (N = audio object type). Players
 * use it to decide, before downloading anything, whether they can decode a variant.
 */
public final class HlsCodecs {
  private static final int PACKET = 188;
  private static final int STREAM_TYPE_H264 = 0x1b;
  private static final int STREAM_TYPE_AAC_ADTS = 0x0f;
  private static final int NAL_SPS = 7;

  private HlsCodecs() {}

  /**
   * The codec list of a segment, e.g. {@code avc1.64001f,mp4a.40.2}; empty when the bytes are not MPEG-TS with an
   * H.264 stream whose first access unit carries an SPS (segments cut at IDR frames always do). Audio other than
   * ADTS AAC is left out.
   */
  public static Optional<String> of(byte[] ts) {
    if (ts.length < PACKET || ts.length % PACKET != 0) {
      return Optional.empty();
    }
    int pmtPid = pmtPid(ts);
    if (pmtPid < 0) {
      return Optional.empty();
    }
    int[] pids = streamPids(ts, pmtPid);
    if (pids[0] < 0) {
      return Optional.empty();
    }
    Optional<String> video = firstPesPayload(ts, pids[0]).flatMap(HlsCodecs::avc);
    if (video.isEmpty()) {
      return Optional.empty();
    }
    List<String> codecs = new ArrayList<>(List.of(video.get()));
    if (pids[1] >= 0) {
      firstPesPayload(ts, pids[1]).flatMap(HlsCodecs::aac).ifPresent(codecs::add);
    }
    return Optional.of(String.join(",", codecs));
  }

  private static Optional<String> avc(byte[] es) {
    for (int i = 0; i + 6 < es.length; i++) {
      if (es[i] == 0 && es[i + 1] == 0 && es[i + 2] == 1 && (es[i + 3] & 0x1f) == NAL_SPS) {
        return Optional.of(String.format(Locale.ROOT, "avc1.%02x%02x%02x",
            es[i + 4] & 0xff, es[i + 5] & 0xff, es[i + 6] & 0xff));
      }
    }
    return Optional.empty();
  }

  private static Optional<String> aac(byte[] es) {
    if (es.length < 3 || (es[0] & 0xff) != 0xff || (es[1] & 0xf0) != 0xf0) {
      return Optional.empty();
    }
    int objectType = ((es[2] >> 6) & 0x3) + 1; // ADTS profile field = object type - 1
    return Optional.of("mp4a.40." + objectType);
  }

  /** Offset of the payload of packet {@code off}, or -1 when it has none. */
  private static int payloadStart(byte[] ts, int off) {
    int control = (ts[off + 3] >> 4) & 0x3;
    if ((control & 0x1) == 0) {
      return -1;
    }
    int start = off + 4;
    if ((control & 0x2) != 0) {
      start += 1 + (ts[off + 4] & 0xff);
    }
    return start < off + PACKET ? start : -1;
  }

  private static int pid(byte[] ts, int off) {
    return ((ts[off + 1] & 0x1f) << 8) | (ts[off + 2] & 0xff);
  }

  private static boolean unitStart(byte[] ts, int off) {
    return (ts[off + 1] & 0x40) != 0;
  }

  /** Start of the first section on {@code pid} when it fits in its packet, or -1. */
  private static int sectionStart(byte[] ts, int pid) {
    for (int off = 0; off < ts.length; off += PACKET) {
      if (ts[off] != 0x47 || pid(ts, off) != pid || !unitStart(ts, off)) {
        continue;
      }
      int p = payloadStart(ts, off);
      if (p < 0) {
        continue;
      }
      int section = p + 1 + (ts[p] & 0xff);
      int length = section + 3 <= off + PACKET ? ((ts[section + 1] & 0x0f) << 8) | (ts[section + 2] & 0xff) : -1;
      if (length >= 9 && section + 3 + length <= off + PACKET) {
        return section;
      }
    }
    return -1;
  }

  private static int pmtPid(byte[] ts) {
    int s = sectionStart(ts, 0);
    if (s < 0 || ts[s] != 0) {
      return -1;
    }
    int end = s + 3 + (((ts[s + 1] & 0x0f) << 8) | (ts[s + 2] & 0xff)) - 4;
    for (int i = s + 8; i + 4 <= end; i += 4) {
      if (((ts[i] & 0xff) << 8 | (ts[i + 1] & 0xff)) != 0) {
        return ((ts[i + 2] & 0x1f) << 8) | (ts[i + 3] & 0xff);
      }
    }
    return -1;
  }

  /** {video PID, AAC PID}, -1 where absent. */
  private static int[] streamPids(byte[] ts, int pmtPid) {
    int[] pids = {-1, -1};
    int s = sectionStart(ts, pmtPid);
    if (s < 0 || ts[s] != 2) {
      return pids;
    }
    int end = s + 3 + (((ts[s + 1] & 0x0f) << 8) | (ts[s + 2] & 0xff)) - 4;
    int i = s + 12 + (((ts[s + 10] & 0x0f) << 8) | (ts[s + 11] & 0xff));
    while (i + 5 <= end) {
      int type = ts[i] & 0xff;
      int pid = ((ts[i + 1] & 0x1f) << 8) | (ts[i + 2] & 0xff);
      if (type == STREAM_TYPE_H264 && pids[0] < 0) {
        pids[0] = pid;
      } else if (type == STREAM_TYPE_AAC_ADTS && pids[1] < 0) {
        pids[1] = pid;
      }
      i += 5 + (((ts[i + 3] & 0x0f) << 8) | (ts[i + 4] & 0xff));
    }
    return pids;
  }

  /** The elementary-stream bytes of the first PES packet on {@code pid} (its header skipped). */
  private static Optional<byte[]> firstPesPayload(byte[] ts, int pid) {
    ByteArrayOutputStream es = new ByteArrayOutputStream();
    boolean started = false;
    for (int off = 0; off < ts.length; off += PACKET) {
      if (ts[off] != 0x47 || pid(ts, off) != pid) {
        continue;
      }
      int p = payloadStart(ts, off);
      if (p < 0) {
        continue;
      }
      if (unitStart(ts, off)) {
        if (started) {
          break;
        }
        if (p + 9 > off + PACKET || ts[p] != 0 || ts[p + 1] != 0 || ts[p + 2] != 1) {
          return Optional.empty();
        }
        p += 9 + (ts[p + 8] & 0xff);
        if (p > off + PACKET) {
          return Optional.empty();
        }
        started = true;
      } else if (!started) {
        continue;
      }
      es.write(ts, p, off + PACKET - p);
    }
    return started ? Optional.of(es.toByteArray()) : Optional.empty();
  }
}
