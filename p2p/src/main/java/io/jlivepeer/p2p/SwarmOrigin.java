package io.jlivepeer.p2p;

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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * B's side of the swarm: per live stream an injector (its own signing key, hence swarm id, and a seed engine on
 * its own UDP port) and the tracker, {@code GET /p2p/<stream>?udp=host:port} on B's HTTP port, which registers the
 * caller's UDP address and answers a {@link SwarmManifest}. Every HLS segment of every rendition B publishes is
 * cut into 1 KiB chunks starting on a munro boundary, each munro's root signed; B is the seed of last resort.
 */
public final class SwarmOrigin implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SwarmOrigin.class);

  public static final String PATH_PREFIX = "/p2p/";
  /** Segments per stream listed in the manifest (newest). */
  static final int MANIFEST_SEGMENTS = 40;
  /** Peers listed to a caller (the newest registered, the caller excluded). */
  static final int MANIFEST_PEERS = 12;
  static final long PEER_EXPIRY_MILLIS = 10_000;
  static final int MAX_STREAMS = 64;

  private final InetAddress udpHost;
  private final Map<String, StreamSwarm> streams = new ConcurrentHashMap<>();

  private SwarmOrigin(InetAddress udpHost) {
    this.udpHost = udpHost;
  }

  /** Seeds bind UDP on {@code udpHost}, one ephemeral port per stream. */
  public static SwarmOrigin create(InetAddress udpHost) {
    return new SwarmOrigin(udpHost);
  }

  /** The tracker route for B's HTTP server. */
  public Route route() {
    return Route.of(PATH_PREFIX, this::track, HttpMethod.GET);
  }

  /** B published a finished segment; cut, sign and announce it. Called by each stream's worker, in order. */
  public void publish(String streamId, String rendition, long sequence, long durationMillis, byte[] data) {
    StreamSwarm s = streams.computeIfAbsent(streamId, id -> {
      if (streams.size() >= MAX_STREAMS) {
        return null;
      }
      LiveSigner signer = LiveSigner.generate();
      SwarmEngine engine = SwarmEngine.start(SwarmConfig.seed(new InetSocketAddress(udpHost, 0)),
          SwarmEngine.Role.SEED, signer.swarmId(), new SwarmMetrics(), Optional.empty(), c -> { });
      log.info("stream {}: swarm seed on udp {}", id, engine.localAddress());
      return new StreamSwarm(id, engine, signer);
    });
    if (s == null) {
      log.warn("stream {}: not swarmed, {} streams already are (peers of it get nothing)", streamId, MAX_STREAMS);
      return;
    }
    s.publish(rendition, sequence, durationMillis, data);
  }

  /** The stream ended: its swarm stops. */
  public void endStream(String streamId) {
    StreamSwarm s = streams.remove(streamId);
    if (s != null) {
      s.engine.close();
    }
  }

  /** The seed's UDP address for a swarmed stream. */
  public Optional<InetSocketAddress> seedAddress(String streamId) {
    return Optional.ofNullable(streams.get(streamId)).map(s -> s.engine.localAddress());
  }

  public Optional<SwarmMetrics> metrics(String streamId) {
    return Optional.ofNullable(streams.get(streamId)).map(s -> s.engine.metrics());
  }

  /** Prometheus lines for B's /metrics: per swarm, labelled by stream. */
  public void renderMetrics(StringBuilder out) {
    for (StreamSwarm s : streams.values()) {
      String labels = "stream=\"" + s.id + "\"";
      s.engine.metrics().render(out, "livepeer_broadcaster_p2p", labels);
      SwarmMetrics.line(out, "livepeer_broadcaster_p2p_peers", "gauge", "peers registered with the tracker", labels,
          s.peerCount());
    }
  }

  private CompletableFuture<FullHttpResponse> track(FullHttpRequest request) {
    QueryStringDecoder q = new QueryStringDecoder(request.uri());
    String streamId = q.path().substring(PATH_PREFIX.length());
    StreamSwarm s = streams.get(streamId);
    if (s == null) {
      return done(HttpResponseStatus.NOT_FOUND, "no swarm for stream '" + streamId
          + "': it is not live on this broadcaster (yet); retry shortly");
    }
    Optional<InetSocketAddress> caller = Optional.empty();
    List<String> udp = q.parameters().getOrDefault("udp", List.of());
    if (!udp.isEmpty()) {
      try {
        caller = Optional.of(SwarmManifest.parseAddress(udp.get(0)));
      } catch (RuntimeException e) {
        return done(HttpResponseStatus.BAD_REQUEST, "udp must be host:port of the peer's swarm socket");
      }
    }
    return CompletableFuture.completedFuture(text(HttpResponseStatus.OK, s.manifest(caller).render()));
  }

  private static CompletableFuture<FullHttpResponse> done(HttpResponseStatus status, String body) {
    return CompletableFuture.completedFuture(text(status, body + "\n"));
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    return r;
  }

  @Override
  public void close() {
    for (String id : List.copyOf(streams.keySet())) {
      endStream(id);
    }
  }

  /** One stream's injector and tracker registry. */
  private static final class StreamSwarm {
    final String id;
    final SwarmEngine engine;
    final LiveSigner signer;
    final Deque<SwarmManifest.Segment> segments = new ArrayDeque<>();
    final Map<InetSocketAddress, Long> peers = Collections.synchronizedMap(new LinkedHashMap<>());
    int nextChunk;

    StreamSwarm(String id, SwarmEngine engine, LiveSigner signer) {
      this.id = id;
      this.engine = engine;
      this.signer = signer;
    }

    int peerCount() {
      return peers.size();
    }

    synchronized void publish(String rendition, long sequence, long durationMillis, byte[] data) {
      if (data.length == 0 || data.length > SwarmConfig.DEFAULT_DISCARD_WINDOW * SwarmConfig.CHUNK_SIZE / 4) {
        log.warn("stream {}: segment {}/{} of {} bytes not swarmed (empty or over a quarter of the live window)", id,
            rendition, sequence, data.length);
        return;
      }
      int first = nextChunk;
      int chunks = (data.length + SwarmConfig.CHUNK_SIZE - 1) / SwarmConfig.CHUNK_SIZE;
      List<MunroState> states = new ArrayList<>();
      for (int m = 0; m * Merkle.MUNRO_CHUNKS < chunks; m++) {
        List<byte[]> content = new ArrayList<>();
        for (int c = m * Merkle.MUNRO_CHUNKS; c < Math.min(chunks, (m + 1) * Merkle.MUNRO_CHUNKS); c++) {
          int from = c * SwarmConfig.CHUNK_SIZE;
          content.add(java.util.Arrays.copyOfRange(data, from, Math.min(data.length, from + SwarmConfig.CHUNK_SIZE)));
        }
        MunroTree tree = new MunroTree(first + m * Merkle.MUNRO_CHUNKS, content);
        long ts = ntpTimestamp(System.currentTimeMillis());
        states.add(MunroState.injected(tree, ts, signer.sign(tree.range(), ts, tree.root()), content));
      }
      // the next segment starts on a fresh munro, so a munro (and its signature) never spans two segments
      nextChunk = first + ((chunks + Merkle.MUNRO_CHUNKS - 1) / Merkle.MUNRO_CHUNKS) * Merkle.MUNRO_CHUNKS;
      segments.addLast(new SwarmManifest.Segment(rendition, sequence, durationMillis, first, data.length));
      while (segments.size() > MANIFEST_SEGMENTS) {
        segments.removeFirst();
      }
      engine.inject(states);
    }

    synchronized SwarmManifest manifest(Optional<InetSocketAddress> caller) {
      long now = System.currentTimeMillis();
      List<InetSocketAddress> listed = new ArrayList<>();
      synchronized (peers) {
        peers.values().removeIf(t -> now - t > PEER_EXPIRY_MILLIS);
        List<InetSocketAddress> all = new ArrayList<>(peers.keySet());
        Collections.shuffle(all);
        for (InetSocketAddress p : all) {
          if (listed.size() < MANIFEST_PEERS && !caller.equals(Optional.of(p))) {
            listed.add(p);
          }
        }
        caller.ifPresent(c -> {
          peers.remove(c);
          peers.put(c, now);
        });
      }
      return new SwarmManifest(signer.swarmId(), engine.localAddress(), listed, List.copyOf(segments));
    }
  }

  /** RFC 5905 64-bit NTP timestamp: seconds since 1900 in the high 32 bits, the fraction in the low 32. */
  static long ntpTimestamp(long unixMillis) {
    long seconds = unixMillis / 1000 + 2_208_988_800L;
    long fraction = (unixMillis % 1000) * (1L << 32) / 1000;
    return (seconds << 32) | fraction;
  }
}
