package io.jlivepeer.node.broadcaster;

import io.jlivepeer.ingest.HttpPushConfig;
import io.jlivepeer.ingest.HttpPushHandler;
import io.jlivepeer.ingest.HttpPushSegment;
import io.jlivepeer.ingest.PublishRequest;
import io.jlivepeer.ingest.RtmpConfig;
import io.jlivepeer.ingest.RtmpServer;
import io.jlivepeer.ingest.StreamSink;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.SegmenterConfig;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.studio.Studio;
import io.jlivepeer.node.Counters;
import io.jlivepeer.node.MetricsServer;
import io.jlivepeer.node.NodeStats;
import io.jlivepeer.node.dashboard.DashboardRoute;
import io.jlivepeer.node.store.ObjectStoreStack;
import io.jlivepeer.node.store.Recording;
import io.jlivepeer.node.store.RecordingListener;
import io.jlivepeer.node.store.StoreSetup;
import io.jlivepeer.p2p.SwarmOrigin;
import io.jlivepeer.playback.DiskSegmentStore;
import io.jlivepeer.playback.HlsConfig;
import io.jlivepeer.playback.HlsHttpHandler;
import io.jlivepeer.playback.HlsStreams;
import io.jlivepeer.playback.HttpServer;
import io.jlivepeer.playback.HttpServerConfig;
import io.jlivepeer.playback.Route;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broadcaster: RTMP and HTTP-push ingest, a per-stream transcode queue, HLS out. The transcoder is local (a media
 * FfmpegTranscoder) or the network ({@link RemoteTranscoder} over orchestrators, {@code -orchAddr}).
 */
