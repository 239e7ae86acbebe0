package io.jlivepeer.ingest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An RTMP publishing client for tests and load benchmarks: connects, handshakes, runs connect / releaseStream /
 * FCPublish / createStream / publish, then sends FLV tags (from {@link FlvReader}) paced at real time or as fast
 * as the socket takes them, optionally looping with timestamps that keep increasing.
 *
 * <p>Many publishers share one caller-owned NIO {@link EventLoopGroup}; each is a single channel whose pacing is
 * done with event loop timers, so hundreds fit on two cores. The tag list is shared, never copied.
 */
public final class RtmpPublisher implements AutoCloseable {
  private static final int HANDSHAKE_BYTES = 1 + 2 * 1536;
  private static final int CONNECT_TX = 1;
  private static final int CREATE_STREAM_TX = 4;
  /** Tags one publisher writes before letting the others on its event loop run. */
  private static final int WRITES_PER_TURN = 64;

  /**
   * How to send.
   *
   * @param realTime pace tags by their timestamps (like ffmpeg {@code -re}); false sends as fast as possible
   * @param loop start over at the end, shifting timestamps so they keep increasing; false ends the publish
   */
  public record Options(boolean realTime, boolean loop) {}

  private final Channel channel;
  private final Session session;

  private RtmpPublisher(Channel channel, Session session) {
    this.channel = channel;
    this.session = session;
  }

