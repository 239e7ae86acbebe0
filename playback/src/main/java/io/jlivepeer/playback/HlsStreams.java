package io.jlivepeer.playback;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every stream's HLS playlists and segments: per manifest id a master playlist of its variants and per variant a
 * live sliding-window media playlist (RFC 8216). Thread-safe; segments of different renditions may be added
 * concurrently.
 *
 * <p>Life of a stream: {@link #startStream} declares its variants (call it again when the publisher reconnects:
 * the next segment of each rendition gets EXT-X-DISCONTINUITY), {@link #addSegment} for each source or rendition
 * segment, {@link #endStream} when the publisher stops (EXT-X-ENDLIST), {@link #removeStream} to forget it.
 *
 * <p>URLs, all relative so the playlists work behind any host or proxy: master {@code /stream/<id>.m3u8}, media
 * {@code /stream/<id>/<rendition>.m3u8}, segment {@code /stream/<id>/<rendition>/<mediaSequence>.ts}.
 */
public final class HlsStreams {
  private static final Logger log = LoggerFactory.getLogger(HlsStreams.class);

  private static final class Stream {
    final String manifestId;
    /** Replaced whole under the stream's lock; read without it. */
    volatile List<HlsVariant> variants;
    final Map<String, RenditionPlaylist> playlists = new ConcurrentHashMap<>();

    Stream(String manifestId, List<HlsVariant> variants) {
      this.manifestId = manifestId;
      this.variants = variants;
    }
  }

  private final HlsConfig config;
  private final SegmentStore store;
  private final Map<String, Stream> streams = new ConcurrentHashMap<>();

  public HlsStreams(HlsConfig config, SegmentStore store) {
    this.config = Objects.requireNonNull(config, "config");
    this.store = Objects.requireNonNull(store, "store");
  }

  public HlsConfig config() {
    return config;
  }

  /**
   * Declares a stream and its variants, in master-playlist order (clients usually start with the first one). When
   * the stream exists already this is a publisher restart: renditions that remain continue with a discontinuity,
   * an ended stream becomes live again, new variants are added and variants no longer listed are dropped.
   *
   * @throws IllegalArgumentException for an unsafe manifest id, no variants, or two variants with the same name
   */
  public void startStream(String manifestId, List<HlsVariant> variants) {
    StreamNames.requireSafe(Objects.requireNonNull(manifestId, "manifestId"), "manifest id");
    List<HlsVariant> declared = List.copyOf(variants);
    if (declared.isEmpty()) {
      throw new IllegalArgumentException("stream " + manifestId + " declares no variant");
    }
    Map<String, HlsVariant> byName = new LinkedHashMap<>();
    for (HlsVariant v : declared) {
      if (byName.put(v.name(), v) != null) {
        throw new IllegalArgumentException("stream " + manifestId + " declares variant " + v.name() + " twice");
      }
    }
    Stream stream = streams.computeIfAbsent(manifestId, id -> new Stream(id, declared));
    synchronized (stream) {
      boolean restart = !stream.playlists.isEmpty();
      stream.variants = declared;
      stream.playlists.keySet().removeIf(name -> {
        if (byName.containsKey(name)) {
          return false;
        }
        stream.playlists.get(name).evictAll();
        return true;
      });
      for (String name : byName.keySet()) {
        RenditionPlaylist existing = stream.playlists.get(name);
        if (existing != null) {
          existing.restart();
        } else {
          stream.playlists.put(name, new RenditionPlaylist(manifestId, name, config, store));
        }
      }
      log.info("HLS stream {} {} with variants {}", manifestId, restart ? "restarted" : "started", byName.keySet());
    }
  }

  /**
   * Adds the next segment of one variant. Returns its media sequence number, which names it in URLs, or empty when
   * it was dropped: its ingest {@code seq} is not above the last one since the stream (re)started (late or
   * duplicate), or the stream has ended.
   *
   * @param seq the ingest sequence number (restarts at 0 when the publisher reconnects)
   * @param data MPEG-TS bytes, handed over to the store (not copied)
   * @throws PlaybackException when the stream or the variant was not declared with {@link #startStream}, or the
   *     store fails
   */
  public OptionalLong addSegment(String manifestId, String rendition, long seq, long durationMillis, byte[] data) {
    Objects.requireNonNull(data, "data");
    if (seq < 0 || durationMillis < 0) {
      throw new IllegalArgumentException("negative segment number or duration: " + seq + ", " + durationMillis);
    }
    RenditionPlaylist playlist = playlist(manifestId, rendition).orElseThrow(() -> new PlaybackException(
        "no HLS variant " + StreamNames.printable(rendition) + " in stream " + StreamNames.printable(manifestId)
            + "; declare it with startStream first"));
    OptionalLong added = playlist.add(seq, durationMillis, data);
    if (added.isEmpty()) {
      log.debug("HLS stream {}/{}: dropped segment {} (late, duplicate or after the end)", manifestId, rendition, seq);
    }
    return added;
  }

  /** The publisher stopped: every media playlist gets EXT-X-ENDLIST. Unknown ids are ignored. */
  public void endStream(String manifestId) {
    Stream stream = streams.get(manifestId);
    if (stream != null) {
      synchronized (stream) {
        stream.playlists.values().forEach(RenditionPlaylist::end);
      }
    }
  }

  /** Forgets a stream and deletes its segments. Unknown ids are ignored. */
  public void removeStream(String manifestId) {
    Stream stream = streams.remove(manifestId);
    if (stream != null) {
      synchronized (stream) {
        stream.playlists.values().forEach(RenditionPlaylist::evictAll);
        stream.playlists.clear();
      }
      store.deleteStream(manifestId);
      log.info("HLS stream {} removed", manifestId);
    }
  }

  /** Manifest ids of the streams known now. */
  public Set<String> streamIds() {
    return Set.copyOf(streams.keySet());
  }

  /** The declared variants of a stream, in master-playlist order; empty when unknown. */
  public List<HlsVariant> variants(String manifestId) {
    Stream stream = streams.get(manifestId);
    return stream == null ? List.of() : stream.variants;
  }

  /** The master playlist (RFC 8216 4.3.4.2): one EXT-X-STREAM-INF per variant. */
  public Optional<String> masterPlaylist(String manifestId) {
    Stream stream = streams.get(manifestId);
    if (stream == null) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(256);
    out.append("#EXTM3U\n");
    out.append("#EXT-X-VERSION:3\n");
    for (HlsVariant v : stream.variants) {
      out.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(v.bandwidthBps());
      if (v.width() > 0) {
        out.append(",RESOLUTION=").append(v.width()).append('x').append(v.height());
      }
      if (!v.codecs().isEmpty()) {
        out.append(",CODECS=\"").append(v.codecs()).append('"');
      }
      if (v.frameRate() > 0) {
        out.append(",FRAME-RATE=").append(String.format(Locale.ROOT, "%.3f", v.frameRate()));
      }
      out.append('\n');
      // Relative to /stream/<id>.m3u8.
      out.append(stream.manifestId).append('/').append(v.name()).append(".m3u8\n");
    }
    return Optional.of(out.toString());
  }

  /** The live media playlist of one variant (RFC 8216 4.3.3). */
  public Optional<String> mediaPlaylist(String manifestId, String rendition) {
    return playlist(manifestId, rendition).map(RenditionPlaylist::text);
  }

  /** A segment's bytes while it is in the window or retained after it (shared array: do not modify). */
  public Optional<byte[]> segment(String manifestId, String rendition, long mediaSequence) {
    Optional<RenditionPlaylist> playlist = playlist(manifestId, rendition);
    if (playlist.isEmpty() || !playlist.get().holds(mediaSequence)) {
      return Optional.empty();
    }
    return store.get(new SegmentKey(manifestId, rendition, mediaSequence));
  }

  private Optional<RenditionPlaylist> playlist(String manifestId, String rendition) {
    Stream stream = streams.get(manifestId);
    return stream == null ? Optional.empty() : Optional.ofNullable(stream.playlists.get(rendition));
  }
}
