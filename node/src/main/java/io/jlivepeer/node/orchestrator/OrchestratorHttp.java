package io.jlivepeer.node.orchestrator;

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
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.WireHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
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
  /** The body when its length was declared: filled in place, no growing buffer and no final copy. */
  private byte[] sized;
  /** keccak256 of a segment body, fed as it arrives so that O need not hash 1.1 MB after the upload. */
  private Keccak.Hasher hasher;
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
        sized = oversize || declared < 0 ? null : new byte[(int) declared];
        body = sized == null ? new ByteArrayOutputStream(8192) : null;
        // the body is the segment itself unless it is a URI to fetch it from (OrchestratorCore.segment's rule)
        hasher = r.method().equals(HttpMethod.POST) && new QueryStringDecoder(r.uri()).path().equals("/segment")
            && !header(r, HttpHeaderNames.CONTENT_TYPE.toString()).toLowerCase(Locale.ROOT)
                .startsWith(WireHeaders.CONTENT_TYPE_SEGMENT_URI)
            ? Keccak.incremental() : null;
      }
      if (msg instanceof HttpContent c && request != null) {
        ByteBuf content = c.content();
        int n = content.readableBytes();
        long at = received;
        received += n;
        if (received > maxBodyBytes || (sized != null && received > sized.length)) {
          oversize = true; // keep draining so the connection stays in step, but hold nothing
          body = null;
          sized = null;
          hasher = null;
        } else if (!oversize) {
          if (sized != null) {
            content.readBytes(sized, (int) at, n);
            if (hasher != null) {
              hasher.update(sized, (int) at, n);
            }
          } else {
            byte[] chunk = new byte[n];
            content.readBytes(chunk);
            body.writeBytes(chunk);
            if (hasher != null) {
              hasher.update(chunk, 0, n);
            }
          }
        }
        if (msg instanceof LastHttpContent) {
          boolean complete = !oversize && (sized == null || received == sized.length);
          byte[] bytes = oversize ? new byte[0] : sized == null ? body.toByteArray()
              : complete ? sized : java.util.Arrays.copyOf(sized, (int) received);
          Optional<byte[]> hash = complete && hasher != null ? Optional.of(hasher.digest()) : Optional.empty();
          dispatch(ctx, request, oversize, bytes, hash);
          request = null;
          body = null;
          sized = null;
          hasher = null;
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void dispatch(ChannelHandlerContext ctx, HttpRequest req, boolean tooLarge, byte[] bytes,
      Optional<byte[]> bodyHash) {
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
        HttpAnswer answer = core.segment(segmentHeader, paymentHeader, contentType, bytes, bodyHash);
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
