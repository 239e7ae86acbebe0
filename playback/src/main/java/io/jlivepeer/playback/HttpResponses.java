package io.jlivepeer.playback;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Small builders for the responses the server and the HLS route produce. */
final class HttpResponses {
  static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  /** CORS values sent on every response: playback is public, any origin may read it (media.md "Playback"). */
  static final String ALLOW_ORIGIN = "*";
  /** Every method the node serves; a preflight answer narrows it to the route's own. */
  static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, OPTIONS";
  static final String ALLOW_HEADERS =
      "Accept, Content-Type, Content-Length, Content-Duration, Content-Resolution, Range, Origin";
  static final String EXPOSE_HEADERS =
      "Content-Length, Content-Type, Content-Disposition, Content-Duration, Rendition-Name, Retry-After";
  static final String PREFLIGHT_MAX_AGE_SECONDS = "86400";

  private HttpResponses() {}

  /** A plain-text response; the message must be safe to show to any client. */
  static FullHttpResponse text(HttpResponseStatus status, String message) {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  static FullHttpResponse bytes(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  static FullHttpResponse empty(HttpResponseStatus status) {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
  }

  /** Adds the CORS headers a handler did not set itself. */
  static void addCors(HttpHeaders headers) {
    if (!headers.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW_ORIGIN);
    }
    if (!headers.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
    }
    if (!headers.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS)) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
    }
    if (!headers.contains(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS)) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
    }
  }
}
