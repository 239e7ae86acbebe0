package io.jlivepeer.node.studio;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jlivepeer.ingest.IngestException;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.playback.Route;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcaster's app-developer platform (issue 11): streams with stream keys and playback ids, their sessions and
 * health, webhooks, all in SQLite in B's data dir ({@value StudioStore#FILE_NAME}) and served as JSON under
 * {@code /api/} (see docs/api.md).
 *
 * <p>Stream keys are enforced once any API key exists: a B whose operator never created a key keeps accepting any
 * RTMP name (as before the API existed, and as every flag-driven test and script expects), while an operator who
 * created a key has opted into the API and expects only its streams to publish. A known key of a deleted or
 * suspended stream is always refused.
 *
 * <p>Threads: {@link #admit} runs on the RTMP event loop and reads only memory. Stream events ({@link #started},
 * segments, {@link #ended}) come from each stream's worker thread; API requests from the HTTP server's virtual
 * threads. Streams are cached in memory (copy-on-write records) and written through to SQLite.
 *
 * <p>Why ~480 lines: this is where ingest, the outputs and the API meet. What stands alone lives beside it
 * ({@link LiveSessions} health, {@link PublicUrls}, {@link StudioStore}, {@link WebhookDispatcher},
 * {@link StudioApi}); what is left is the stream registry and the entry points that read or change it, which share
 * the copy-on-write maps and their lock and would only be harder to follow apart.
 */
public final class Studio implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Studio.class);
  /** Interval between reads of the key count, so a key made by `livepeer cli apikey` enforces keys without a call. */
  static final long KEY_REFRESH_MILLIS = 5_000;

  /** Where a publish goes: the manifest id its HLS is served under, and the stream's own ladder if it has one. */
  public record Admission(String manifestId, Optional<List<VideoProfile>> profiles) {}

  /** One orchestrator as the dashboard shows it. */
  public record OrchestratorSummary(String uri, String address, String pricePerPixel, double score, int sessions,
      boolean suspended) {}

  /** B's on-chain account; off chain: empty address, zeros, onChain false. */
  public record BroadcasterAccount(String address, String deposit, String reserve, boolean onChain) {
    public static final BroadcasterAccount OFF_CHAIN = new BroadcasterAccount("", "0", "0", false);
  }

  final ObjectMapper json = new ObjectMapper();
  final StudioStore store;
  final Clock clock;
  final WebhookDispatcher webhooks;
  private final Object streamsLock = new Object();
  private volatile Map<String, StreamRecord> byId = Map.of();
  private volatile Map<String, StreamRecord> byKey = Map.of();
  private volatile Map<String, StreamRecord> byPlayback = Map.of();
  private final LiveSessions live = new LiveSessions();
  private final Map<String, Boolean> dirtyStreams = new ConcurrentHashMap<>();
  /** How often segment counts are written to SQLite. */
  static final long FLUSH_MILLIS = 1_000;
  private volatile boolean enforced;
  private final java.util.concurrent.ScheduledExecutorService keyWatch;
  private volatile long keysCheckedAt;
  private final PublicUrls urls = new PublicUrls();
  private volatile Supplier<List<OrchestratorSummary>> orchestrators = List::of;
  private volatile Supplier<BroadcasterAccount> account = () -> BroadcasterAccount.OFF_CHAIN;
  private volatile BroadcasterAccount lastAccount = BroadcasterAccount.OFF_CHAIN;
  private volatile Function<String, Optional<String>> orchestratorOf = id -> Optional.of("local");
  private volatile BiConsumer<String, String> revoker = (key, reason) -> { };

  private Studio(StudioStore store, Clock clock, WebhookDispatcher.Retry retry) {
    this.store = store;
    this.clock = clock;
    int dangling = store.endDanglingSessions();
    if (dangling > 0) {
      log.info("stream API: {} session(s) were live when B last stopped; marked ended", dangling);
    }
    install(store.streams());
    this.enforced = store.keyCount() > 0;
    this.keysCheckedAt = clock.millis();
    this.webhooks = new WebhookDispatcher(store, clock, retry, json);
    this.keyWatch = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("studio-keys").daemon(true).factory());
    keyWatch.scheduleWithFixedDelay(() -> {
      try {
        refreshKeys();
      } catch (RuntimeException e) {
        log.warn("stream API: cannot read the API keys ({}); stream key enforcement unchanged", e.getMessage());
      }
    }, KEY_REFRESH_MILLIS, KEY_REFRESH_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    keyWatch.scheduleWithFixedDelay(() -> {
      try {
        flush();
      } catch (RuntimeException e) {
        log.warn("stream API: cannot save segment counts ({}); retrying", e.getMessage());
      }
    }, FLUSH_MILLIS, FLUSH_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Opens (creating if needed) the API's database in {@code dataDir}. */
  public static Studio open(Path dataDir) {
    return open(dataDir, Clock.systemUTC(), WebhookDispatcher.Retry.DEFAULTS);
  }

  static Studio open(Path dataDir, Clock clock, WebhookDispatcher.Retry retry) {
    StudioStore store = StudioStore.open(dataDir);
    try {
      return new Studio(store, clock, retry);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  // ---- wiring

  /** The addresses B listens on, for the ingest and playback URLs in stream objects and webhooks. */
  public void bind(InetSocketAddress rtmp, InetSocketAddress http) {
    urls.bind(rtmp, http);
  }

  public void orchestrators(Supplier<List<OrchestratorSummary>> source) {
    this.orchestrators = source;
  }

  public void account(Supplier<BroadcasterAccount> source) {
    this.account = source;
  }

  /**
   * How a live publish is cut when its stream is deleted or suspended through the API: called with the stream key
   * (the RTMP name it publishes under) and the reason the publisher is told.
   */
  public void onRevoke(BiConsumer<String, String> revoker) {
    this.revoker = revoker;
  }

  /** Which orchestrator transcodes a manifest id now (or "local"). */
  public void orchestratorOf(Function<String, Optional<String>> source) {
    this.orchestratorOf = source;
  }

  /** The {@code /api/} route for B's HTTP server. */
  public Route route() {
    return new StudioApi(this).route();
  }

  /** Creates an API key in this B's database (the demo; operators use `livepeer cli apikey`). */
  public String createApiKey(String name) {
    String key = ApiKeys.create(store, name, clock);
    enforced = true;
    return key;
  }

  /** True once any API key exists: publishes must then use a stream key. */
  public boolean enforced() {
    return enforced;
  }

  // ---- ingest (event loop: memory only)

  /**
   * Maps an RTMP publish name to where it goes, or throws {@link IngestException} with the reason the publisher
   * is told. Never blocks.
   */
  public Admission admit(String name) {
    StreamRecord s = byKey.get(name);
    if (s != null) {
      if (s.deleted()) {
        throw new IngestException("this stream key belongs to a deleted stream; create a new stream");
      }
      if (s.suspended()) {
        throw new IngestException("stream '" + s.name() + "' is suspended; PATCH it with suspended=false first");
      }
      return new Admission(s.playbackId(), s.ladder());
    }
    if (enforced) {
      throw new IngestException("unknown stream key; create a stream (POST /api/stream) and publish to"
          + " rtmp://<host>:<port>/live/<streamKey>");
    }
    return new Admission(name, Optional.empty());
  }

  /** The ladder of the API stream served under {@code manifestId}, when it has its own. */
  public Optional<List<VideoProfile>> ladder(String manifestId) {
    StreamRecord s = byPlayback.get(manifestId);
    return s == null ? Optional.empty() : s.ladder();
  }

  /** The recorder's predicate: an API stream is recorded when its {@code record} flag is set. */
  public boolean recorded(String manifestId) {
    StreamRecord s = byPlayback.get(manifestId);
    return s != null && s.record() && !s.deleted();
  }

  /** True when {@code manifestId} is an API stream's playback id. */
  public boolean isApiStream(String manifestId) {
    return byPlayback.containsKey(manifestId);
  }

  /** The session now live for a manifest id (the recorder may name its recording after it). */
  public Optional<String> currentSession(String manifestId) {
    return live.activeId(manifestId);
  }


  // ---- stream events (each stream's worker thread)

  /** A publish's first segment is here: a new session, and stream.started. */
  public void started(String manifestId) {
    StreamRecord s = byPlayback.get(manifestId);
    if (s == null) {
      return;
    }
    long now = clock.millis();
    SessionRecord session = new SessionRecord(UUID.randomUUID().toString(), s.id(), now, now, true, s.record(),
        s.record() ? "waiting" : "none", Optional.empty(), 0, 0, 0);
    store.saveSession(session);
    live.open(manifestId, session);
    StreamRecord seen = updateStream(s.id(), r -> r.seen(now, r.totals()));
    ObjectNode payload = json.createObjectNode().put("sessionId", session.id());
    webhooks.publish("stream.started", StudioJson.stream(this, seen, Optional.empty()), payload);
    log.info("stream API: stream {} ({}) is live, session {}", s.name(), s.id(), session.id());
  }

  public void sourceSegment(String manifestId, long seq, long durationMillis, long bytes) {
    segment(manifestId, seq, durationMillis, bytes, false);
  }

  public void transcoded(String manifestId, long seq, long durationMillis, long bytes) {
    segment(manifestId, seq, durationMillis, bytes, true);
  }

  public void failed(String manifestId, long seq) {
    live.failed(manifestId, seq);
  }


  private void segment(String manifestId, long seq, long durationMillis, long bytes, boolean transcoded) {
    StreamRecord s = byPlayback.get(manifestId);
    long now = clock.millis();
    // counts are flushed in batches (flush()): an fsync per segment would slow the stream's worker on a busy disk
    if (s == null || !live.segment(manifestId, seq, durationMillis, transcoded, now)) {
      return;
    }
    updateStreamInMemory(s.id(), r -> r.seen(now, transcoded ? r.totals().plusTranscoded(durationMillis, bytes)
        : r.totals().plusSource(durationMillis, bytes)));
  }


  /** Writes the segment counts gathered since the last flush, in one transaction. */
  void flush() {
    List<StreamRecord> streams = new java.util.ArrayList<>();
    for (String id : List.copyOf(dirtyStreams.keySet())) {
      dirtyStreams.remove(id);
      StreamRecord r = byId.get(id);
      if (r != null) {
        streams.add(r);
      }
    }
    List<SessionRecord> sessions = live.takeDirty();
    if (!streams.isEmpty() || !sessions.isEmpty()) {
      store.saveAll(streams, sessions);
    }
  }

  /** The publish ended and its segments are done: the session ends, stream.idle. */
  public void ended(String manifestId) {
    StreamRecord s = byPlayback.get(manifestId);
    Optional<SessionRecord> ended = s == null ? Optional.empty() : live.end(manifestId, clock.millis());
    if (ended.isEmpty()) {
      return;
    }
    SessionRecord session = ended.get();
    flush();
    store.saveSession(session);
    StreamRecord current = byId.get(s.id());
    ObjectNode payload = json.createObjectNode().put("sessionId", session.id());
    webhooks.publish("stream.idle", StudioJson.stream(this, current, Optional.empty()), payload);
    log.info("stream API: stream {} ({}) is idle, session {} had {} source segments", s.name(), s.id(), session.id(),
        session.sourceSegments());
  }

  /**
   * The recorder wrote a session as VOD: the session's recording is ready and recording.ready goes out.
   * {@code sessionId} is the recorder's; when it is not one of ours, the stream's latest waiting session gets it.
   */
  public void recordingReady(String manifestId, String sessionId, String url, double durationSeconds, int segments) {
    recordingDone(manifestId, sessionId, Optional.of(url), durationSeconds, segments);
  }

  /** The recorder could not write a session: its recordingStatus becomes failed. */
  public void recordingFailed(String manifestId, String sessionId) {
    recordingDone(manifestId, sessionId, Optional.empty(), 0, 0);
  }

  private void recordingDone(String manifestId, String sessionId, Optional<String> url, double seconds, int segments) {
    StreamRecord s = byPlayback.get(manifestId);
    if (s == null) {
      return;
    }
    Optional<SessionRecord> session = store.session(sessionId).filter(x -> x.streamId().equals(s.id()))
        .or(() -> store.sessions(s.id()).stream().filter(x -> x.recordingStatus().equals("waiting")).findFirst());
    if (session.isEmpty()) {
      log.warn("stream API: a recording of stream {} arrived for unknown session {}", s.id(), sessionId);
      return;
    }
    String bUrl = httpBase(Optional.empty()) + "/recordings/" + s.playbackId() + "/" + sessionId + "/index.m3u8";
    SessionRecord updated = session.get().recording(url.isPresent() ? "ready" : "failed",
        url.map(u -> bUrl));
    store.saveSession(updated);
    live.recording(manifestId, updated);
    if (url.isPresent()) {
      ObjectNode payload = json.createObjectNode().put("sessionId", updated.id()).put("recordingUrl", bUrl)
          .put("objectStoreUrl", url.get()).put("durationSeconds", seconds).put("segments", segments);
      webhooks.publish("recording.ready", StudioJson.stream(this, byId.get(s.id()), Optional.empty()), payload);
    }
  }

  // ---- for the API

  List<StreamRecord> streams() {
    return byId.values().stream().filter(s -> !s.deleted())
        .sorted(java.util.Comparator.comparingLong(StreamRecord::createdAt).thenComparing(StreamRecord::id)).toList();
  }

  Optional<StreamRecord> stream(String id) {
    return Optional.ofNullable(byId.get(id)).filter(s -> !s.deleted());
  }

  Optional<StreamRecord> byPlaybackId(String playbackId) {
    return Optional.ofNullable(byPlayback.get(playbackId)).filter(s -> !s.deleted());
  }

  StreamRecord create(String name, boolean record, List<VideoProfile> profiles) {
    StreamRecord s = new StreamRecord(UUID.randomUUID().toString(), name, clock.millis(), 0, record, false, false,
        PublicUrls.streamKey(byKey::containsKey), PublicUrls.playbackId(byPlayback::containsKey), profiles,
        StreamRecord.Totals.ZERO);
    synchronized (streamsLock) {
      store.saveStream(s);
      Map<String, StreamRecord> m = new HashMap<>(byId);
      m.put(s.id(), s);
      install(List.copyOf(m.values()));
    }
    log.info("stream API: created stream {} ({})", s.name(), s.id());
    return s;
  }

  private void updateStreamInMemory(String id, java.util.function.UnaryOperator<StreamRecord> change) {
    synchronized (streamsLock) {
      StreamRecord old = byId.get(id);
      if (old == null) {
        return;
      }
      Map<String, StreamRecord> m = new HashMap<>(byId);
      m.put(id, change.apply(old));
      install(List.copyOf(m.values()));
      dirtyStreams.put(id, Boolean.TRUE);
    }
  }

  StreamRecord updateStream(String id, java.util.function.UnaryOperator<StreamRecord> change) {
    StreamRecord old;
    StreamRecord updated;
    synchronized (streamsLock) {
      old = byId.get(id);
      if (old == null) {
        throw new StudioException("no stream " + id);
      }
      updated = change.apply(old);
      store.saveStream(updated);
      Map<String, StreamRecord> m = new HashMap<>(byId);
      m.put(id, updated);
      install(List.copyOf(m.values()));
    }
    // a live publish of a stream that may no longer publish ends now, not when its publisher stops
    if (!old.deleted() && updated.deleted()) {
      revoker.accept(updated.streamKey(), "stream '" + updated.name() + "' was deleted through the API");
    } else if (!old.suspended() && updated.suspended()) {
      revoker.accept(updated.streamKey(), "stream '" + updated.name() + "' was suspended through the API");
    }
    return updated;
  }


  LiveSessions.Health health(String playbackId) {
    return live.health(playbackId);
  }

  boolean isActive(StreamRecord s) {
    return live.active(s.playbackId());
  }

  /** The stored sessions, the one B holds in memory in its latest state. */
  List<SessionRecord> sessions(StreamRecord s) {
    List<SessionRecord> stored = store.sessions(s.id());
    Optional<SessionRecord> current = live.current(s.playbackId());
    return current.isEmpty() ? stored
        : stored.stream().map(x -> x.id().equals(current.get().id()) ? current.get() : x).toList();
  }

  Optional<String> orchestratorOf(String manifestId) {
    return orchestratorOf.apply(manifestId);
  }

  List<OrchestratorSummary> orchestrators() {
    return orchestrators.get();
  }

  /** The chain may be slow or down: then the last figures read (or zeros, marked on chain) rather than an error. */
  BroadcasterAccount account() {
    try {
      BroadcasterAccount a = account.get();
      lastAccount = a;
      return a;
    } catch (RuntimeException e) {
      log.warn("stream API: cannot read the broadcaster's deposit and reserve from the chain: {}", e.getMessage());
      return lastAccount.onChain() ? lastAccount : new BroadcasterAccount("", "0", "0", true);
    }
  }

  /** Checks a bearer key against the stored hashes (and notices keys made by another process). */
  boolean authorized(String key) {
    boolean ok = !key.isEmpty() && store.hasKey(ApiKeys.hash(key));
    long now = clock.millis();
    if (ok) {
      enforced = true;
    } else if (now - keysCheckedAt > KEY_REFRESH_MILLIS) {
      enforced = store.keyCount() > 0;
      keysCheckedAt = now;
    }
    return ok;
  }

  /** Re-reads whether any key exists (a key made by `livepeer cli apikey` while B runs). */
  public void refreshKeys() {
    enforced = enforced || store.keyCount() > 0; // keys are never removed
    keysCheckedAt = clock.millis();
  }

  String httpBase(Optional<String> hostHeader) {
    return urls.httpBase(hostHeader);
  }

  String ingestUrl(Optional<String> hostHeader) {
    return urls.ingestUrl(hostHeader);
  }

  private void install(List<StreamRecord> all) {
    Map<String, StreamRecord> id = new HashMap<>();
    Map<String, StreamRecord> key = new HashMap<>();
    Map<String, StreamRecord> pb = new HashMap<>();
    for (StreamRecord s : all) {
      id.put(s.id(), s);
      key.put(s.streamKey(), s);
      pb.put(s.playbackId(), s);
    }
    byId = Map.copyOf(id);
    byKey = Map.copyOf(key);
    byPlayback = Map.copyOf(pb);
  }

  @Override
  public void close() {
    keyWatch.shutdownNow();
    try {
      keyWatch.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      flush();
    } catch (RuntimeException e) {
      log.warn("stream API: the last segment counts could not be saved: {}", e.getMessage());
    }
    webhooks.close();
    store.close();
  }
}
