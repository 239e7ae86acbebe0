package io.jlivepeer.p2p;

import io.jlivepeer.playback.HttpServer;
import io.jlivepeer.playback.HttpServerConfig;
import io.jlivepeer.playback.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A viewer's swarm peer: joins a stream's swarm through B's tracker, fetches chunks from peers (B only as seed of
 * last resort), re-serves them, and serves the stream as HLS on {@code /stream/<id>.m3u8}: the master playlist as
 * B serves it, media playlists listing the segments assembled here from verified chunks.
 *
 * <p>Threads: the engine thread (socket, swarm state, segment assembly), one tracker thread (polls B each second),
 * the HTTP server's (reads assembled segments from concurrent maps).
 */
public final class PeerNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerNode.class);
  static final long TRACKER_POLL_MILLIS = 1000;
  /** Segments per rendition kept and listed in the local media playlists. */
  static final int PLAYLIST_WINDOW = 10;
  static final int KEPT_SEGMENTS = 30;

  private final PeerConfig config;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final SwarmMetrics metrics = new SwarmMetrics();
  /** When the stream was found live on the tracker and the engine started: startup time counts from here. */
  private volatile long joinedNanos = System.nanoTime();
  private final AtomicLong startupMillis = new AtomicLong(-1);
  private final AtomicLong segmentsAssembled = new AtomicLong();
  private final AtomicLong trackerFailures = new AtomicLong();
  private final AtomicReference<String> master = new AtomicReference<>();
  /** firstChunk to segment, for every segment the tracker listed (engine thread reads, tracker thread writes). */
  private final ConcurrentSkipListMap<Integer, SwarmManifest.Segment> segmentsByChunk = new ConcurrentSkipListMap<>();
  /** rendition to (sequence to assembled bytes). */
  private final Map<String, ConcurrentSkipListMap<Long, Assembled>> assembled = new ConcurrentHashMap<>();
  private volatile SwarmEngine engine;
  private final HttpServer server;
  private final Thread tracker;
  private volatile boolean running = true;

  record Assembled(long durationMillis, byte[] data) {}

  private PeerNode(PeerConfig config) {
    this.config = config;
    // the HTTP side first (answers 404 until joined): its start-up cost is paid while the stream is not live yet
    this.server = HttpServer.start(HttpServerConfig.defaults(config.httpAddr().getHostString(),
        config.httpAddr().getPort()), List.of(Route.of("/stream/", this::hls, HttpMethod.GET),
        Route.of("/metrics", r -> done(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
            metricsText().getBytes(StandardCharsets.UTF_8)), HttpMethod.GET)));
    this.tracker = new Thread(this::pollTracker, "p2p-tracker");
    tracker.setDaemon(true);
  }

  /**
   * Starts the local HTTP server, then joins: asks B's tracker until the stream is live there (each 500 ms, up to
   * {@code joinTimeout}), then starts the engine. {@code waiting} runs once the HTTP server is up, before joining.
   */
  public static PeerNode start(PeerConfig config, Duration joinTimeout, Runnable waiting) {
    PeerNode node = new PeerNode(config);
    try {
      waiting.run();
      node.join(joinTimeout);
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  public static PeerNode start(PeerConfig config, Duration joinTimeout) {
    return start(config, joinTimeout, () -> { });
  }

  private void join(Duration joinTimeout) {
    long deadline = System.nanoTime() + joinTimeout.toNanos();
    String lastError = "";
    while (true) {
      try {
        // the UDP port is not known yet: register on the next poll, from the engine's socket
        SwarmManifest m = fetchManifest(http, config, Optional.empty());
        if (!m.segments().isEmpty()) {
          joinedNanos = System.nanoTime();
          engine = SwarmEngine.start(SwarmConfig.peer(config.udpAddr()), SwarmEngine.Role.PEER, m.swarmId(),
              metrics, Optional.of(m.seed()), this::onChunk);
          engine.interestFrom(joinChunk(m.segments()));
          apply(m);
          tracker.start();
          return;
        }
        lastError = "the stream has no segments yet";
      } catch (P2pException e) {
        lastError = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        throw new P2pException("could not join the swarm of " + config.swarm() + " within " + joinTimeout + ": "
            + lastError);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new P2pException("interrupted while joining " + config.swarm());
      }
    }
  }

  /**
   * Where a joining peer starts: the live edge, i.e. the first chunk of the newest sequence in every rendition
   * listed. B publishes a sequence's renditions one after another (the source first, the transcoded ones when they
   * come back), so the newest segment by chunk alone may be a rendition of that sequence, and starting there
   * would skip the renditions of the same sequence published just before it.
   */
  static int joinChunk(List<SwarmManifest.Segment> segments) {
    long newest = segments.stream().mapToLong(SwarmManifest.Segment::sequence).max().orElseThrow();
    return segments.stream().filter(s -> s.sequence() == newest).mapToInt(SwarmManifest.Segment::firstChunk).min()
        .orElseThrow();
  }

  public InetSocketAddress httpAddress() {
    return server.address();
  }

  public InetSocketAddress udpAddress() {
    return engine.localAddress();
  }

  public SwarmMetrics metrics() {
    return metrics;
  }

  /** Milliseconds from joining (stream found live) to the first segment assembled, or -1 while none is. */
  public long startupMillis() {
    return startupMillis.get();
  }

  /** The assembled bytes of one segment, if this peer has it. */
  public Optional<byte[]> segment(String rendition, long sequence) {
    return Optional.ofNullable(assembled.get(rendition)).map(m -> m.get(sequence)).map(Assembled::data);
  }

  private static SwarmManifest fetchManifest(HttpClient client, PeerConfig config, Optional<InetSocketAddress> udp) {
    String url = config.origin() + SwarmOrigin.PATH_PREFIX + config.streamId()
        + udp.map(a -> "?udp=" + SwarmManifest.hostPort(a)).orElse("");
    try {
      HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
          .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new P2pException("tracker " + url + " answered " + r.statusCode() + ": "
            + new String(r.body(), StandardCharsets.UTF_8).strip());
      }
      return SwarmManifest.parse(r.body());
    } catch (IOException e) {
      throw new P2pException("tracker " + url + " unreachable (" + e.getClass().getSimpleName() + "): is the broadcaster up with -p2pAddr?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new P2pException("interrupted", e);
    }
  }

  private void pollTracker() {
    while (running) {
      try {
        apply(fetchManifest(http, config, Optional.of(engine.localAddress())));
        if (master.get() == null) {
          fetchMaster();
        }
      } catch (P2pException e) {
        if (trackerFailures.getAndIncrement() % 10 == 0) {
          log.warn("{} (the swarm keeps going; retrying each second)", e.getMessage());
        }
      }
      try {
        Thread.sleep(TRACKER_POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void fetchMaster() {
    String url = config.origin() + "/stream/" + config.streamId() + ".m3u8";
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        master.set(r.body());
      }
    } catch (IOException e) {
      log.debug("master playlist {}: {}", url, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void apply(SwarmManifest m) {
    List<SwarmManifest.Segment> fresh = new ArrayList<>();
    for (SwarmManifest.Segment s : m.segments()) {
      if (segmentsByChunk.putIfAbsent(s.firstChunk(), s) == null) {
        fresh.add(s);
      }
    }
    while (segmentsByChunk.size() > 4 * SwarmOrigin.MANIFEST_SEGMENTS) {
      segmentsByChunk.pollFirstEntry();
    }
    engine.connect(m.seed());
    for (InetSocketAddress p : m.peers()) {
      engine.connect(p);
    }
    if (!fresh.isEmpty()) {
      // chunks of these may have arrived before the tracker listed them
      engine.execute(() -> fresh.forEach(s -> tryAssemble(s)));
    }
  }

  /** Engine thread: a verified chunk arrived; assemble its segment once every chunk of it is here. */
  private void onChunk(int chunk) {
    Map.Entry<Integer, SwarmManifest.Segment> e = segmentsByChunk.floorEntry(chunk);
    if (e != null && chunk <= e.getValue().lastChunk()) {
      tryAssemble(e.getValue());
    }
  }

  private void tryAssemble(SwarmManifest.Segment s) {
    ConcurrentSkipListMap<Long, Assembled> perRendition =
        assembled.computeIfAbsent(s.rendition(), k -> new ConcurrentSkipListMap<>());
    if (perRendition.containsKey(s.sequence())) {
      return;
    }
    byte[] out = new byte[s.bytes()];
    int[] copied = {0};
    boolean[] complete = {true};
    for (int c = s.firstChunk(); c <= s.lastChunk() && complete[0]; c++) {
      int chunk = c;
      boolean[] found = {false};
      engine.withMunro(chunk, m -> {
        if (m.has(chunk)) {
          byte[] data = m.chunk(chunk);
          int offset = (chunk - s.firstChunk()) * SwarmConfig.CHUNK_SIZE;
          if (offset + data.length <= out.length) {
            System.arraycopy(data, 0, out, offset, data.length);
            copied[0] += data.length;
            found[0] = true;
          }
        }
      });
      complete[0] = found[0];
    }
    if (!complete[0] || copied[0] != s.bytes()) {
      return;
    }
    perRendition.put(s.sequence(), new Assembled(s.durationMillis(), out));
    while (perRendition.size() > KEPT_SEGMENTS) {
      perRendition.pollFirstEntry();
    }
    segmentsAssembled.incrementAndGet();
    if (startupMillis.compareAndSet(-1, (System.nanoTime() - joinedNanos) / 1_000_000)) {
      log.info("first segment ({} {}) assembled from the swarm {} ms after joining", s.rendition(), s.sequence(),
          startupMillis.get());
    }
  }

  private CompletableFuture<FullHttpResponse> hls(FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    String prefix = "/stream/" + config.streamId();
    if (path.equals(prefix + ".m3u8")) {
      String m = master.get();
      if (m == null) {
        fetchMaster();
        m = master.get();
      }
      return m == null ? done(HttpResponseStatus.NOT_FOUND, "text/plain", bytes("master playlist not yet known\n"))
          : done(HttpResponseStatus.OK, "application/vnd.apple.mpegurl", bytes(m));
    }
    if (!path.startsWith(prefix + "/")) {
      return done(HttpResponseStatus.NOT_FOUND, "text/plain", bytes("this peer serves only stream "
          + config.streamId() + "\n"));
    }
    String rest = path.substring(prefix.length() + 1);
    if (rest.endsWith(".m3u8") && !rest.contains("/")) {
      ConcurrentSkipListMap<Long, Assembled> segs = assembled.get(rest.substring(0, rest.length() - 5));
      if (segs == null) {
        return done(HttpResponseStatus.NOT_FOUND, "text/plain", bytes("no such rendition (yet)\n"));
      }
      return done(HttpResponseStatus.OK, "application/vnd.apple.mpegurl",
          bytes(mediaPlaylist(rest.substring(0, rest.length() - 5), segs)));
    }
    int slash = rest.indexOf('/');
    if (slash > 0 && rest.endsWith(".ts")) {
      try {
        long seq = Long.parseLong(rest.substring(slash + 1, rest.length() - 3));
        Optional<byte[]> data = segment(rest.substring(0, slash), seq);
        if (data.isPresent()) {
          return done(HttpResponseStatus.OK, "video/mp2t", data.get());
        }
      } catch (NumberFormatException e) {
        return done(HttpResponseStatus.BAD_REQUEST, "text/plain", bytes("segment name must be <sequence>.ts\n"));
      }
    }
    return done(HttpResponseStatus.NOT_FOUND, "text/plain", bytes("not found\n"));
  }

  /** Contiguous newest segments assembled here (a gap ends the list: a player must not skip ahead silently). */
  static String mediaPlaylist(String rendition, ConcurrentSkipListMap<Long, Assembled> segs) {
    List<Map.Entry<Long, Assembled>> window = new ArrayList<>();
    Long expected = null;
    for (Map.Entry<Long, Assembled> e : segs.descendingMap().entrySet()) {
      if (expected != null && e.getKey() != expected - 1) {
        break;
      }
      window.add(0, e);
      expected = e.getKey();
      if (window.size() == PLAYLIST_WINDOW) {
        break;
      }
    }
    long target = window.stream().mapToLong(e -> (e.getValue().durationMillis() + 999) / 1000).max().orElse(2);
    StringBuilder out = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:")
        .append(Math.max(1, target)).append('\n').append("#EXT-X-MEDIA-SEQUENCE:")
        .append(window.isEmpty() ? 0 : window.get(0).getKey()).append('\n');
    for (Map.Entry<Long, Assembled> e : window) {
      long d = e.getValue().durationMillis();
      out.append("#EXTINF:").append(d / 1000).append('.').append(String.format(java.util.Locale.ROOT, "%03d", d % 1000))
          .append(",\n").append(rendition).append('/').append(e.getKey()).append(".ts\n");
    }
    return out.toString();
  }

  /** Prometheus text for the peer's /metrics. */
  public String metricsText() {
    StringBuilder out = new StringBuilder();
    String labels = "stream=\"" + config.streamId() + "\"";
    metrics.render(out, "livepeer_peer_p2p", labels);
    long origin = metrics.bytesFromOrigin();
    long total = origin + metrics.bytesFromPeers();
    SwarmMetrics.line(out, "livepeer_peer_p2p_segments_assembled_total", "counter",
        "HLS segments assembled from verified chunks", labels, segmentsAssembled.get());
    out.append("# HELP livepeer_peer_p2p_offload_ratio 1 - origin bytes / all received chunk bytes\n")
        .append("# TYPE livepeer_peer_p2p_offload_ratio gauge\n")
        .append("livepeer_peer_p2p_offload_ratio{").append(labels).append("} ")
        .append(total == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.4f", 1 - origin / (double) total))
        .append('\n');
    out.append("# HELP livepeer_peer_p2p_startup_seconds time from joining (stream live on the tracker) to the first assembled segment\n")
        .append("# TYPE livepeer_peer_p2p_startup_seconds gauge\n")
        .append("livepeer_peer_p2p_startup_seconds{").append(labels).append("} ")
        .append(startupMillis.get() < 0 ? "NaN" : String.format(java.util.Locale.ROOT, "%.3f",
            startupMillis.get() / 1000.0)).append('\n');
    return out.toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static CompletableFuture<FullHttpResponse> done(HttpResponseStatus status, String type, byte[] body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    return CompletableFuture.completedFuture(r);
  }

  @Override
  public void close() {
    running = false;
    tracker.interrupt();
    server.close();
    if (engine != null) {
      engine.close();
    }
  }
}
