package io.jlivepeer.ingest;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP push ingest (wire.md, "HTTP push ingest on B"): {@code POST} or {@code PUT /live/<manifestID>/<seq>.ts} with
 * an MPEG-TS segment as the body, optional headers {@code Content-Duration} (ms) and {@code Content-Resolution}
 * ({@code WxH}).
 *
 * <p>Answers: 400 for a bad path, sequence number or header, or an empty body; 413 for a body over
 * {@link HttpPushConfig#maxSegmentBytes()}; 422 when {@link TsCheck} rejects the bytes (the reason is in the
 * plain-text body and logged at WARN with the stream id); 500 with a fixed message when the {@link HttpPushSink}
 * fails. Otherwise, once the sink completes: with {@code Accept: multipart/mixed} a 200 whose multipart body holds
 * the renditions, else a 200 with no body.
 *
 * <p>The handler type is JDK and Netty only, so the node can mount it on any Netty-based HTTP server (playback's
 * {@code Route} takes it as is). It copies the body and runs {@link TsCheck} on the calling thread before
 * returning (work proportional to the segment size), so call it off the event loop; the request may be released
 * as soon as it returns.
 */
public final class HttpPushHandler implements Function<FullHttpRequest, CompletableFuture<FullHttpResponse>> {
  public static final String PATH_PREFIX = "/live/";
  public static final String CONTENT_DURATION = "Content-Duration";
  public static final String CONTENT_RESOLUTION = "Content-Resolution";

  private static final Logger log = LoggerFactory.getLogger(HttpPushHandler.class);
  private static final Pattern PATH = Pattern.compile("/live/([A-Za-z0-9_-]{1,128})/([0-9]{1,18})\\.ts");
  private static final Pattern RESOLUTION = Pattern.compile("([0-9]{1,5})x([0-9]{1,5})");
  private static final int MAX_DIMENSION = 8192;
  private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  private final HttpPushConfig config;
  private final HttpPushSink sink;

