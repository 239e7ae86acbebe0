package io.jlivepeer.ingest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTMP ingest server: accepts publishers on {@link RtmpConfig#bindAddress()} and hands each accepted
 * publish's media to the {@link StreamSink} its {@link PublishListener} returns. See the package documentation
 * for the pipeline and thread model.
 */
public final class RtmpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RtmpServer.class);

  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final ChannelGroup channels;
  private final PublishRegistry registry;
  private final InetSocketAddress localAddress;

  private RtmpServer(EventLoopGroup acceptor, EventLoopGroup workers, Channel serverChannel, ChannelGroup channels,
      PublishRegistry registry, InetSocketAddress localAddress) {
    this.serverChannel = serverChannel;
    this.acceptor = acceptor;
    this.workers = workers;
    this.channels = channels;
    this.registry = registry;
    this.localAddress = localAddress;
  }

  /** Binds and starts serving; fails with an {@link IngestException} when the address cannot be bound. */
  public static RtmpServer start(RtmpConfig config, PublishListener listener) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(listener, "listener");
    EventLoopGroup acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("rtmp-accept", true));
    EventLoopGroup workers = new NioEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("rtmp-io", true));
    ChannelGroup channels = new DefaultChannelGroup("rtmp", GlobalEventExecutor.INSTANCE);
    PublishRegistry registry = new PublishRegistry(config.maxStreams());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (channels.size() >= config.maxConnections()) {
              log.warn("RTMP {}: closing connection: {} connections open (RtmpConfig.maxConnections)",
                  ch.remoteAddress(), config.maxConnections());
              ch.close();
              return;
            }
            channels.add(ch);
            pipeline(ch.pipeline(), config, listener, registry);
          }
        });
    try {
      Channel server = bootstrap.bind(config.bindAddress()).syncUninterruptibly().channel();
      InetSocketAddress bound = (InetSocketAddress) server.localAddress();
      log.info("RTMP ingest listening on {}", bound);
      return new RtmpServer(acceptor, workers, server, channels, registry, bound);
    } catch (Exception e) { // Netty rethrows the checked BindException undeclared
      acceptor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IngestException("could not listen for RTMP on " + config.bindAddress() + ": " + e.getMessage()
          + " (is another server using the port? change the RTMP bind address)", e);
    }
  }

  /** The publisher-side pipeline, in order (see package-info). */
  static void pipeline(ChannelPipeline p, RtmpConfig config, PublishListener listener, PublishRegistry registry) {
    RtmpChunkDecoder decoder = new RtmpChunkDecoder(config.maxChunkSize(), config.maxMessageLength(),
        config.maxChunkStreams());
    RtmpControlHandler control = new RtmpControlHandler(decoder);
    p.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    p.addLast("handshake", new RtmpServerHandshake(config.handshakeTimeout()));
    p.addLast("chunkDecoder", decoder);
    p.addLast("chunkEncoder", new RtmpChunkEncoder());
    p.addLast("control", control);
    p.addLast("session", new RtmpSessionHandler(config, listener, registry, control));
  }

  /** The bound address, with the real port when the config asked for port 0. */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /** Publishes live right now. */
  public int activeStreams() {
    return registry.size();
  }

  /** Whether a publisher is live on {@code manifestId}. */
  public boolean isLive(String manifestId) {
    return registry.isLive(manifestId);
  }

  /**
   * Ends the live publish of {@code manifestId}, if there is one: the publisher gets {@code reason} in an
   * {@code onStatus} error and its connection is closed; other streams go on. Returns whether one was live.
   */
  public boolean endPublish(String manifestId, String reason) {
    Optional<Object> owner = registry.owner(manifestId);
    owner.ifPresent(o -> ((RtmpSessionHandler) o).revoke(manifestId, reason));
    return owner.isPresent();
  }

  /** Stops accepting, closes every connection (each live sink gets {@code onClose("server shutting down")}). */
  @Override
  public void close() {
    registry.shutDown();
    serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    log.info("RTMP ingest on {} stopped", localAddress);
  }
}
