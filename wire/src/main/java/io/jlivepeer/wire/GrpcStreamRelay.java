package io.jlivepeer.wire;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one gRPC HTTP/2 stream of the public TLS port to the gRPC server listening on loopback (h2c), frame by
 * frame, both ways. Each public connection gets at most one backend connection, on the same event loop, so the
 * relay needs no locks and frames keep their order.
 *
 * <p>Why a relay: grpc-java's Netty transport owns a whole HTTP/2 connection, but wire.md needs gRPC and plain
 * HTTPS streams to share connections on one port (as a Go server does), so the port routes per stream.
 */
final class GrpcStreamRelay extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(GrpcStreamRelay.class);
  private static final AttributeKey<Future<Channel>> BACKEND = AttributeKey.valueOf("jlivepeer.grpcBackend");

  private final InetSocketAddress backendAddress;
  private final Queue<Object> pending = new ArrayDeque<>();
  private Http2StreamChannel backend;
  private boolean opening;
  private boolean closed;

  GrpcStreamRelay(InetSocketAddress backendAddress) {
    this.backendAddress = backendAddress;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    Object copy = copyFrame(msg);
    if (copy == null) {
      return;
    }
    if (backend != null) {
      backend.writeAndFlush(copy);
      return;
    }
    pending.add(copy);
    if (!opening) {
      opening = true;
      open(ctx.channel());
    }
  }

  private void open(Channel front) {
    Future<Channel> connection = backendConnection(front.parent(), backendAddress);
    connection.addListener(f -> {
      if (!f.isSuccess()) {
        failStream(front, "gRPC backend unreachable");
        return;
      }
      new Http2StreamChannelBootstrap(connection.getNow()).handler(new BackendStream(front)).open().addListener(s -> {
        if (closed) { // the client went away while the backend stream was opening
          releasePending();
          if (s.isSuccess()) {
            ((Channel) s.getNow()).close();
          }
          return;
        }
        if (!s.isSuccess()) {
          failStream(front, "cannot open a gRPC backend stream");
          return;
        }
        backend = (Http2StreamChannel) s.getNow();
        Object next;
        while ((next = pending.poll()) != null) {
          backend.write(next);
        }
        backend.flush();
      });
    });
  }

  /** One h2c connection to the gRPC server per public connection, closed with it. */
  private static Future<Channel> backendConnection(Channel frontConnection, InetSocketAddress address) {
    Future<Channel> existing = frontConnection.attr(BACKEND).get();
    if (existing != null && (!existing.isDone() || existing.isSuccess() && existing.getNow().isActive())) {
      return existing;
    }
    // Ready only once the codec has written the connection preface (on channelActive, which fires after the
    // connect future's listeners run): a stream opened earlier would send HEADERS before the preface.
    Promise<Channel> ready = frontConnection.eventLoop().newPromise();
    ChannelFuture connect = new Bootstrap()
        .group(frontConnection.eventLoop())
        .channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                    .initialSettings(Http2Settings.defaultSettings().initialWindowSize(ServicePort.STREAM_WINDOW_BYTES))
                    .build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(ServicePort.STREAM_WINDOW_BYTES * 4 - 65_535));
                    ready.trySuccess(ctx.channel());
                    ctx.fireChannelActive();
                  }
                });
          }
        })
        .connect(address);
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        ready.tryFailure(f.cause());
      }
    });
    frontConnection.attr(BACKEND).set(ready);
    frontConnection.closeFuture().addListener(f -> connect.channel().close());
    return ready;
  }

  private void failStream(Channel front, String why) {
    log.warn("{}: answering the gRPC call with UNAVAILABLE", why);
    releasePending();
    // A trailers-only gRPC response: the client sees status UNAVAILABLE instead of a reset stream.
    DefaultHttp2Headers headers = new DefaultHttp2Headers();
    headers.status("200").set("content-type", "application/grpc").set("grpc-status", "14").set("grpc-message", why);
    front.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    releasePending();
    if (backend != null) {
      backend.close(); // resets the backend stream if it is still open: the gRPC server sees a cancel
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("gRPC relay stream failed", cause);
    ctx.close();
  }

  private void releasePending() {
    Object next;
    while ((next = pending.poll()) != null) {
      ReferenceCountUtil.release(next);
    }
  }

  /**
   * A frame bound to one stream cannot be written on another: copy headers and data (the data buffer's reference
   * moves to the copy); other frames (resets, window updates) are handled by each side's own stream.
   */
  static Object copyFrame(Object msg) {
    if (msg instanceof Http2HeadersFrame h) {
      return new DefaultHttp2HeadersFrame(h.headers(), h.isEndStream());
    }
    if (msg instanceof Http2DataFrame d) {
      return new DefaultHttp2DataFrame(d.content(), d.isEndStream());
    }
    ReferenceCountUtil.release(msg);
    return null;
  }

  /** The backend side of one relayed stream: copies the server's frames to the public stream. */
  private static final class BackendStream extends ChannelInboundHandlerAdapter {
    private final Channel front;
    private boolean endRelayed;

    BackendStream(Channel front) {
      this.front = front;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Object copy = copyFrame(msg);
      if (copy == null) {
        return;
      }
      if (!front.isActive()) {
        ReferenceCountUtil.release(copy);
        return;
      }
      endRelayed |= copy instanceof Http2HeadersFrame h && h.isEndStream()
          || copy instanceof Http2DataFrame d && d.isEndStream();
      front.writeAndFlush(copy);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!endRelayed) {
        front.close(); // the backend stream died mid-call: reset the public stream too
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("gRPC backend stream failed", cause);
      ctx.close();
    }
  }
}
