package io.jlivepeer.node.studio;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The session of each API stream that has published since B started, by playback id, with its live health figures
 * (segments in and out, failures, transcode time against media time). Counts change on the stream's worker thread
 * and are read by API requests; each session is guarded by its own lock. What changed since the last
 * {@link #takeDirty()} is written to SQLite in batches by {@link Studio}.
 */
final class LiveSessions {
  /** Segments whose transcode start is remembered per session; a segment that never finishes is forgotten. */
  static final int TRACKED_SEGMENTS = 64;

  /** The live figures of one session at one moment. */
  record Health(boolean active, long segmentsIn, long segmentsOut, long failures, double realTimeRatio,
      long lastSegmentAt) {
    static final Health NONE = new Health(false, 0, 0, 0, 0, 0);
  }

  /** One session's figures. Guarded by itself. */
  private static final class Live {
    SessionRecord session;
    long segmentsIn;
    long segmentsOut;
    long failures;
    long mediaMillis;
    long workMillis;
    long lastSegmentAt;
    final Map<Long, Long> startedNanos = new HashMap<>();

    Live(SessionRecord session) {
      this.session = session;
    }
  }

  private final Map<String, Live> live = new ConcurrentHashMap<>();
  private final Map<String, Boolean> dirty = new ConcurrentHashMap<>();

  /** A publish started {@code session} under {@code playbackId} (replacing the stream's previous one). */
  void open(String playbackId, SessionRecord session) {
    live.put(playbackId, new Live(session));
  }

  /**
   * A source segment arrived ({@code transcoded} false) or its renditions are out (true); returns false when no
   * session is open under {@code playbackId}.
   */
  boolean segment(String playbackId, long seq, long durationMillis, boolean transcoded, long nowMillis) {
    Live l = live.get(playbackId);
    if (l == null) {
      return false;
    }
    synchronized (l) {
      if (transcoded) {
        l.segmentsOut++;
        Long startedAt = l.startedNanos.remove(seq);
        if (startedAt != null) {
          l.workMillis += (System.nanoTime() - startedAt) / 1_000_000;
          l.mediaMillis += durationMillis;
        }
      } else {
        l.segmentsIn++;
        l.startedNanos.put(seq, System.nanoTime());
        if (l.startedNanos.size() > TRACKED_SEGMENTS) {
          l.startedNanos.remove(l.startedNanos.keySet().stream().min(Long::compare).orElseThrow());
        }
      }
      l.lastSegmentAt = nowMillis;
      l.session = l.session.withSegment(nowMillis, transcoded, durationMillis);
    }
    dirty.put(playbackId, Boolean.TRUE);
    return true;
  }

  void failed(String playbackId, long seq) {
    Live l = live.get(playbackId);
    if (l != null) {
      synchronized (l) {
        l.failures++;
        l.startedNanos.remove(seq);
      }
    }
  }

  /** Ends the open session; its final record, or empty when none was open. */
  Optional<SessionRecord> end(String playbackId, long nowMillis) {
    Live l = live.get(playbackId);
    if (l == null) {
      return Optional.empty();
    }
    synchronized (l) {
      l.session = l.session.ended(nowMillis);
      return Optional.of(l.session);
    }
  }

  /** The session's recording finished: the in-memory record follows the stored one, if it is still the current. */
  void recording(String playbackId, SessionRecord updated) {
    Live l = live.get(playbackId);
    if (l != null) {
      synchronized (l) {
        if (l.session.id().equals(updated.id())) {
          l.session = l.session.recording(updated.recordingStatus(), updated.recordingUrl());
        }
      }
    }
  }

  /** The sessions whose counts changed since the last call (each once). */
  List<SessionRecord> takeDirty() {
    List<SessionRecord> out = new ArrayList<>();
    for (String playbackId : List.copyOf(dirty.keySet())) {
      dirty.remove(playbackId);
      current(playbackId).ifPresent(out::add);
    }
    return out;
  }

  /** The latest record of the stream's session since B started, live or ended. */
  Optional<SessionRecord> current(String playbackId) {
    Live l = live.get(playbackId);
    if (l == null) {
      return Optional.empty();
    }
    synchronized (l) {
      return Optional.of(l.session);
    }
  }

  /** The id of the session live now under {@code playbackId}. */
  Optional<String> activeId(String playbackId) {
    return current(playbackId).filter(SessionRecord::active).map(SessionRecord::id);
  }

  boolean active(String playbackId) {
    return activeId(playbackId).isPresent();
  }

  Health health(String playbackId) {
    Live l = live.get(playbackId);
    if (l == null) {
      return Health.NONE;
    }
    synchronized (l) {
      // transcode time / media time, as B's /metrics (NodeStats): below 1 keeps up with live
      double ratio = l.mediaMillis > 0 ? (double) l.workMillis / l.mediaMillis : 0;
      return new Health(l.session.active(), l.segmentsIn, l.segmentsOut, l.failures, ratio, l.lastSegmentAt);
    }
  }
}