public final class BroadcasterNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BroadcasterNode.class);

  private static final long SHUTDOWN_WAIT_MILLIS = 10_000;

  private final BroadcasterConfig config;
  private final Transcoder transcoder;
  private final Counters counters = new Counters();
  private final Map<String, LiveStream> streams = new ConcurrentHashMap<>();
  private final Map<String, Boolean> pushStarted = new ConcurrentHashMap<>();
  private final DiskSegmentStore store;
  private final HlsStreams hls;
  private final SegmentOutput output;
  private final Studio studio;
  private final ObjectStoreStack objectStores;
  private final HttpServer http;
  private final RtmpServer rtmp;
  private final BroadcasterMetrics metrics;
  private final Optional<SwarmOrigin> swarm;

  private BroadcasterNode(BroadcasterConfig config, Transcoder transcoder, StoreSetup stores,
      Optional<SwarmOrigin> swarm) {
    this.config = config;
    this.transcoder = transcoder;
    this.store = DiskSegmentStore.open(config.dataDir());
    this.hls = new HlsStreams(HlsConfig.withWindow(config.playlistWindow()), store);
    this.swarm = swarm;
    try {
      this.studio = Studio.open(config.dataDir());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    try {
      // -objectStore / -recordObjectStore: a bad URL fails the start here, before any server is up
      this.objectStores = ObjectStoreStack.open(withStudio(stores, studio), hls, () -> baseUrl());
    } catch (RuntimeException e) {
      studio.close();
      store.close();
      throw e;
    }
    // HLS, then the stream API's bookkeeping (it opens the session a recording is named after), then the stores
    SegmentOutput live = new StudioOutput(
        new HlsOutput(hls, id -> studio.ladder(id).orElse(config.profiles()), swarm), studio);
    this.output = objectStores.any()
        ? new StoreOutput(live, hls, objectStores.mirror(), objectStores.recorder())
        : live;
    this.metrics = new BroadcasterMetrics(counters, transcoder instanceof RemoteTranscoder r ? Optional.of(r)
        : Optional.empty());
    HttpServer httpServer = null;
    try {
      HttpPushHandler push = new HttpPushHandler(HttpPushConfig.defaults(), this::onPushedSegment);
      List<Route> routes = new java.util.ArrayList<>(List.of(new HlsHttpHandler(hls).route(),
          Route.of(HttpPushHandler.PATH_PREFIX, push, HttpMethod.POST, HttpMethod.PUT),
          MetricsServer.route(this::metricsText), studio.route(), DashboardRoute.route()));
      swarm.ifPresent(s -> routes.add(s.route())); // the swarm's tracker: GET /p2p/<stream>
      routes.addAll(objectStores.routes());
      if (transcoder instanceof RemoteTranscoder r) {
        // the faults verification found in orchestrators' results, with their evidence (also `livepeer cli faults`)
        routes.add(MetricsServer.textRoute("/faults", "application/json", r.verification().faults()::json));
      }
      if (transcoder instanceof RemoteTranscoder r) {
        studio.orchestrators(r.pool()::summaries);
        studio.orchestratorOf(r::orchestratorOf);
      }
      httpServer = HttpServer.start(
          HttpServerConfig.defaults(config.httpAddr().getHostString(), config.httpAddr().getPort()), routes);
      this.http = httpServer;
      this.rtmp = RtmpServer.start(
          RtmpConfig.defaults().withBindAddress(config.rtmpAddr()).withMaxStreams(config.maxSessions()),
          this::onPublish);
      studio.bind(rtmp.localAddress(), http.address());
      RtmpServer ingest = rtmp;
      studio.onRevoke((streamKey, reason) -> {
        if (ingest.endPublish(streamKey, reason)) {
          log.info("stream API: ended the live publish of a stream: {}", reason);
        }
      });
    } catch (RuntimeException e) {
      if (httpServer != null) {
        httpServer.close();
      }
      swarm.ifPresent(SwarmOrigin::close);
      objectStores.close();
      studio.close();
      store.close();
      throw e;
    }
  }

  /** Starts the node's servers; the caller owns the transcoder's lifetime. */
  public static BroadcasterNode start(BroadcasterConfig config, Transcoder transcoder) {
    return start(config, transcoder, StoreSetup.none(), Optional.empty());
  }

  /**
   * Starts the node writing to object stores too ({@code -objectStore}, {@code -recordObjectStore}).
   *
   * @throws io.jlivepeer.node.store.ObjectStoreException for a malformed store URL
   */
  public static BroadcasterNode start(BroadcasterConfig config, Transcoder transcoder, StoreSetup stores) {
    return start(config, transcoder, stores, Optional.empty());
  }

  /**
   * With object stores and, with {@code swarm}, delivery of every stream to viewers' peers over PPSPP
   * (docs/p2p.md); B closes the swarm.
   */
  public static BroadcasterNode start(BroadcasterConfig config, Transcoder transcoder, StoreSetup stores,
      Optional<SwarmOrigin> swarm) {
    BroadcasterNode node = new BroadcasterNode(config, transcoder, stores, swarm);
    log.info("broadcaster up: RTMP on {}, HLS/HTTP on {}, ladder {}", node.rtmpAddress(), node.httpAddress(),
        config.profiles().stream().map(p -> p.name()).toList());
    return node;
  }

  public InetSocketAddress rtmpAddress() {
    return rtmp.localAddress();
  }

  public InetSocketAddress httpAddress() {
    return http.address();
  }

  /**
   * The stream API decides what is recorded and hears of recordings: an API stream is recorded when its
   * {@code record} flag is set, and its recording is named after its session; other streams (a B without API keys)
   * follow the caller's setup. recording.ready and the session's recordingStatus come from here.
   */
  private static StoreSetup withStudio(StoreSetup stores, Studio studio) {
    RecordingListener caller = stores.listener();
    RecordingListener listener = new RecordingListener() {
      @Override
      public void recordingReady(Recording r) {
        studio.recordingReady(r.manifestId(), r.sessionId(), r.url(), r.durationSeconds(), r.segments());
        caller.recordingReady(r);
      }

      @Override
      public void recordingStarted(String manifestId, String sessionId) {
        caller.recordingStarted(manifestId, sessionId);
      }

      @Override
      public void recordingFailed(String manifestId, String sessionId, String reason) {
        studio.recordingFailed(manifestId, sessionId);
        caller.recordingFailed(manifestId, sessionId, reason);
      }
    };
    return stores.withListener(listener)
        .withRecordWhen(id -> studio.isApiStream(id) ? studio.recorded(id)
            : !studio.enforced() && stores.recordWhen().test(id))
        .withSessionIds(id -> studio.currentSession(id).orElseGet(() -> stores.sessionIds().apply(id)));
  }

  /** {@code http://host:port} of the HTTP port, for URLs handed out (a wildcard bind is named as loopback). */
  String baseUrl() {
    InetSocketAddress a = http.address();
    String host = a.getAddress() == null || a.getAddress().isAnyLocalAddress() ? "127.0.0.1"
        : a.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** The object stores this node writes to ({@code -objectStore}, {@code -recordObjectStore}). */
  public ObjectStoreStack objectStores() {
    return objectStores;
  }

  /** The {@code GET /metrics} text (Prometheus exposition format 0.0.4). */
  public String metricsText() {
    if (swarm.isEmpty()) {
      return metrics.render();
    }
    StringBuilder out = new StringBuilder(metrics.render());
    swarm.get().renderMetrics(out);
    return out.toString();
  }

  /** The stream API (streams, sessions, webhooks; docs/api.md). */
  public Studio studio() {
    return studio;
  }

  public NodeStats stats() {
    return counters.snapshot();
  }

  /** True while any stream still has segments waiting for or in the transcoder. */
  public boolean busy() {
    return streams.values().stream().anyMatch(LiveStream::busy);
  }

  private Optional<StreamSink> onPublish(PublishRequest request) {
    // an API stream key maps to its playback id; refused (IngestException) for a deleted, suspended or, once keys
    // are enforced, unknown key
    Studio.Admission admission = studio.admit(request.manifestId());
    LiveStream stream = stream(admission.manifestId(), admission.profiles().orElse(config.profiles()));
    counters.liveStreams.incrementAndGet();
    log.info("stream {}: publish from {}", admission.manifestId(), request.remoteAddress());
    SegmenterConfig segmenter = SegmenterConfig.defaults().withTargetDurationMillis(config.segmentDuration().toMillis());
    return Optional.of(new RtmpPublishAdapter(stream, segmenter, counters.liveStreams::decrementAndGet));
  }

  private CompletableFuture<List<Rendition>> onPushedSegment(HttpPushSegment pushed) {
    LiveStream stream = stream(pushed.manifestId());
    if (pushStarted.putIfAbsent(pushed.manifestId(), Boolean.TRUE) == null) {
      stream.start(new SourceInfo(pushed.width(), pushed.height(), 0, SourceInfo.UNKNOWN_BANDWIDTH_BPS, ""));
    }
    return stream.submit(pushed.segment(), false).thenApply(r -> r.renditions());
  }

  private LiveStream stream(String manifestId) {
    return stream(manifestId, studio.ladder(manifestId).orElse(config.profiles()));
  }

  /** The stream's queue; an idle one whose ladder changed (PATCH profiles) is replaced by one with the new ladder. */
  private LiveStream stream(String manifestId, List<VideoProfile> profiles) {
    return streams.compute(manifestId, (id, old) -> old != null && (old.profiles().equals(profiles) || old.busy())
        ? old : new LiveStream(id, transcoder, profiles, output, counters, config.maxQueuedSegments()));
  }

  /** Stops ingest, lets each stream's segment in the transcoder finish (a few seconds at most), then stops serving. */
  @Override
  public void close() {
    rtmp.close(); // publishers get onClose: their streams end
    try {
      for (LiveStream s : streams.values()) {
        s.shutDown(SHUTDOWN_WAIT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    objectStores.close(); // waits a few seconds for uploads still queued
    http.close();
    swarm.ifPresent(SwarmOrigin::close);
    studio.close();
    store.close();
  }
}
