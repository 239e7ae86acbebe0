package io.jlivepeer.playback;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a connection: hands each aggregated request to the {@link Router} and writes the answers back in
 * request order (HTTP/1.1 pipelining requires it, while handlers finish in any order). One instance per
 * connection; its state is touched only on the connection's event loop.
 */
final class HttpDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpDispatcher.class);

  private final Router router;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  /** Requests read but not yet answered; an idle connection is only closed when it has none. */
  private int inFlight;

  HttpDispatcher(Router router) {
    super(false); // the router owns the request and releases it when its handler is done
    this.router = router;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    boolean head = HttpMethod.HEAD.equals(request.method());
    HttpVersion version = request.protocolVersion();
    inFlight++;
    CompletableFuture<FullHttpResponse> answer;
    if (!request.decoderResult().isSuccess()) {
      request.release();
      keepAlive = false;
      answer = CompletableFuture.completedFuture(
          HttpResponses.text(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"));
    } else {
      answer = router.dispatch(request);
    }
    boolean keep = keepAlive;
    CompletableFuture<Void> previous = tail;
    tail = previous
        .thenCompose(ignored -> answer)
        .thenAcceptAsync(response -> {
          inFlight--;
          write(ctx, response, keep, head, version);
        }, ctx.executor())
        .exceptionally(failure -> {
          // Only a rejected event-loop task gets here (the channel's loop is shutting down): nothing to answer.
          log.debug("HTTP response dropped", failure);
          return null;
        });
  }

  private static void write(
      ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, boolean head, HttpVersion version) {
    if (!ctx.channel().isActive()) {
      ReferenceCountUtil.release(response);
      return;
    }
    FullHttpResponse out = response;
    HttpResponses.addCors(out.headers());
    boolean noBody = out.status().code() == 204 || out.status().code() == 304 || out.status().code() < 200;
    if (noBody) {
      out.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    } else if (!out.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      HttpUtil.setContentLength(out, out.content().readableBytes());
    }
    if (head && out.content().isReadable()) {
      FullHttpResponse bodiless = new DefaultFullHttpResponse(out.protocolVersion(), out.status());
      bodiless.headers().set(out.headers());
      out.release();
      out = bodiless;
    }
    if (!keepAlive) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version.equals(HttpVersion.HTTP_1_0)) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    var written = ctx.writeAndFlush(out);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      if (inFlight > 0) {
        return; // a slow handler (a long transcode) is not an idle client
      }
      log.debug("closing idle HTTP connection from {}", ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // I/O errors (peer reset, broken pipe) are routine for a public media server.
    log.debug("HTTP connection from {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
