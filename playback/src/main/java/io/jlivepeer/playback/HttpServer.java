package io.jlivepeer.playback;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP/1.1 server (playback, push ingest and whatever else the node mounts as {@link Route}s).
 *
 * <p>Thread model: Netty event loops ({@code http-io-*}) only parse and write bytes; every handler runs on its own
 * virtual thread ({@code http-handler-*}); at most {@link HttpServerConfig#maxConcurrentRequests()} run at once.
 * Requests are aggregated in memory up to {@link HttpServerConfig#maxRequestBytes()}; responses are written whole
 * (no chunked streaming). Every response carries CORS headers allowing any origin.
 *
 * <pre>{@code
 * try (HttpServer server = HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0), List.of(route))) {
 *   int port = server.port();
 * }
 * }</pre>
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ExecutorService handlers;
  private final ChannelGroup channels;
  private final Channel serverChannel;

  private HttpServer(
      EventLoopGroup boss, EventLoopGroup workers, ExecutorService handlers, ChannelGroup channels, Channel server) {
    this.boss = boss;
    this.workers = workers;
    this.handlers = handlers;
    this.channels = channels;
    this.serverChannel = server;
  }

  /**
   * Binds and starts serving {@code routes}.
   *
   * @throws PlaybackException when the address cannot be bound (in use, not local, no permission)
   */
  public static HttpServer start(HttpServerConfig config, List<Route> routes) {
    List<Route> mounted = List.copyOf(routes);
    EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("http-accept", true));
    EventLoopGroup workers = new NioEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("http-io", true));
    ExecutorService handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-handler-", 0).factory());
    ChannelGroup channels = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    Router router = new Router(mounted, handlers, config.maxConcurrentRequests());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            channels.add(ch);
            ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .addLast("codec", new HttpServerCodec(config.maxInitialLineBytes(), config.maxHeaderBytes(), 8192))
                .addLast("aggregator", new LimitedHttpAggregator(config.maxRequestBytes()))
                .addLast("dispatcher", new HttpDispatcher(router));
          }
        });
    try {
      Channel server = bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
      channels.add(server);
      HttpServer started = new HttpServer(boss, workers, handlers, channels, server);
      log.info("HTTP server listening on {} with routes {}", started.address(),
          mounted.stream().map(Route::pathPrefix).toList());
      return started;
    } catch (Exception e) { // Netty rethrows the checked BindException undeclared
      shutdown(boss, workers, handlers);
      throw new PlaybackException("could not listen for HTTP on " + config.host() + ":" + config.port()
          + " (" + e.getMessage() + "); pick a free port or another bind address", e);
    }
  }

  /** The bound address (the real port when the config asked for 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public int port() {
    return address().getPort();
  }

  /** Stops accepting, closes every connection and waits briefly for the event loops to finish. */
  @Override
  public void close() {
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    shutdown(boss, workers, handlers);
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers, ExecutorService handlers) {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    handlers.shutdown();
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
