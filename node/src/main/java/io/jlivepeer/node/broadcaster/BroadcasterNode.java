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
import io.jlivepeer.node.Counters;
import io.jlivepeer.node.MetricsServer;
import io.jlivepeer.node.NodeStats;
import io.jlivepeer.node.store.ObjectStoreStack;
import io.jlivepeer.node.store.StoreSetup;
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
  private final ObjectStoreStack objectStores;
  private final HttpServer http;
  private final RtmpServer rtmp;
  private final BroadcasterMetrics metrics;

  private BroadcasterNode(BroadcasterConfig config, Transcoder transcoder, StoreSetup stores) {
    this.config = config;
    this.transcoder = transcoder;
    this.store = DiskSegmentStore.open(config.dataDir());
    this.hls = new HlsStreams(HlsConfig.withWindow(config.playlistWindow()), store);
    // -objectStore / -recordObjectStore: a bad URL fails the start here, before any server is up
    this.objectStores = ObjectStoreStack.open(stores, hls, () -> baseUrl());
    this.output = objectStores.any()
        ? new StoreOutput(new HlsOutput(hls, config.profiles()), hls, objectStores.mirror(), objectStores.recorder())
        : new HlsOutput(hls, config.profiles());
    this.metrics = new BroadcasterMetrics(counters, transcoder instanceof RemoteTranscoder r ? Optional.of(r)
        : Optional.empty());
    HttpServer httpServer = null;
    try {
      HttpPushHandler push = new HttpPushHandler(HttpPushConfig.defaults(), this::onPushedSegment);
      List<Route> routes = new java.util.ArrayList<>(List.of(new HlsHttpHandler(hls).route(),
          Route.of(HttpPushHandler.PATH_PREFIX, push, HttpMethod.POST, HttpMethod.PUT),
          MetricsServer.route(metrics::render)));
      routes.addAll(objectStores.routes());
      if (transcoder instanceof RemoteTranscoder r) {
        // the faults verification found in orchestrators' results, with their evidence (also `livepeer cli faults`)
        routes.add(MetricsServer.textRoute("/faults", "application/json", r.verification().faults()::json));
      }
      httpServer = HttpServer.start(
          HttpServerConfig.defaults(config.httpAddr().getHostString(), config.httpAddr().getPort()), routes);
      this.http = httpServer;
      this.rtmp = RtmpServer.start(
          RtmpConfig.defaults().withBindAddress(config.rtmpAddr()).withMaxStreams(config.maxSessions()),
          this::onPublish);
    } catch (RuntimeException e) {
      if (httpServer != null) {
        httpServer.close();
      }
      objectStores.close();
      store.close();
      throw e;
    }
  }

  /** Starts the node's servers; the caller owns the transcoder's lifetime. */
  public static BroadcasterNode start(BroadcasterConfig config, Transcoder transcoder) {
    return start(config, transcoder, StoreSetup.none());
  }

  /**
   * Starts the node writing to object stores too ({@code -objectStore}, {@code -recordObjectStore}).
   *
   * @throws io.jlivepeer.node.store.ObjectStoreException for a malformed store URL
   */
  public static BroadcasterNode start(BroadcasterConfig config, Transcoder transcoder, StoreSetup stores) {
    BroadcasterNode node = new BroadcasterNode(config, transcoder, stores);
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
    return metrics.render();
  }

  public NodeStats stats() {
    return counters.snapshot();
  }

  /** True while any stream still has segments waiting for or in the transcoder. */
  public boolean busy() {
    return streams.values().stream().anyMatch(LiveStream::busy);
  }

  private Optional<StreamSink> onPublish(PublishRequest request) {
    LiveStream stream = stream(request.manifestId());
    counters.liveStreams.incrementAndGet();
    log.info("stream {}: publish from {}", request.manifestId(), request.remoteAddress());
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
    return streams.computeIfAbsent(manifestId, id -> new LiveStream(id, transcoder, config.profiles(), output,
        counters, config.maxQueuedSegments()));
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
    store.close();
  }
}
