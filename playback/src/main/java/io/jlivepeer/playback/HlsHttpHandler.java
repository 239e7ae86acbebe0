package io.jlivepeer.playback;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Serves {@link HlsStreams} over HTTP under {@value #PATH_PREFIX}:
 * <ul>
 *   <li>{@code GET /stream/<id>.m3u8}: master playlist</li>
 *   <li>{@code GET /stream/<id>/<rendition>.m3u8}: media playlist</li>
 *   <li>{@code GET /stream/<id>/<rendition>/<n>.ts}: segment</li>
 * </ul>
 * Playlists are {@code application/vnd.apple.mpegurl} with {@code Cache-Control: no-cache} (a live playlist changes
 * every segment); segments are {@code video/MP2T} and cacheable for a day (a URL names one segment for the life of
 * the stream). Unknown streams, renditions and segments are 404; names outside letters, digits, '-' and '_' are 400.
 */
public final class HlsHttpHandler implements Function<FullHttpRequest, CompletableFuture<FullHttpResponse>> {
  public static final String PATH_PREFIX = "/stream/";
  static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
  static final String SEGMENT_TYPE = "video/MP2T";
  static final String PLAYLIST_CACHE = "no-cache";
  static final String SEGMENT_CACHE = "public, max-age=86400";

  private static final String PLAYLIST_SUFFIX = ".m3u8";
  private static final String SEGMENT_SUFFIX = ".ts";
  private static final int MAX_SEQUENCE_DIGITS = 18;

  private final HlsStreams streams;

  public HlsHttpHandler(HlsStreams streams) {
    this.streams = Objects.requireNonNull(streams, "streams");
  }

  /** The route to mount: GET (and HEAD) under {@value #PATH_PREFIX}. */
  public Route route() {
    return Route.of(PATH_PREFIX, this, HttpMethod.GET);
  }

  @Override
  public CompletableFuture<FullHttpResponse> apply(FullHttpRequest request) {
    return CompletableFuture.completedFuture(answer(Router.pathOf(request.uri())));
  }

  FullHttpResponse answer(String path) {
    if (!path.startsWith(PATH_PREFIX)) {
      return notFound();
    }
    String[] parts = path.substring(PATH_PREFIX.length()).split("/", -1);
    switch (parts.length) {
      case 1 -> {
        Optional<String> id = stripSuffix(parts[0], PLAYLIST_SUFFIX);
        if (id.isEmpty()) {
          return notFound();
        }
        Optional<FullHttpResponse> bad = checkName(id.get(), "manifest id");
        if (bad.isPresent()) {
          return bad.get();
        }
        return streams.masterPlaylist(id.get()).map(HlsHttpHandler::playlist)
            .orElseGet(() -> HttpResponses.text(HttpResponseStatus.NOT_FOUND, "unknown stream " + id.get()));
      }
      case 2 -> {
        Optional<String> rendition = stripSuffix(parts[1], PLAYLIST_SUFFIX);
        if (rendition.isEmpty()) {
          return notFound();
        }
        Optional<FullHttpResponse> bad = checkName(parts[0], "manifest id")
            .or(() -> checkName(rendition.get(), "rendition name"));
        if (bad.isPresent()) {
          return bad.get();
        }
        return streams.mediaPlaylist(parts[0], rendition.get()).map(HlsHttpHandler::playlist)
            .orElseGet(() -> HttpResponses.text(HttpResponseStatus.NOT_FOUND,
                "unknown stream or rendition " + parts[0] + "/" + rendition.get()));
      }
      case 3 -> {
        Optional<String> number = stripSuffix(parts[2], SEGMENT_SUFFIX);
        if (number.isEmpty()) {
          return notFound();
        }
        Optional<FullHttpResponse> bad = checkName(parts[0], "manifest id")
            .or(() -> checkName(parts[1], "rendition name"));
        if (bad.isPresent()) {
          return bad.get();
        }
        String digits = number.get();
        if (digits.isEmpty() || digits.length() > MAX_SEQUENCE_DIGITS || !digits.chars().allMatch(Character::isDigit)) {
          return HttpResponses.text(HttpResponseStatus.BAD_REQUEST,
              "segment name must be a decimal sequence number followed by .ts");
        }
        long sequence = Long.parseLong(digits);
        return streams.segment(parts[0], parts[1], sequence)
            .map(bytes -> {
              FullHttpResponse response = HttpResponses.bytes(HttpResponseStatus.OK, SEGMENT_TYPE, bytes);
              response.headers().set(HttpHeaderNames.CACHE_CONTROL, SEGMENT_CACHE);
              return response;
            })
            .orElseGet(() -> HttpResponses.text(HttpResponseStatus.NOT_FOUND,
                "no segment " + sequence + " in " + parts[0] + "/" + parts[1]));
      }
      default -> {
        return notFound();
      }
    }
  }

  private static FullHttpResponse playlist(String text) {
    FullHttpResponse response = HttpResponses.bytes(
        HttpResponseStatus.OK, PLAYLIST_TYPE, text.getBytes(StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, PLAYLIST_CACHE);
    return response;
  }

  private static Optional<FullHttpResponse> checkName(String name, String what) {
    if (StreamNames.isSafe(name)) {
      return Optional.empty();
    }
    return Optional.of(HttpResponses.text(HttpResponseStatus.BAD_REQUEST, what + " must be " + StreamNames.RULE));
  }

  private static Optional<String> stripSuffix(String name, String suffix) {
    return name.endsWith(suffix)
        ? Optional.of(name.substring(0, name.length() - suffix.length()))
        : Optional.empty();
  }

  private static FullHttpResponse notFound() {
    return HttpResponses.text(HttpResponseStatus.NOT_FOUND, "not found");
  }
}
