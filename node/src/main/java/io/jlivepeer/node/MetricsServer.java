package io.jlivepeer.node;

import io.jlivepeer.playback.HttpServer;
import io.jlivepeer.playback.HttpServerConfig;
import io.jlivepeer.playback.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A plain-HTTP listener that only answers {@code GET /metrics}: for a role without an HTTP server of its own (the
 * remote transcoder, {@code -monitor} on {@code -cliAddr} as in the reference node). B and O serve /metrics on
 * their existing ports.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer http;

  private MetricsServer(HttpServer http) {
    this.http = http;
  }

  /** Listens on {@code address} (port 0: any free port); {@code text} is rendered on each scrape. */
  public static MetricsServer start(InetSocketAddress address, Supplier<String> text) {
    return new MetricsServer(HttpServer.start(HttpServerConfig.defaults(address.getHostString(), address.getPort()),
        List.of(route(text))));
  }

  public InetSocketAddress address() {
    return http.address();
  }

  /** The {@code GET /metrics} route over {@code text}, for any playback HTTP server. */
  public static Route route(Supplier<String> text) {
    return textRoute("/metrics", PromText.CONTENT_TYPE, text);
  }

  /** A {@code GET path} route answering {@code text} (rendered per request) as {@code contentType}. */
  public static Route textRoute(String path, String contentType, Supplier<String> text) {
    return Route.of(path, request -> {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.wrappedBuffer(text.get().getBytes(StandardCharsets.UTF_8)));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
      return CompletableFuture.completedFuture(response);
    }, HttpMethod.GET);
  }

  @Override
  public void close() {
    http.close();
  }
}
