package io.jlivepeer.playback;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One mount point of the {@link HttpServer}: requests whose path starts with {@code pathPrefix} and whose method is
 * in {@code methods} go to {@code handler}. The handler type uses only JDK and Netty types so that modules that
 * must not depend on playback (ingest) can provide one.
 *
 * <p>Handler contract: it runs on a virtual thread, never on an event loop, so it may block. The request stays
 * readable until the returned future completes; the server releases it afterwards (a handler that needs the
 * bytes longer copies them). The server takes ownership of the returned response and writes it; it adds the CORS
 * headers, {@code Content-Length} and {@code Connection}. A handler that throws, returns a failed future or
 * {@code null} produces a 500 whose body reveals nothing of the failure (it is logged instead).
 *
 * <p>{@code HEAD} is accepted wherever {@code GET} is: the handler sees the HEAD request and the server drops the
 * response body, keeping its length. {@code OPTIONS} (CORS preflight) is answered by the server unless the route
 * lists it.
 *
 * @param methods allowed methods, not empty
 * @param pathPrefix a path starting with {@code /}; the longest matching prefix over all routes wins
 * @param handler what answers a request
 */
public record Route(
    Set<HttpMethod> methods,
    String pathPrefix,
    Function<FullHttpRequest, CompletableFuture<FullHttpResponse>> handler) {

  public Route {
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    Objects.requireNonNull(handler, "handler");
    methods = Set.copyOf(methods);
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("route " + pathPrefix + " allows no HTTP method");
    }
    if (!pathPrefix.startsWith("/")) {
      throw new IllegalArgumentException("route path prefix must start with '/': " + pathPrefix);
    }
  }

  /** Shorthand: {@code Route.of("/live/", handler, HttpMethod.POST, HttpMethod.PUT)}. */
  public static Route of(
      String pathPrefix,
      Function<FullHttpRequest, CompletableFuture<FullHttpResponse>> handler,
      HttpMethod... methods) {
    return new Route(Set.of(methods), pathPrefix, handler);
  }

  boolean matches(String path) {
    return path.startsWith(pathPrefix);
  }

  boolean allows(HttpMethod method) {
    return methods.contains(method) || (HttpMethod.HEAD.equals(method) && methods.contains(HttpMethod.GET));
  }
}
