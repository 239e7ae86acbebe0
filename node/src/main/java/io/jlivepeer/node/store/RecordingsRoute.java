package io.jlivepeer.node.store;

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
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /recordings/<manifestId>/<sessionId>/index.m3u8} and the playlists and segments under it, read from
 * the record store, so a player needs only B. 404 for what the store does not hold, 400 for a path that is not a
 * store key, 503 when the store cannot be read.
 */
public final class RecordingsRoute {
  private static final Logger log = LoggerFactory.getLogger(RecordingsRoute.class);

  public static final String PATH_PREFIX = "/recordings/";

  private final ObjectStore store;

  private RecordingsRoute(ObjectStore store) {
    this.store = store;
  }

  public static Route route(ObjectStore store) {
    return Route.of(PATH_PREFIX, new RecordingsRoute(store)::answer, HttpMethod.GET);
  }

  private CompletableFuture<FullHttpResponse> answer(FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    String key = path.substring(PATH_PREFIX.length());
    boolean playlist = key.endsWith(".m3u8");
    if (!playlist && !key.endsWith(".ts")) {
      return done(text(HttpResponseStatus.NOT_FOUND, "no such recording file: only .m3u8 and .ts are served"));
    }
    try {
      ObjectStore.requireKey(key, "a recording");
    } catch (ObjectStoreException e) {
      return done(text(HttpResponseStatus.BAD_REQUEST, "not a recording path: " + ObjectStore.printable(path)));
    }
    Optional<byte[]> bytes;
    try {
      bytes = store.get(key);
    } catch (ObjectStoreException e) {
      log.warn("GET {}: {}", ObjectStore.printable(path), e.getMessage());
      return done(text(HttpResponseStatus.SERVICE_UNAVAILABLE, "the recording store cannot be read now; try again"));
    }
    if (bytes.isEmpty()) {
      return done(text(HttpResponseStatus.NOT_FOUND, "no such recording file: " + ObjectStore.printable(path)));
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(bytes.get()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, playlist ? StreamRecorder.M3U8 : StreamRecorder.TS);
    // a finished recording never changes; the master appears only once everything under it is written
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, playlist ? "max-age=60" : "max-age=86400");
    return done(response);
  }

  private static FullHttpResponse text(HttpResponseStatus status, String message) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer((message + "\n").getBytes(StandardCharsets.UTF_8)));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return r;
  }

  private static CompletableFuture<FullHttpResponse> done(FullHttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