  public HttpPushHandler(HttpPushConfig config, HttpPushSink sink) {
    this.config = Objects.requireNonNull(config, "config");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /** Answers one push; see the class comment for the status codes. Never fails: every error is a response. */
  @Override
  public CompletableFuture<FullHttpResponse> apply(FullHttpRequest request) {
    try {
      return handle(request);
    } catch (Rejected e) {
      return CompletableFuture.completedFuture(text(e.status, e.getMessage()));
    }
  }

  private CompletableFuture<FullHttpResponse> handle(FullHttpRequest request) throws Rejected {
    if (!HttpMethod.POST.equals(request.method()) && !HttpMethod.PUT.equals(request.method())) {
      throw new Rejected(HttpResponseStatus.METHOD_NOT_ALLOWED, "push a segment with POST or PUT");
    }
    String uri = request.uri();
    int query = uri.indexOf('?');
    Matcher path = PATH.matcher(query >= 0 ? uri.substring(0, query) : uri);
    if (!path.matches()) {
      throw new Rejected(HttpResponseStatus.BAD_REQUEST, "expected /live/<manifestID>/<seq>.ts with a manifest id"
          + " of 1-128 letters, digits, '-' or '_' and a decimal sequence number");
    }
    String manifestId = path.group(1);
    long seq = Long.parseLong(path.group(2));
    int size = request.content().readableBytes();
    if (size > config.maxSegmentBytes()) {
      throw new Rejected(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "segment of " + size + " bytes is over the limit of " + config.maxSegmentBytes() + " bytes");
    }
    if (size == 0) {
      throw new Rejected(HttpResponseStatus.BAD_REQUEST, "empty body: push the MPEG-TS segment as the body");
    }
    OptionalLong headerDuration = duration(request);
    int[] resolution = resolution(request);
    byte[] data = ByteBufUtil.getBytes(request.content());
    TsCheck.Summary summary;
    try {
      summary = TsCheck.summarize(data);
    } catch (TsCheck.Invalid e) {
      log.warn("push ingest: rejected segment {} of stream {}: {}", seq, manifestId, e.getMessage());
      throw new Rejected(HttpResponseStatus.UNPROCESSABLE_ENTITY, "invalid MPEG-TS segment: " + e.getMessage());
    }
    long durationMillis = headerDuration.isPresent() ? headerDuration.getAsLong()
        : summary.durationMillis().orElseThrow(() -> new Rejected(HttpResponseStatus.BAD_REQUEST,
            "no " + CONTENT_DURATION + " header and too few video timestamps to derive the duration"));
    if (durationMillis > config.maxDurationMillis()) {
      throw new Rejected(HttpResponseStatus.BAD_REQUEST, "segment lasts " + durationMillis
          + " ms, over the limit of " + config.maxDurationMillis() + " ms");
    }
    boolean multipart = wantsMultipart(request);
    HttpPushSegment pushed =
        new HttpPushSegment(new Segment(manifestId, seq, durationMillis, data), resolution[0], resolution[1]);
    CompletableFuture<List<Rendition>> transcoded;
    try {
      transcoded = Objects.requireNonNull(sink.onSegment(pushed), "sink returned no future");
    } catch (RuntimeException e) {
      transcoded = CompletableFuture.failedFuture(e);
    }
    return transcoded.handle((renditions, failure) -> {
      if (failure != null || renditions == null) {
        log.warn("push ingest: segment {} of stream {} failed", seq, manifestId, failure);
        return text(HttpResponseStatus.INTERNAL_SERVER_ERROR,
            "could not process segment " + seq + " of stream " + manifestId);
      }
      if (!multipart) {
        return response(HttpResponseStatus.OK, new byte[0], null);
      }
      HttpPushMultipart.Body body = HttpPushMultipart.write(renditions, seq);
      return response(HttpResponseStatus.OK, body.bytes(), body.contentType());
    });
  }

  private OptionalLong duration(FullHttpRequest request) throws Rejected {
    String value = request.headers().get(CONTENT_DURATION);
    if (value == null) {
      return OptionalLong.empty();
    }
    String trimmed = value.trim();
    if (trimmed.isEmpty() || trimmed.length() > 12 || !trimmed.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new Rejected(HttpResponseStatus.BAD_REQUEST, CONTENT_DURATION + " must be a whole number of milliseconds");
    }
    long millis = Long.parseLong(trimmed);
    if (millis == 0 || millis > config.maxDurationMillis()) {
      throw new Rejected(HttpResponseStatus.BAD_REQUEST,
          CONTENT_DURATION + " must be between 1 and " + config.maxDurationMillis() + " ms");
    }
    return OptionalLong.of(millis);
  }

  private static int[] resolution(FullHttpRequest request) throws Rejected {
    String value = request.headers().get(CONTENT_RESOLUTION);
    if (value == null) {
      return new int[] {0, 0};
    }
    Matcher m = RESOLUTION.matcher(value.trim());
    if (!m.matches()) {
      throw new Rejected(HttpResponseStatus.BAD_REQUEST, CONTENT_RESOLUTION + " must look like 1280x720");
    }
    int width = Integer.parseInt(m.group(1));
    int height = Integer.parseInt(m.group(2));
    if (width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
      throw new Rejected(HttpResponseStatus.BAD_REQUEST,
          CONTENT_RESOLUTION + " must be between 1x1 and " + MAX_DIMENSION + "x" + MAX_DIMENSION);
    }
    return new int[] {width, height};
  }

  private static boolean wantsMultipart(FullHttpRequest request) {
    for (String accept : request.headers().getAll(HttpHeaderNames.ACCEPT)) {
      if (accept.toLowerCase(Locale.ROOT).contains("multipart/mixed")) {
        return true;
      }
    }
    return false;
  }

  private static FullHttpResponse text(HttpResponseStatus status, String message) {
    return response(status, (message + "\n").getBytes(StandardCharsets.UTF_8), TEXT_PLAIN);
  }

  private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String contentType) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    if (contentType != null) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  /** A request refused before it reaches the sink; the message goes to the client. */
  private static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient HttpResponseStatus status;

    Rejected(HttpResponseStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
