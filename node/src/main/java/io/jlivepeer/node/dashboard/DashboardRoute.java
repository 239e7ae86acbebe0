package io.jlivepeer.node.dashboard;

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
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * B's operator dashboard: {@code GET /dashboard/} serves the static page (HTML, CSS, plain JS, and hls.js copied
 * from npm at build time) from this package's resources; the page itself talks to the stream API under
 * {@code /api}. Nothing is generated at run time and nothing is loaded from outside the node.
 *
 * <p>Only flat file names made of {@code [A-Za-z0-9._-]} (not starting with a dot) are served, so no request can
 * reach outside the dashboard's resource folder ({@code ..}, encoded slashes and the like are a plain 404).
 * {@code /dashboard} redirects to {@code /dashboard/}, whose file is {@code index.html}. Files are read once and
 * kept in memory (the folder holds a few hundred kilobytes).
 */
public final class DashboardRoute {
  /** Where the route is mounted. */
  public static final String PATH = "/dashboard";

  private static final String RESOURCES = "/io/jlivepeer/node/dashboard/";
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon",
      "txt", "text/plain; charset=utf-8",
      "json", "application/json");

  private final Map<String, Optional<byte[]>> files = new ConcurrentHashMap<>();

  private DashboardRoute() {}

  /** The {@code GET /dashboard} route for B's HTTP server. */
  public static Route route() {
    DashboardRoute dashboard = new DashboardRoute();
    return Route.of(PATH, request -> CompletableFuture.completedFuture(dashboard.answer(request)), HttpMethod.GET);
  }

  FullHttpResponse answer(FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).rawPath();
    if (path.equals(PATH)) {
      FullHttpResponse redirect = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND);
      redirect.headers().set(HttpHeaderNames.LOCATION, PATH + "/");
      return redirect;
    }
    if (!path.startsWith(PATH + "/")) {
      return notFound(); // e.g. /dashboardx: the prefix matched, the folder did not
    }
    String name = path.substring(PATH.length() + 1);
    if (name.isEmpty()) {
      name = "index.html";
    }
    if (!FILE_NAME.matcher(name).matches()) {
      return notFound();
    }
    Optional<String> type = contentType(name);
    if (type.isEmpty()) {
      return notFound();
    }
    Optional<byte[]> body = files.computeIfAbsent(name, DashboardRoute::load);
    if (body.isEmpty()) {
      return notFound();
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(body.get()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type.get());
    // the page is small and changes with the node's version: revalidate rather than run an old script
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    response.headers().set("X-Content-Type-Options", "nosniff");
    return response;
  }

  static Optional<String> contentType(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? Optional.empty()
        : Optional.ofNullable(CONTENT_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
  }

  private static Optional<byte[]> load(String name) {
    try (InputStream in = DashboardRoute.class.getResourceAsStream(RESOURCES + name)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the dashboard's " + name + " from the node's jar", e);
    }
  }

  private static FullHttpResponse notFound() {
    byte[] body = "no such dashboard file; the dashboard is at /dashboard/\n".getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return response;
  }
}
