package io.jlivepeer.node.store;

import io.jlivepeer.playback.HlsVariant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records stream sessions into an object store as VOD HLS. A session is one publish: from
 * {@link #streamStarted} to {@link #streamEnded}. Its objects, under {@code <manifestId>/<sessionId>/}:
 *
 * <ul>
 *   <li>{@code <rendition>/<seq>.ts}: every segment of every rendition and of the source, written as it comes;</li>
 *   <li>{@code <rendition>.m3u8}: per rendition a media playlist with {@code #EXT-X-PLAYLIST-TYPE:VOD} and
 *       {@code #EXT-X-ENDLIST} (RFC 8216 4.3.3.5, 4.3.3.4), written when the session ends and its segments are in;</li>
 *   <li>{@code index.m3u8}: the master playlist (RFC 8216 4.3.4.2), written last; then
 *       {@link RecordingListener#recordingReady} fires.</li>
 * </ul>
 *
 * <p>Every call returns at once: writes go through the store's {@link UploadQueue}. Calls for one stream come in
 * order from its worker (as {@code SegmentOutput}'s contract says); different streams may call concurrently.
 */
public final class StreamRecorder {
  private static final Logger log = LoggerFactory.getLogger(StreamRecorder.class);

  static final String TS = "video/mp2t";
  static final String M3U8 = "application/vnd.apple.mpegurl";
  static final String MASTER = "index.m3u8";

  private record Entry(long seq, long durationMillis, int bytes, CompletableFuture<Boolean> written) {}

  private static final class Session {
    final String manifestId;
    final String sessionId;
    final List<HlsVariant> variants;
    final Map<String, List<Entry>> entries = new LinkedHashMap<>();

    Session(String manifestId, String sessionId, List<HlsVariant> variants) {
      this.manifestId = manifestId;
      this.sessionId = sessionId;
      this.variants = variants;
      for (HlsVariant v : variants) {
        entries.put(v.name(), new ArrayList<>());
      }
    }

    String prefix() {
      return manifestId + "/" + sessionId + "/";
    }
  }

  private final UploadQueue queue;
  private final Predicate<String> recordWhen;
  private final RecordingListener listener;
  private final Function<String, String> sessionIds;
  private final Supplier<String> baseUrl;
  private final Map<String, Session> active = new ConcurrentHashMap<>();

  /**
   * @param recordWhen which manifest ids are recorded (asked at each publish)
   * @param sessionIds a new session id for a manifest id (a random UUID unless the stream API names sessions)
   * @param baseUrl B's HTTP base URL, e.g. {@code http://127.0.0.1:9935}, for {@link Recording#url}
   */
  public StreamRecorder(UploadQueue queue, Predicate<String> recordWhen, RecordingListener listener,
      Function<String, String> sessionIds, Supplier<String> baseUrl) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.recordWhen = Objects.requireNonNull(recordWhen, "recordWhen");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.sessionIds = Objects.requireNonNull(sessionIds, "sessionIds");
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
  }

  /** Random UUIDs as session ids. */
  public static Function<String, String> randomSessionIds() {
    return manifestId -> UUID.randomUUID().toString();
  }

  public ObjectStore store() {
    return queue.store();
  }

  /**
   * A publish began: when the stream is to be recorded, a new session starts (a session still open for the
   * manifest id, after a reconnect without an end, is finished first).
   */
  public void streamStarted(String manifestId, List<HlsVariant> variants) {
    Session open = active.remove(manifestId);
    if (open != null) {
      finish(open);
    }
    boolean record;
    try {
      record = recordWhen.test(manifestId);
    } catch (RuntimeException e) {
      log.error("stream {}: could not tell whether to record it ({}); not recording this session", manifestId,
          e.toString());
      return;
    }
    if (!record) {
      return;
    }
    String sessionId = sessionIds.apply(manifestId);
    try {
      ObjectStore.requireKey(manifestId + "/" + sessionId, "a recording");
    } catch (ObjectStoreException e) {
      log.error("stream {}: not recorded: {}", manifestId, e.getMessage());
      return;
    }
    Session session = new Session(manifestId, sessionId, List.copyOf(variants));
    active.put(manifestId, session);
    log.info("stream {}: recording session {} to {}", manifestId, sessionId, queue.store().describe());
    notify(() -> listener.recordingStarted(manifestId, sessionId));
  }

  /** One segment of a rendition (or of the source, {@link HlsVariant#SOURCE_NAME}) of a recorded stream. */
  public void segment(String manifestId, String rendition, long seq, long durationMillis, byte[] data) {
    Session session = active.get(manifestId);
    if (session == null) {
      return;
    }
    List<Entry> list;
    synchronized (session) {
      list = session.entries.get(rendition);
      if (list == null || (!list.isEmpty() && list.getLast().seq() >= seq)) {
        return; // not declared, or late / duplicate: HLS drops it as well
      }
    }
    String key = session.prefix() + rendition + "/" + seq + ".ts";
    CompletableFuture<Boolean> written = queue.put(key, data, TS).handle((ok, error) -> error == null);
    synchronized (session) {
      list.add(new Entry(seq, durationMillis, data.length, written));
    }
  }

  /** The publisher left and its segments are through: the session's playlists follow once its segments are in. */
  public void streamEnded(String manifestId) {
    Session session = active.remove(manifestId);
    if (session != null) {
      finish(session);
    }
  }

  /** The session being recorded for a manifest id now, if any. */
  public java.util.Optional<String> activeSession(String manifestId) {
    Session s = active.get(manifestId);
    return s == null ? java.util.Optional.empty() : java.util.Optional.of(s.sessionId);
  }

  private void finish(Session session) {
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    synchronized (session) {
      session.entries.values().forEach(l -> l.forEach(e -> all.add(e.written())));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenRunAsync(() -> writePlaylists(session))
        .exceptionally(e -> {
          log.error("stream {}: recording {} failed: {}", session.manifestId, session.sessionId, e.toString());
          return null;
        });
  }

  private void writePlaylists(Session session) {
    Map<String, List<Entry>> written = new LinkedHashMap<>();
    int missing = 0;
    synchronized (session) {
      for (Map.Entry<String, List<Entry>> e : session.entries.entrySet()) {
        List<Entry> ok = new ArrayList<>();
        for (Entry entry : e.getValue()) {
          if (entry.written().join()) {
            ok.add(entry);
          } else {
            missing++;
          }
        }
        written.put(e.getKey(), ok);
      }
    }
    List<Entry> source = written.getOrDefault(HlsVariant.SOURCE_NAME, List.of());
    List<HlsVariant> playable = session.variants.stream().filter(v -> !written.get(v.name()).isEmpty()).toList();
    if (playable.isEmpty()) {
      String reason = missing == 0 ? "the session has no segments"
          : missing + " segments could not be written to " + queue.store().describe();
      log.warn("stream {}: recording {} not written: {}", session.manifestId, session.sessionId, reason);
      notify(() -> listener.recordingFailed(session.manifestId, session.sessionId, reason));
      return;
    }
    List<CompletableFuture<Void>> playlists = new ArrayList<>();
    for (HlsVariant v : playable) {
      playlists.add(queue.put(session.prefix() + v.name() + ".m3u8",
          mediaPlaylist(v.name(), written.get(v.name())).getBytes(StandardCharsets.UTF_8), M3U8));
    }
    long durationMillis = (source.isEmpty() ? written.get(playable.getFirst().name()) : source).stream()
        .mapToLong(Entry::durationMillis).sum();
    int segments = source.isEmpty() ? written.get(playable.getFirst().name()).size() : source.size();
    String masterKey = session.prefix() + MASTER;
    int missingSegments = missing;
    CompletableFuture.allOf(playlists.toArray(CompletableFuture[]::new))
        .thenCompose(v -> queue.put(masterKey, masterPlaylist(playable, written).getBytes(StandardCharsets.UTF_8),
            M3U8))
        .whenComplete((v, error) -> {
          if (error != null) {
            String reason = "its playlists could not be written to " + queue.store().describe() + ": "
                + (error.getCause() == null ? error : error.getCause()).getMessage();
            log.warn("stream {}: recording {} failed: {}", session.manifestId, session.sessionId, reason);
            notify(() -> listener.recordingFailed(session.manifestId, session.sessionId, reason));
            return;
          }
          Recording recording = new Recording(session.manifestId, session.sessionId, masterKey,
              baseUrl.get() + RecordingsRoute.PATH_PREFIX + masterKey, durationMillis / 1000.0, segments);
          if (missingSegments > 0) {
            log.warn("stream {}: recording {} is ready without {} segments the store did not take (gaps are marked"
                + " as discontinuities)", session.manifestId, session.sessionId, missingSegments);
          }
          log.info("stream {}: recording {} ready, {} s in {} segments: {}", session.manifestId,
              session.sessionId, String.format(Locale.ROOT, "%.1f", recording.durationSeconds()), segments,
              recording.url());
          notify(() -> listener.recordingReady(recording));
        });
  }

  /** A VOD media playlist of one rendition; segment URIs relative to it. */
  static String mediaPlaylist(String rendition, List<Entry> entries) {
    long maxMillis = entries.stream().mapToLong(Entry::durationMillis).max().orElse(1000);
    StringBuilder out = new StringBuilder(64 + entries.size() * 40);
    out.append("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    // RFC 8216 4.3.3.1: the rounded EXTINF of every segment must not exceed the target duration
    out.append("#EXT-X-TARGETDURATION:").append(Math.max(1, Math.round(maxMillis / 1000.0))).append('\n');
    out.append("#EXT-X-MEDIA-SEQUENCE:0\n");
    long previous = -1;
    for (Entry e : entries) {
      if (previous >= 0 && e.seq() != previous + 1) {
        out.append("#EXT-X-DISCONTINUITY\n"); // a segment is missing: players must not expect continuous timestamps
      }
      previous = e.seq();
      out.append("#EXTINF:").append(String.format(Locale.ROOT, "%d.%03d", e.durationMillis() / 1000,
          e.durationMillis() % 1000)).append(",\n");
      out.append(rendition).append('/').append(e.seq()).append(".ts\n");
    }
    out.append("#EXT-X-ENDLIST\n");
    return out.toString();
  }

  /** The master playlist: BANDWIDTH is the peak segment bit rate measured on what was recorded. */
  static String masterPlaylist(List<HlsVariant> variants, Map<String, List<Entry>> written) {
    StringBuilder out = new StringBuilder(256);
    out.append("#EXTM3U\n#EXT-X-VERSION:3\n");
    for (HlsVariant v : variants) {
      List<Entry> entries = written.get(v.name());
      long peak = 0;
      long bytes = 0;
      long millis = 0;
      for (Entry e : entries) {
        if (e.durationMillis() > 0) {
          peak = Math.max(peak, e.bytes() * 8_000L / e.durationMillis());
        }
        bytes += e.bytes();
        millis += e.durationMillis();
      }
      long average = millis > 0 ? bytes * 8_000L / millis : 0;
      out.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(peak > 0 ? peak : Math.max(1, v.bandwidthBps()));
      if (average > 0) {
        out.append(",AVERAGE-BANDWIDTH=").append(average);
      }
      if (v.width() > 0) {
        out.append(",RESOLUTION=").append(v.width()).append('x').append(v.height());
      }
      if (!v.codecs().isEmpty()) {
        out.append(",CODECS=\"").append(v.codecs()).append('"');
      }
      if (v.frameRate() > 0) {
        out.append(",FRAME-RATE=").append(String.format(Locale.ROOT, "%.3f", v.frameRate()));
      }
      out.append('\n').append(v.name()).append(".m3u8\n");
    }
    return out.toString();
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("a recording listener failed: {}", e.toString(), e);
    }
  }
}
