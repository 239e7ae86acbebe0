package io.jlivepeer.wire;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * O's one TLS port (wire.md "Transport"): gRPC and plain HTTPS share it. ALPN picks HTTP/2 or HTTP/1.1; on
 * HTTP/2 each stream is routed by its {@code content-type}: {@code application/grpc*} streams go to the gRPC
 * services, every other stream (and every HTTP/1.1 request) to the HTTP pipeline the caller supplies.
 *
 * <p>The HTTP pipeline is built by {@code httpPipeline}, which appends handlers that read {@link
 * io.netty.handler.codec.http.HttpObject}s and write HTTP responses, the same for HTTP/1.1 connections and for
 * each HTTP/2 stream (a stream gets its own child channel; HTTP/1.1 handlers see keep-alive connections).
 *
 * <p>Threads: Netty event loops do socket I/O only; the gRPC services run on grpc-java's executor (give
 * blocking work your own executor), HTTP handlers must hand blocking work off themselves. The gRPC services
 * run in a grpc-java server bound to loopback on an ephemeral port, which the public port relays to.
 */
public final class ServicePort implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServicePort.class);
  /** HTTP/2 stream window: 1 MiB (as grpc-java's own), so an upload is not paced by 64 KiB round trips. */
  static final int STREAM_WINDOW_BYTES = 1 << 20;
  private static final int DEFAULT_WINDOW_BYTES = 65_535;

  private final Server grpcServer;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final Channel serverChannel;

  private ServicePort(Server grpcServer, EventLoopGroup bossGroup, EventLoopGroup workerGroup, Channel serverChannel) {
    this.grpcServer = grpcServer;
    this.bossGroup = bossGroup;
    this.workerGroup = workerGroup;
    this.serverChannel = serverChannel;
  }

  /**
   * Binds the port and starts serving.
   *
   * @param config address and limits
   * @param identity the TLS certificate and key (see {@link TlsIdentity#loadOrCreate})
   * @param grpcServices e.g. {@code List.of(myOrchestratorImpl.bindService())}
   * @param httpPipeline appends the HTTP handlers (called once per HTTP/1.1 connection or HTTP/2 stream)
   */
  public static ServicePort start(ServicePortConfig config, TlsIdentity identity,
      List<ServerServiceDefinition> grpcServices, Consumer<ChannelPipeline> httpPipeline) {
    SslContext ssl = sslContext(identity);
    Server grpc = startGrpc(config, grpcServices);
    InetSocketAddress backend = (InetSocketAddress) grpc.getListenSockets().get(0);
    EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("service-accept", true));
    EventLoopGroup workers = new NioEventLoopGroup(config.workerThreads(), new DefaultThreadFactory("service-io", true));
    try {
      Channel channel = new ServerBootstrap()
          .group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new Negotiation(config, backend, httpPipeline));
            }
          })
          .bind(config.host(), config.port())
          .syncUninterruptibly()
          .channel();
      ServicePort port = new ServicePort(grpc, boss, workers, channel);
      log.info("service port listening on {} (TLS: gRPC + HTTPS)", port.address());
      return port;
    } catch (RuntimeException e) {
      grpc.shutdownNow();
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new WireException(500, "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage()
          + " (is another node using -serviceAddr?)", e);
    }
  }

  /** The bound address (the real port when the config asked for port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** The loopback gRPC server behind the port (tests stop it to see how callers are answered). */
  Server grpcBackend() {
    return grpcServer;
  }

  /** Stops accepting, closes connections, stops the gRPC services; waits up to a few seconds. */
  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    grpcServer.shutdown();
    bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      if (!grpcServer.awaitTermination(2, TimeUnit.SECONDS)) {
        grpcServer.shutdownNow();
      }
    } catch (InterruptedException e) {
      grpcServer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static Server startGrpc(ServicePortConfig config, List<ServerServiceDefinition> services) {
    NettyServerBuilder builder = NettyServerBuilder
        .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .maxInboundMessageSize(config.maxGrpcMessageBytes())
        .maxInboundMetadataSize(config.maxHeaderBytes());
    services.forEach(builder::addService);
    try {
      return builder.build().start();
    } catch (IOException e) {
      throw new WireException(500, "cannot start the gRPC services on loopback: " + e.getMessage(), e);
    }
  }

  private static SslContext sslContext(TlsIdentity identity) {
    try {
      return SslContextBuilder.forServer(identity.privateKey(), identity.certificate())
          .sslProvider(SslProvider.JDK)
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException e) {
      throw new WireException(500, "cannot use the TLS certificate: " + e.getMessage(), e);
    }
  }

  /** Picks HTTP/2 or HTTP/1.1 once TLS has negotiated; a client without ALPN gets HTTP/1.1. */
  private static final class Negotiation extends ApplicationProtocolNegotiationHandler {
    private final ServicePortConfig config;
    private final InetSocketAddress backend;
    private final Consumer<ChannelPipeline> httpPipeline;

    Negotiation(ServicePortConfig config, InetSocketAddress backend, Consumer<ChannelPipeline> httpPipeline) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.config = config;
      this.backend = backend;
      this.httpPipeline = httpPipeline;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        ctx.pipeline().addLast(
            Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                    .maxConcurrentStreams(config.maxConcurrentStreams())
                    .initialWindowSize(STREAM_WINDOW_BYTES)
                    .maxHeaderListSize(config.maxHeaderBytes()))
                .build(),
            new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new StreamRouter(backend, httpPipeline));
              }
            }));
        // The connection window too (the settings above only widen each stream's).
        ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(STREAM_WINDOW_BYTES * 4 - DEFAULT_WINDOW_BYTES));
      } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
        ctx.pipeline().addLast(new HttpServerCodec(8192, config.maxHeaderBytes(), 8192));
        httpPipeline.accept(ctx.pipeline());
      } else {
        log.debug("closing a connection that negotiated unknown protocol {}", protocol);
        ctx.close();
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("TLS handshake failed from {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** Sends an HTTP/2 stream to the gRPC relay or to the HTTP pipeline, by its first HEADERS frame. */
  static final class StreamRouter extends ChannelInboundHandlerAdapter {
    private final InetSocketAddress backend;
    private final Consumer<ChannelPipeline> httpPipeline;

    StreamRouter(InetSocketAddress backend, Consumer<ChannelPipeline> httpPipeline) {
      this.backend = backend;
      this.httpPipeline = httpPipeline;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof Http2HeadersFrame headers)) {
        ReferenceCountUtil.release(msg); // nothing can precede a stream's first HEADERS
        ctx.close();
        return;
      }
      CharSequence type = headers.headers().get("content-type");
      ChannelPipeline pipeline = ctx.pipeline();
      if (type != null && type.toString().toLowerCase(Locale.ROOT).startsWith("application/grpc")) {
        pipeline.replace(this, "grpc-relay", new GrpcStreamRelay(backend));
      } else {
        pipeline.addLast(new Http2StreamFrameToHttpObjectCodec(true));
        httpPipeline.accept(pipeline);
        pipeline.remove(this);
      }
      ctx.fireChannelRead(msg);
    }
  }
}
