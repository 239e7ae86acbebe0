package io.jlivepeer.node.store;

import io.jlivepeer.playback.HlsStreams;
import io.jlivepeer.playback.HlsVariant;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Copies B's live HLS into an object store ({@code -objectStore}) with the layout of B's {@code /stream/} URLs, so
 * the bucket plays by itself: {@code <manifestId>.m3u8} (master), {@code <manifestId>/<rendition>.m3u8} (the live
 * window, rewritten after each segment) and {@code <manifestId>/<rendition>/<mediaSequence>.ts}. Segments stay in
 * the store after they leave the live window. Every call returns at once (see {@link UploadQueue}).
 */
public final class LiveMirror {
  private final UploadQueue queue;
  private final HlsStreams hls;
  /** Per manifest id and rendition: the highest media sequence number already queued. */
  private final Map<String, Long> lastQueued = new ConcurrentHashMap<>();

  public LiveMirror(UploadQueue queue, HlsStreams hls) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.hls = Objects.requireNonNull(hls, "hls");
  }

  public ObjectStore store() {
    return queue.store();
  }

  /** The stream (re)started: its master playlist. */
  public void streamStarted(String manifestId) {
    hls.masterPlaylist(manifestId).ifPresent(text -> queue.putLatest(manifestId + ".m3u8",
        text.getBytes(StandardCharsets.UTF_8), StreamRecorder.M3U8));
  }

  /** A segment of {@code rendition} went into the live playlist: it and the new playlist are copied. */
  public void segmentAdded(String manifestId, String rendition) {
    Optional<String> playlist = hls.mediaPlaylist(manifestId, rendition);
    if (playlist.isEmpty()) {
      return;
    }
    String slot = manifestId + "/" + rendition;
    // Calls for one stream come in order from its worker, so this read-modify-write of the slot does not race.
    long last = lastQueued.getOrDefault(slot, -1L);
    long newest = last;
    String prefix = rendition + "/";
    for (String line : playlist.get().split("\n")) {
      if (!line.startsWith(prefix) || !line.endsWith(".ts")) {
        continue;
      }
      long seq;
      try {
        seq = Long.parseLong(line.substring(prefix.length(), line.length() - 3));
      } catch (NumberFormatException e) {
        continue;
      }
      if (seq > last) {
        long s = seq;
        hls.segment(manifestId, rendition, seq).ifPresent(bytes ->
            queue.put(slot + "/" + s + ".ts", bytes, StreamRecorder.TS));
        newest = Math.max(newest, seq);
      }
    }
    lastQueued.put(slot, newest);
    queue.putLatest(slot + ".m3u8", playlist.get().getBytes(StandardCharsets.UTF_8), StreamRecorder.M3U8);
  }

  /** The stream ended: every media playlist is rewritten with its ENDLIST. */
  public void streamEnded(String manifestId) {
    for (HlsVariant v : hls.variants(manifestId)) {
      segmentAdded(manifestId, v.name());
    }
  }
}
