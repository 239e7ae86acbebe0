package io.jlivepeer.playback;

import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * The live media playlist of one rendition (RFC 8216 4.3.3 and 6.2.2). Media sequence numbers are the playlist's
 * own, counted from 0 over the life of the stream and never reset: the ingest sequence number restarts at 0 when a
 * publisher reconnects, while a client must see the media sequence only grow. Thread-safe: renditions of a stream
 * are fed concurrently, each one under its own lock.
 */
final class RenditionPlaylist {
  private record Entry(long mediaSequence, long durationMillis, boolean discontinuity) {}

  private final String manifestId;
  private final String name;
  private final HlsConfig config;
  private final SegmentStore store;
  private final ArrayDeque<Entry> window = new ArrayDeque<>();
  /** Media sequence numbers that left the window but stay downloadable (RFC 8216 6.2.2). */
  private final ArrayDeque<Long> retained = new ArrayDeque<>();

  private long nextMediaSequence;
  private long discontinuitySequence;
  private long lastIngestSeq = -1;
  private long maxDurationMillis;
  private boolean discontinuityPending;
  private boolean ended;

  RenditionPlaylist(String manifestId, String name, HlsConfig config, SegmentStore store) {
    this.manifestId = manifestId;
    this.name = name;
    this.config = config;
    this.store = store;
  }

  /**
   * Appends a segment; empty when it was dropped because it is not newer than the last one of this publisher
   * session, or the stream has ended (a playlist with EXT-X-ENDLIST must not change, RFC 8216 6.2.1).
   */
  synchronized OptionalLong add(long ingestSeq, long durationMillis, byte[] data) {
    if (ended || ingestSeq <= lastIngestSeq) {
      return OptionalLong.empty();
    }
    long mediaSequence = nextMediaSequence;
    store.put(new SegmentKey(manifestId, name, mediaSequence), data);
    nextMediaSequence++;
    lastIngestSeq = ingestSeq;
    window.addLast(new Entry(mediaSequence, durationMillis, discontinuityPending));
    discontinuityPending = false;
    maxDurationMillis = Math.max(maxDurationMillis, durationMillis);
    while (window.size() > config.windowSegments()) {
      Entry gone = window.removeFirst();
      // RFC 8216 6.2.2: removing an EXT-X-DISCONTINUITY tag increments EXT-X-DISCONTINUITY-SEQUENCE.
      if (gone.discontinuity()) {
        discontinuitySequence++;
      }
      retained.addLast(gone.mediaSequence());
    }
    while (retained.size() > config.retainedAfterWindow()) {
      store.delete(new SegmentKey(manifestId, name, retained.removeFirst()));
    }
    return OptionalLong.of(mediaSequence);
  }

  /**
   * The publisher reconnected: the next segment starts a new timeline (EXT-X-DISCONTINUITY), its ingest sequence
   * numbers start over, and an ended playlist is live again.
   */
  synchronized void restart() {
    discontinuityPending = nextMediaSequence > 0;
    lastIngestSeq = -1;
    ended = false;
  }

  synchronized void end() {
    ended = true;
  }

  /** Whether the segment is still downloadable (in the window or retained after it). */
  synchronized boolean holds(long mediaSequence) {
    long oldest = retained.isEmpty()
        ? (window.isEmpty() ? nextMediaSequence : window.peekFirst().mediaSequence())
        : retained.peekFirst();
    return mediaSequence >= oldest && mediaSequence < nextMediaSequence;
  }

  /** Forgets every segment this playlist still has in the store; later adds are dropped. */
  synchronized void evictAll() {
    ended = true;
    for (Long seq : retained) {
      store.delete(new SegmentKey(manifestId, name, seq));
    }
    for (Entry e : window) {
      store.delete(new SegmentKey(manifestId, name, e.mediaSequence()));
    }
    retained.clear();
    window.clear();
  }

  /**
   * The playlist text. EXT-X-TARGETDURATION is the largest segment duration rounded up, over every segment this
   * playlist has listed rather than only the current window: RFC 8216 6.2.1 forbids changing it, so once a long
   * segment was announced the value does not shrink again when that segment slides out.
   */
  synchronized String text() {
    long targetSeconds = window.isEmpty() && maxDurationMillis == 0
        ? config.initialTargetDurationSeconds()
        : Math.max(1, (maxDurationMillis + 999) / 1000);
    long firstSequence = window.isEmpty() ? nextMediaSequence : window.peekFirst().mediaSequence();
    StringBuilder out = new StringBuilder(64 + window.size() * 48);
    out.append("#EXTM3U\n");
    out.append("#EXT-X-VERSION:3\n");
    out.append("#EXT-X-TARGETDURATION:").append(targetSeconds).append('\n');
    out.append("#EXT-X-MEDIA-SEQUENCE:").append(firstSequence).append('\n');
    out.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(discontinuitySequence).append('\n');
    for (Entry e : window) {
      if (e.discontinuity()) {
        out.append("#EXT-X-DISCONTINUITY\n");
      }
      // Version 3 allows decimal EXTINF; three decimals keep millisecond precision (RFC 8216 4.3.2.1).
      out.append("#EXTINF:").append(e.durationMillis() / 1000).append('.')
          .append(String.format(java.util.Locale.ROOT, "%03d", e.durationMillis() % 1000)).append(",\n");
      out.append(name).append('/').append(e.mediaSequence()).append(".ts\n");
    }
    if (ended) {
      out.append("#EXT-X-ENDLIST\n");
    }
    return out.toString();
  }
}
