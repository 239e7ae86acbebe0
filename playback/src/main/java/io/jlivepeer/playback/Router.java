package io.jlivepeer.playback;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the route for a request, answers what needs no handler (404, 405, 400, OPTIONS), runs the rest. */
final class Router {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final List<Route> routes;
  private final Executor executor;
  private final Semaphore permits;

  Router(List<Route> routes, Executor executor, int maxConcurrentRequests) {
    // Longest prefix first, so "/stream/x/" beats "/stream/"; equal prefixes keep the caller's order.
    this.routes = routes.stream()
        .sorted(Comparator.comparingInt((Route r) -> r.pathPrefix().length()).reversed())
        .toList();
    this.executor = executor;
    this.permits = new Semaphore(maxConcurrentRequests);
  }

  /** Answers {@code request}; takes ownership of it (releases it once the answer is complete). */
  CompletableFuture<FullHttpResponse> dispatch(FullHttpRequest request) {
    boolean handedOff = false;
    try {
      String uri = request.uri();
      if (!uri.startsWith("/")) {
        return done(HttpResponses.text(HttpResponseStatus.BAD_REQUEST, "request target must be a path starting with '/'"));
      }
      String path = pathOf(uri);
      Optional<String> badPath = checkPath(path);
      if (badPath.isPresent()) {
        return done(HttpResponses.text(HttpResponseStatus.BAD_REQUEST, badPath.get()));
      }
      Optional<Route> match = routes.stream().filter(r -> r.matches(path)).findFirst();
      if (match.isEmpty()) {
        return done(HttpResponses.text(HttpResponseStatus.NOT_FOUND, "not found"));
      }
      Route route = match.get();
      HttpMethod method = request.method();
      if (HttpMethod.OPTIONS.equals(method) && !route.methods().contains(HttpMethod.OPTIONS)) {
        return done(preflight(route));
      }
      if (!route.allows(method)) {
        FullHttpResponse response = HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
            "method " + method.name() + " is not allowed here");
        response.headers().set(HttpHeaderNames.ALLOW, allowed(route));
        return done(response);
      }
      if (!permits.tryAcquire()) {
        FullHttpResponse response =
            HttpResponses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "server busy, retry shortly");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        return done(response);
      }
      CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
      try {
        executor.execute(() -> runHandler(route, request, answer));
      } catch (RuntimeException e) {
        permits.release();
        throw e;
      }
      handedOff = true;
      return answer;
    } finally {
      if (!handedOff) {
        request.release();
      }
    }
  }

  private void runHandler(Route route, FullHttpRequest request, CompletableFuture<FullHttpResponse> answer) {
    CompletableFuture<FullHttpResponse> result;
    try {
      result = route.handler().apply(request);
      if (result == null) {
        result = CompletableFuture.failedFuture(new PlaybackException("route " + route.pathPrefix() + " returned no future"));
      }
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete((response, failure) -> {
      request.release();
      permits.release();
      if (failure != null || response == null) {
        log.error("HTTP handler for {} {} failed", request.method(), route.pathPrefix(), failure);
        answer.complete(HttpResponses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal server error"));
      } else {
        answer.complete(response);
      }
    });
  }

  private static FullHttpResponse preflight(Route route) {
    FullHttpResponse response = HttpResponses.empty(HttpResponseStatus.NO_CONTENT);
    String allowed = allowed(route);
    response.headers().set(HttpHeaderNames.ALLOW, allowed);
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, allowed);
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, HttpResponses.PREFLIGHT_MAX_AGE_SECONDS);
    return response;
  }

  private static String allowed(Route route) {
    TreeSet<String> names = route.methods().stream().map(HttpMethod::name).collect(Collectors.toCollection(TreeSet::new));
    if (names.contains("GET")) {
      names.add("HEAD");
    }
    names.add("OPTIONS");
    return String.join(", ", names);
  }

  private static CompletableFuture<FullHttpResponse> done(FullHttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  static String pathOf(String uri) {
    int end = uri.length();
    int q = uri.indexOf('?');
    if (q >= 0) {
      end = q;
    }
    int h = uri.indexOf('#');
    if (h >= 0 && h < end) {
      end = h;
    }
    return uri.substring(0, end);
  }

  /**
   * Rejects paths that could climb out of a route (dot segments, also percent-encoded, backslashes, NUL) before any
   * handler sees them, so no handler has to get this right on its own.
   */
  static Optional<String> checkPath(String path) {
    String decoded;
    try {
      decoded = QueryStringDecoder.decodeComponent(path.replace("+", "%2B"));
    } catch (IllegalArgumentException e) {
      return Optional.of("malformed percent-encoding in path");
    }
    if (decoded.indexOf('\\') >= 0 || decoded.indexOf('\0') >= 0) {
      return Optional.of("path must not contain backslashes or NUL");
    }
    for (String segment : decoded.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("path must not contain '.' or '..' segments");
      }
    }
    return Optional.empty();
  }
}
