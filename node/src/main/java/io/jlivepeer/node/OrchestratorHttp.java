package io.jlivepeer.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.jlivepeer.wire.WireHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * O's HTTPS routes on the service port, one instance per HTTP/1.1 connection or HTTP/2 stream: collects the body
 * up to the segment size limit (a larger body is drained and answered 413, never buffered), then hands the request
 * to the worker pool, since transcoding blocks. Routes: {@code POST /segment}, {@code POST /payment},
 * {@code GET /stream/...}, {@code GET /metrics}.
 */
final class OrchestratorHttp extends ChannelInboundHandlerAdapter {
  private final OrchestratorCore core;
  private final RemoteTranscoders remotes;
  private final ExecutorService workers;
  private final int maxBodyBytes;
  private HttpRequest request;
  private ByteArrayOutputStream body;
  private long received;
  private boolean oversize;
  private long requestStarted;

  OrchestratorHttp(OrchestratorCore core, RemoteTranscoders remotes, ExecutorService workers, int maxBodyBytes) {
    this.core = core;
    this.remotes = remotes;
    this.workers = workers;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest r) {
        if (r.decoderResult().isFailure()) {
          respond(ctx, false, HttpAnswer.text(400, "malformed HTTP request: " + r.decoderResult().cause()));
          request = null;
          return;
        }
        request = r;
        requestStarted = System.nanoTime();
        received = 0;
        long declared = HttpUtil.getContentLength(r, -1L);
        oversize = declared > maxBodyBytes;
        body = new ByteArrayOutputStream(oversize || declared < 0 ? 8192 : (int) declared);
      }
      if (msg instanceof HttpContent c && request != null) {
        ByteBuf content = c.content();
        received += content.readableBytes();
        if (received > maxBodyBytes) {
          oversize = true; // keep draining so the connection stays in step, but hold nothing
          body = new ByteArrayOutputStream(0);
        } else if (!oversize) {
          byte[] chunk = new byte[content.readableBytes()];
          content.readBytes(chunk);
          body.writeBytes(chunk);
        }
        if (msg instanceof LastHttpContent) {
          dispatch(ctx, request, oversize, body.toByteArray());
          request = null;
          body = null;
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void dispatch(ChannelHandlerContext ctx, HttpRequest req, boolean tooLarge, byte[] bytes) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String path = new QueryStringDecoder(req.uri()).path();
    HttpMethod method = req.method();
    if (tooLarge) {
      if (path.equals("/segment")) {
        core.metrics.segmentsReceived.increment();
        core.metrics.segmentsRejected.increment();
      }
      respond(ctx, keepAlive, HttpAnswer.text(413, "request body of " + received + " bytes is over the segment size "
          + "limit of " + maxBodyBytes + " bytes"));
      return;
    }
    if (method.equals(HttpMethod.GET) && path.startsWith("/stream/")) {
      respond(ctx, keepAlive, core.rendition(path)
          .map(data -> new HttpAnswer(200, "video/MP2T", data))
          .orElseGet(() -> HttpAnswer.text(404, "no rendition at " + path + " (expired or never made)")));
      return;
    }
    if (method.equals(HttpMethod.GET) && path.startsWith("/transcoderTask/")) {
      if (!remotes.credentialsValid(header(req, HttpHeaderNames.AUTHORIZATION.toString()),
          header(req, WireHeaders.CREDENTIALS))) {
        respond(ctx, keepAlive, HttpAnswer.text(403, "transcoder credentials refused"));
        return;
      }
      respond(ctx, keepAlive, remotes.input(path)
          .map(data -> new HttpAnswer(200, "video/MP2T", data))
          .orElseGet(() -> HttpAnswer.text(404, "no task input at " + path + " (finished or timed out)")));
      return;
    }
    if (method.equals(HttpMethod.POST) && path.equals("/transcodeResults")) {
      respond(ctx, keepAlive, remotes.results(header(req, HttpHeaderNames.AUTHORIZATION.toString()),
          header(req, WireHeaders.CREDENTIALS), header(req, WireHeaders.TASK_ID), header(req, WireHeaders.PIXELS),
          header(req, HttpHeaderNames.CONTENT_TYPE.toString()), bytes));
      return;
    }
    if (method.equals(HttpMethod.GET) && path.equals("/metrics")) {
      respond(ctx, keepAlive, new HttpAnswer(200, "text/plain; version=0.0.4; charset=utf-8",
          core.metrics.render().getBytes(StandardCharsets.UTF_8)));
      return;
    }
    String segmentHeader = header(req, WireHeaders.SEGMENT);
    String paymentHeader = header(req, WireHeaders.PAYMENT);
    Runnable work;
    if (method.equals(HttpMethod.POST) && path.equals("/segment")) {
      String contentType = header(req, HttpHeaderNames.CONTENT_TYPE.toString());
      long arrived = System.nanoTime();
      core.metrics.uploaded(arrived - requestStarted);
      work = () -> {
        HttpAnswer answer = core.segment(segmentHeader, paymentHeader, contentType, bytes);
        core.metrics.answered(System.nanoTime() - arrived);
        respond(ctx, keepAlive, answer);
      };
    } else if (method.equals(HttpMethod.POST) && path.equals("/payment")) {
      work = () -> respond(ctx, keepAlive, core.payment(segmentHeader, paymentHeader));
    } else {
      respond(ctx, keepAlive, HttpAnswer.text(404, "no route " + method + " " + path));
      return;
    }
    try {
      workers.execute(() -> {
        try {
          work.run();
        } catch (RuntimeException e) {
          respond(ctx, keepAlive, HttpAnswer.text(500, "orchestrator error: " + e.getMessage()));
          throw e;
        }
      });
    } catch (RejectedExecutionException e) {
      respond(ctx, keepAlive, HttpAnswer.text(503, WireHeaders.ORCHESTRATOR_BUSY));
    }
  }

  private static String header(HttpRequest req, String name) {
    String value = req.headers().get(name);
    return value == null ? "" : value;
  }

  private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpAnswer answer) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
    if (keepAlive) {
      ctx.writeAndFlush(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // one broken connection or stream; other sessions are on their own channels
  }
}