  /**
   * Connects to {@code url} ({@code rtmp://host[:port]/app/name...}) and starts publishing {@code tags}.
   * Returns at once; see {@link #publishing()} and {@link #finished()}.
   */
  public static RtmpPublisher start(EventLoopGroup group, URI url, List<FlvReader.Tag> tags, Options options) {
    Objects.requireNonNull(group, "group");
    if (!"rtmp".equals(url.getScheme()) || url.getHost() == null) {
      throw new IngestException("not an rtmp:// URL: " + url);
    }
    String path = url.getPath() == null ? "" : url.getPath().replaceAll("^/+", "");
    int slash = path.indexOf('/');
    String app = slash < 0 ? path : path.substring(0, slash);
    String name = slash < 0 ? "" : path.substring(slash + 1);
    int port = url.getPort() < 0 ? RtmpConfig.DEFAULT_PORT : url.getPort();
    String tcUrl = "rtmp://" + url.getHost() + ":" + port + "/" + app;
    Session session = new Session(app, name, tcUrl, List.copyOf(tags), options);
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            RtmpChunkDecoder decoder = new RtmpChunkDecoder(0xFFFFFF, 0xFFFFFF, 64);
            ch.pipeline().addLast("handshake", new RtmpClientHandshake());
            ch.pipeline().addLast("chunkDecoder", decoder);
            ch.pipeline().addLast("chunkEncoder", session.encoder);
            ch.pipeline().addLast("control", new RtmpControlHandler(decoder));
            ch.pipeline().addLast("publisher", session);
          }
        });
    Channel channel = bootstrap.connect(url.getHost(), port).addListener((ChannelFutureListener) f -> {
      if (!f.isSuccess()) {
        session.fail(new IngestException("could not connect to " + url + ": " + f.cause().getMessage(), f.cause()));
      }
    }).channel();
    return new RtmpPublisher(channel, session);
  }

  /** Completes when the server answered NetStream.Publish.Start; fails when it refused or the connection broke. */
  public CompletableFuture<Void> publishing() {
    return session.publishing;
  }

  /**
   * Completes once every tag is sent and the publish is ended cleanly (never, while looping, until
   * {@link #close()}); fails when the server refused the publish or closed the connection first.
   */
  public CompletableFuture<Void> finished() {
    return session.finished;
  }

  /** Bytes written to the socket so far, handshake included. */
  public long bytesSent() {
    return HANDSHAKE_BYTES + session.encoder.bytesWritten();
  }

  /** FLV tags sent so far. */
  public long tagsSent() {
    return session.tagsSent;
  }

  /**
   * Ends the publish (FCUnpublish, deleteStream) and closes the connection; waits up to 5 s for the close unless
   * called on the publisher's own event loop, which must never block.
   */
  @Override
  public void close() {
    if (channel.eventLoop().inEventLoop()) {
      session.stop();
      return;
    }
    channel.eventLoop().execute(session::stop);
    channel.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** The client side of the NetConnection; everything runs on the channel's event loop. */
  private static final class Session extends ChannelInboundHandlerAdapter {
    final RtmpChunkEncoder encoder = new RtmpChunkEncoder();
    final CompletableFuture<Void> publishing = new CompletableFuture<>();
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final String app;
    private final String name;
    private final String tcUrl;
    private final List<FlvReader.Tag> tags;
    private final Options options;
    private final long firstTimestamp;
    private final long loopDuration;
    private ChannelHandlerContext ctx;
    private int streamId;
    private boolean sending;
    private boolean stopped;
    private int index;
    private long loopOffset;
    private int loops;
    private int sentThisPass;
    private long startNanos;
    volatile long tagsSent;

    Session(String app, String name, String tcUrl, List<FlvReader.Tag> tags, Options options) {
      this.app = app;
      this.name = name;
      this.tcUrl = tcUrl;
      this.tags = tags;
      this.options = options;
      this.firstTimestamp = tags.isEmpty() ? 0 : tags.get(0).timestampMillis();
      this.loopDuration = loopDuration(tags);
    }

    /** Clip length plus one video frame interval, so the first frame of the next pass does not repeat a time. */
    private static long loopDuration(List<FlvReader.Tag> tags) {
      long first = -1;
      long last = 0;
      int videos = 0;
      long end = 0;
      for (FlvReader.Tag t : tags) {
        end = Math.max(end, t.timestampMillis());
        if (t.type() == FlvReader.Tag.VIDEO && !t.isSequenceHeader()) {
          first = first < 0 ? t.timestampMillis() : first;
          last = t.timestampMillis();
          videos++;
        }
      }
      long frame = videos > 1 ? Math.max(1, (last - first) / (videos - 1)) : 40;
      long start = tags.isEmpty() ? 0 : tags.get(0).timestampMillis();
      return end - start + frame;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == HandshakeCompleted.INSTANCE) {
        ctx.write(RtmpMessages.setChunkSize(RtmpSessionHandler.OUT_CHUNK_SIZE));
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("app", app);
        props.put("type", "nonprivate");
        props.put("flashVer", "FMLE/3.0 (compatible; jlivepeer)");
        props.put("tcUrl", tcUrl);
        ctx.writeAndFlush(RtmpMessages.command(0, "connect", (double) CONNECT_TX, props));
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof RtmpMessage m)) {
        ctx.fireChannelRead(msg);
        return;
      }
      try {
        if (m.type() == RtmpMessage.COMMAND_AMF0) {
          onCommand(Amf0.decodeAll(m.content()));
        }
      } finally {
        m.release();
      }
    }

    private void onCommand(List<Object> values) {
      String command = values.isEmpty() ? "" : String.valueOf(values.get(0));
      double txid = values.size() > 1 && values.get(1) instanceof Double d ? d : 0;
      Object info = values.size() > 3 ? values.get(3) : Amf0.Special.UNDEFINED;
      switch (command) {
        case "_result" -> {
          if (txid == CONNECT_TX) {
            ctx.write(RtmpMessages.command(0, "releaseStream", 2.0, Amf0.Special.NULL, name));
            ctx.write(RtmpMessages.command(0, "FCPublish", 3.0, Amf0.Special.NULL, name));
            ctx.writeAndFlush(RtmpMessages.command(0, "createStream", (double) CREATE_STREAM_TX, Amf0.Special.NULL));
          } else if (txid == CREATE_STREAM_TX) {
            streamId = info instanceof Double d ? d.intValue() : 1;
            ctx.writeAndFlush(RtmpMessages.command(streamId, "publish", 5.0, Amf0.Special.NULL, name, "live"));
          }
        }
        case "_error" -> fail(new IngestException("server refused " + (txid == CONNECT_TX ? "connect" : "a command")
            + ": " + describe(info)));
        case "onStatus" -> {
          Object status = values.size() > 3 ? values.get(3) : Amf0.Special.UNDEFINED;
          if (status instanceof Map<?, ?> s && "NetStream.Publish.Start".equals(s.get("code"))) {
            publishing.complete(null);
            sending = true;
            startNanos = System.nanoTime();
            pump();
          } else if (status instanceof Map<?, ?> s && "error".equals(s.get("level"))) {
            fail(new IngestException("server refused the publish: " + describe(status)));
          }
        }
        default -> {
          // onBWDone, onFCPublish and the like need no answer from a publisher
        }
      }
    }

    private static String describe(Object info) {
      return info instanceof Map<?, ?> m ? m.get("code") + " " + m.get("description") : String.valueOf(info);
    }

    /** Sends every tag that is due, then waits for the next due time or for the socket to drain. */
    private void pump() {
      if (!sending || stopped || !ctx.channel().isActive()) {
        return;
      }
      long now = System.nanoTime();
      int budget = WRITES_PER_TURN;
      while (ctx.channel().isWritable()) {
        if (index == tags.size()) {
          // Stop at the end, or when a whole pass had nothing to send again (only headers): looping would spin.
          if (!options.loop() || sentThisPass == 0) {
            ctx.flush();
            stop();
            return;
          }
          index = 0;
          loops++;
          sentThisPass = 0;
          loopOffset += loopDuration;
        }
        FlvReader.Tag tag = tags.get(index);
        if (loops > 0 && (tag.isSequenceHeader() || tag.type() == FlvReader.Tag.SCRIPT)) {
          index++; // the decoder keeps its configuration across passes
          continue;
        }
        long time = tag.timestampMillis() - firstTimestamp + loopOffset;
        if (options.realTime()) {
          long due = startNanos + TimeUnit.MILLISECONDS.toNanos(time);
          if (due > now) {
            ctx.flush();
            ctx.executor().schedule(this::pump, due - now, TimeUnit.NANOSECONDS);
            return;
          }
        }
        if (budget-- == 0) {
          // Yield so the other publishers sharing this event loop get their turn.
          ctx.flush();
          ctx.executor().execute(this::pump);
          return;
        }
        ctx.write(toMessage(tag, time));
        index++;
        sentThisPass++;
        tagsSent++;
      }
      ctx.flush(); // not writable: channelWritabilityChanged resumes
    }

    private RtmpMessage toMessage(FlvReader.Tag tag, long time) {
      if (tag.type() == FlvReader.Tag.SCRIPT) {
        // Over RTMP the metadata travels as @setDataFrame("onMetaData", ...), which servers store for players.
        ByteBuf prefix = Unpooled.buffer(16);
        Amf0.encode(prefix, "@setDataFrame");
        return new RtmpMessage(RtmpMessage.DATA_AMF0, streamId, time,
            Unpooled.wrappedBuffer(prefix, Unpooled.wrappedBuffer(tag.body())));
      }
      return new RtmpMessage(tag.type(), streamId, time, Unpooled.wrappedBuffer(tag.body()));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      if (ctx.channel().isWritable()) {
        pump();
      }
      super.channelWritabilityChanged(ctx);
    }

    /** Ends the publish politely and closes. */
    void stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      if (ctx != null && ctx.channel().isActive()) {
        if (streamId != 0) {
          ctx.write(RtmpMessages.command(0, "FCUnpublish", 6.0, Amf0.Special.NULL, name));
          ctx.write(RtmpMessages.command(0, "deleteStream", 7.0, Amf0.Special.NULL, (double) streamId));
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE)
            .addListener(f -> finished.complete(null));
      } else {
        finished.complete(null);
      }
    }

    void fail(Throwable t) {
      publishing.completeExceptionally(t);
      finished.completeExceptionally(t);
      if (ctx != null) {
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (!stopped) {
        fail(new IngestException("the server closed the connection"));
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
    }
  }
}
