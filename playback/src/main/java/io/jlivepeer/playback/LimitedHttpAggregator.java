package io.jlivepeer.playback;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@link HttpObjectAggregator} whose over-limit answer is one of ours: a plain-text 413 with CORS headers (a browser
 * uploader can read the reason) instead of Netty's bare one. The connection is closed because the rest of the body
 * may still be on the wire.
 */
final class LimitedHttpAggregator extends HttpObjectAggregator {
  private final int limit;

  LimitedHttpAggregator(int maxContentLength) {
    super(maxContentLength);
    this.limit = maxContentLength;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    FullHttpResponse response = HttpResponses.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request body is larger than the limit of " + limit + " bytes");
    HttpResponses.addCors(response.headers());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
