package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publish side of an RTMP NetConnection (Adobe RTMP spec section 7.2): answers connect, releaseStream,
 * FCPublish, createStream and publish; forwards metadata, H.264 and AAC to the {@link StreamSink} the
 * {@link PublishListener} chose; ends the publish on FCUnpublish, deleteStream, closeStream, disconnect, protocol
 * error, unsupported codec, idle timeout or shutdown, calling {@link StreamSink#onClose} exactly once.
 *
 * <p>It is the last handler of the pipeline, so every protocol error raised before it lands in
 * {@link #exceptionCaught} and is logged here, once, with the remote address and stream, before the close.
 */
final class RtmpSessionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RtmpSessionHandler.class);
  /** Chunk size we send with; ffmpeg and OBS use the same. */
  static final int OUT_CHUNK_SIZE = 4096;
  private static final Pattern MANIFEST_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final List<String> APPS = List.of("live", "stream");

  /** One accepted publish. */
  private static final class Publish {
    final String manifestId;
    final StreamSink sink;
    final int streamId;
    boolean videoConfig;
    boolean audioConfig;
    long videoFrames;
    long audioFrames;

    Publish(String manifestId, StreamSink sink, int streamId) {
      this.manifestId = manifestId;
      this.sink = sink;
      this.streamId = streamId;
    }
  }

  private final PublishListener listener;
  private final PublishRegistry registry;
  private final RtmpControlHandler control;
  private final RtmpConfig config;
  private String app = "";
  private boolean connected;
  private int nextStreamId = 1;
  private Optional<Publish> publish = Optional.empty();
  private boolean closing;
  private volatile ChannelHandlerContext context;

  RtmpSessionHandler(RtmpConfig config, PublishListener listener, PublishRegistry registry,
      RtmpControlHandler control) {
    this.config = config;
    this.listener = listener;
    this.registry = registry;
    this.control = control;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  /**
   * Ends this connection's publish from outside (the stream was deleted or suspended): on the channel's event loop,
   * tells the publisher why ({@code NetStream.Publish.Rejected}), ends the publish and closes. Any thread.
   */
  void revoke(String manifestId, String reason) {
    ChannelHandlerContext ctx = context;
    if (ctx == null) {
      return;
    }
    ctx.executor().execute(() -> publish.filter(p -> p.manifestId.equals(manifestId))
        .ifPresent(p -> rejectMedia(ctx, p, reason)));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof RtmpMessage m)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (!closing) {
        dispatch(ctx, m.type(), m.streamId(), m.timestamp(), m.content());
      }
    } finally {
      m.release();
    }
  }

  private void dispatch(ChannelHandlerContext ctx, int type, int streamId, long timestamp, ByteBuf body) {
    switch (type) {
      case RtmpMessage.COMMAND_AMF0 -> onCommand(ctx, streamId, Amf0.decodeAll(body));
      // AMF3 command and data messages start with a format byte; the values that follow are AMF0 for any
      // client that did not ask for AMF3 object encoding, which we never grant.
      case RtmpMessage.COMMAND_AMF3 -> onCommand(ctx, streamId, Amf0.decodeAll(skipFormatByte(body)));
      case RtmpMessage.DATA_AMF0 -> onData(ctx, Amf0.decodeAll(body));
      case RtmpMessage.DATA_AMF3 -> onData(ctx, Amf0.decodeAll(skipFormatByte(body)));
      case RtmpMessage.VIDEO -> onVideo(ctx, body, timestamp);
      case RtmpMessage.AUDIO -> onAudio(ctx, body, timestamp);
      case RtmpMessage.AGGREGATE -> onAggregate(ctx, streamId, timestamp, body);
      default -> log.debug("RTMP {}: ignoring message type {}", ctx.channel().remoteAddress(), type);
    }
  }

  /** An empty AMF3 message has no format byte either: it then reads as an empty AMF0 one (found by fuzzing). */
  private static ByteBuf skipFormatByte(ByteBuf body) {
    return body.isReadable() ? body.skipBytes(1) : body;
  }

  // ---- commands

  private void onCommand(ChannelHandlerContext ctx, int streamId, List<Object> values) {
    if (values.isEmpty() || !(values.get(0) instanceof String name)) {
      throw new RtmpProtocolException("command message without a command name");
    }
    double txid = values.size() > 1 && values.get(1) instanceof Double d ? d : 0;
    if (!connected && !name.equals("connect")) {
      throw new RtmpProtocolException("command '" + name + "' before connect");
    }
    switch (name) {
      case "connect" -> connect(ctx, txid, arg(values, 2));
      case "releaseStream" -> reply(ctx, txid, "_result", Amf0.Special.NULL);
      case "FCPublish" -> ctx.writeAndFlush(RtmpMessages.command(0, "onFCPublish", 0.0, Amf0.Special.NULL,
          status("status", "NetStream.Publish.Start", "FCPublish " + stringArg(values, 3))));
      case "createStream" -> reply(ctx, txid, "_result", (double) nextStreamId++);
      case "publish" -> publish(ctx, streamId, stringArg(values, 3));
      case "FCUnpublish", "deleteStream", "closeStream" -> {
        if (publish.isPresent()) {
          int publishedOn = publish.get().streamId;
          endPublish("publisher ended the stream");
          if (name.equals("FCUnpublish")) {
            ctx.writeAndFlush(onStatus(publishedOn, "status", "NetStream.Unpublish.Success", "stream unpublished"));
          }
        }
      }
      case "play", "play2" -> refuse(ctx, streamId, "NetStream.Play.Failed",
          "this server only accepts publishing; watch over HLS");
      default -> {
        log.debug("RTMP {}: ignoring command '{}'", ctx.channel().remoteAddress(), name);
        if (txid != 0) {
          ctx.writeAndFlush(RtmpMessages.command(0, "_error", txid, Amf0.Special.NULL,
              status("error", "NetConnection.Call.Failed", "unsupported command '" + name + "'")));
        }
      }
    }
  }

  private void connect(ChannelHandlerContext ctx, double txid, Object commandObject) {
    if (connected) {
      throw new RtmpProtocolException("second connect on one connection");
    }
    Map<?, ?> props = commandObject instanceof Map<?, ?> m ? m : Map.of();
    app = props.get("app") instanceof String a ? stripSlashes(a) : "";
    String root = app.contains("/") ? app.substring(0, app.indexOf('/')) : app;
    // ffmpeg puts the manifest id into app when the URL also has a stream key (app "live/<id>", name "<key>"),
    // so only the first segment names the application.
    if (!root.isEmpty() && !APPS.contains(root)) {
      String reason = "unknown application '" + root + "'; publish to rtmp://<host>:" + RtmpConfig.DEFAULT_PORT
          + "/live/<manifestID>";
      ctx.writeAndFlush(RtmpMessages.command(0, "_error", txid, Amf0.Special.NULL,
          status("error", "NetConnection.Connect.Rejected", reason)));
      closeWithReason(ctx, reason);
      return;
    }
    connected = true;
    ctx.write(RtmpMessages.windowAckSize(RtmpControlHandler.DEFAULT_WINDOW));
    control.announcedWindow(RtmpControlHandler.DEFAULT_WINDOW);
    ctx.write(RtmpMessages.setPeerBandwidth(RtmpControlHandler.DEFAULT_WINDOW, RtmpMessages.BANDWIDTH_DYNAMIC));
    ctx.write(RtmpMessages.setChunkSize(OUT_CHUNK_SIZE));
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("fmsVer", "FMS/3,5,7,7009");
    server.put("capabilities", 31.0);
    server.put("mode", 1.0);
    Map<String, Object> info = status("status", "NetConnection.Connect.Success", "Connection succeeded.");
    info.put("objectEncoding", 0.0);
    ctx.writeAndFlush(RtmpMessages.command(0, "_result", txid, server, info));
  }

  private void publish(ChannelHandlerContext ctx, int streamId, String rawName) {
    if (publish.isPresent()) {
      refuse(ctx, streamId, "NetStream.Publish.BadName", "this connection is already publishing");
      return;
    }
    String name = rawName.contains("?") ? rawName.substring(0, rawName.indexOf('?')) : rawName;
    List<String> segments = java.util.Arrays.stream((app + "/" + name).split("/")).filter(s -> !s.isEmpty())
        .toList();
    String root = segments.isEmpty() ? "" : segments.get(0);
    if (!APPS.contains(root)) {
      refuse(ctx, streamId, "NetStream.Publish.BadName",
          "publish to rtmp://<host>:" + RtmpConfig.DEFAULT_PORT + "/live/<manifestID>[/<streamKey>]");
      return;
    }
    if (segments.size() > 3) {
      refuse(ctx, streamId, "NetStream.Publish.BadName", "too many path segments in '" + app + "/" + name
          + "'; use /live/<manifestID>[/<streamKey>]");
      return;
    }
    Optional<String> key = segments.size() == 3 ? Optional.of(segments.get(2)) : Optional.empty();
    String manifestId;
    if (segments.size() >= 2) {
      manifestId = segments.get(1);
      if (!MANIFEST_ID.matcher(manifestId).matches()) {
        refuse(ctx, streamId, "NetStream.Publish.BadName",
            "invalid manifest id (use 1 to 128 letters, digits, '-' or '_')");
        return;
      }
    } else {
      manifestId = generateManifestId();
    }
    Optional<String> refusal = registry.claim(manifestId, this);
    if (refusal.isPresent()) {
      refuse(ctx, streamId, "NetStream.Publish.BadName", refusal.get());
      return;
    }
    var remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a
        : InetSocketAddress.createUnresolved("unknown", 0);
    var request = new PublishRequest(root, manifestId, key, remote);
    Optional<StreamSink> sink;
    String reason = "publish refused";
    try {
      sink = listener.onPublish(request);
    } catch (IngestException e) {
      sink = Optional.empty();
      reason = e.getMessage();
    } catch (RuntimeException e) {
      log.error("RTMP {}: publish listener failed for stream {}", ctx.channel().remoteAddress(), manifestId, e);
      sink = Optional.empty();
      reason = "publish refused (server error)";
    }
    if (sink.isEmpty()) {
      registry.release(manifestId, this);
      refuse(ctx, streamId, "NetStream.Publish.BadName", reason);
      return;
    }
    publish = Optional.of(new Publish(manifestId, sink.get(), streamId));
    log.info("RTMP {}: publish of stream {} started", ctx.channel().remoteAddress(), manifestId);
    ctx.write(RtmpMessages.userControl(RtmpMessages.STREAM_BEGIN, streamId));
    ctx.writeAndFlush(onStatus(streamId, "status", "NetStream.Publish.Start", manifestId + " is now published."));
  }

  private static String generateManifestId() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  /** Refuses a publish or play: tells the peer why, logs it, closes. */
  private void refuse(ChannelHandlerContext ctx, int streamId, String code, String reason) {
    ctx.writeAndFlush(onStatus(streamId, "error", code, reason));
    closeWithReason(ctx, "refused (" + code + "): " + reason);
  }

  // ---- data and media

  private void onData(ChannelHandlerContext ctx, List<Object> values) {
    if (publish.isEmpty()) {
      return;
    }
    int i = !values.isEmpty() && "@setDataFrame".equals(values.get(0)) ? 1 : 0;
    if (values.size() > i + 1 && "onMetaData".equals(values.get(i)) && values.get(i + 1) instanceof Map<?, ?> m) {
      Map<String, Object> metadata = new LinkedHashMap<>();
      m.forEach((k, v) -> metadata.put(k.toString(), v));
      Publish p = publish.get();
      callSink(ctx, () -> p.sink.onMetadata(Collections.unmodifiableMap(metadata)));
    }
  }

  private void onVideo(ChannelHandlerContext ctx, ByteBuf body, long timestamp) {
    if (publish.isEmpty()) {
      return; // media before publish has nowhere to go
    }
    Publish p = publish.get();
    switch (FlvTagParser.video(body, timestamp)) {
      case FlvTagParser.Config c -> {
        p.videoConfig = true;
        callSink(ctx, () -> p.sink.onVideoConfig(c.bytes()));
      }
      case FlvTagParser.Frame f -> {
        // AVCC frames cannot be decoded without the SPS/PPS, so frames ahead of the config are dropped.
        if (p.videoConfig) {
          p.videoFrames++;
          callSink(ctx, () -> p.sink.onFrame(f.frame()));
        }
      }
      case FlvTagParser.Skip s -> log.trace("RTMP stream {}: {}", p.manifestId, s.why());
      case FlvTagParser.Unsupported u -> rejectMedia(ctx, p, u.reason());
    }
  }

  private void onAudio(ChannelHandlerContext ctx, ByteBuf body, long timestamp) {
    if (publish.isEmpty()) {
      return;
    }
    Publish p = publish.get();
    switch (FlvTagParser.audio(body, timestamp)) {
      case FlvTagParser.Config c -> {
        p.audioConfig = true;
        callSink(ctx, () -> p.sink.onAudioConfig(c.bytes()));
      }
      case FlvTagParser.Frame f -> {
        if (p.audioConfig) {
          p.audioFrames++;
          callSink(ctx, () -> p.sink.onFrame(f.frame()));
        }
      }
      case FlvTagParser.Skip s -> log.trace("RTMP stream {}: {}", p.manifestId, s.why());
      case FlvTagParser.Unsupported u -> rejectMedia(ctx, p, u.reason());
    }
  }

  /**
   * An aggregate message (spec 7.1.6) packs FLV tags: type(1) size(3) time(3+1) stream(3) body back-pointer(4);
   * their times are relative to the first one and rebased on the aggregate's own timestamp.
   */
  private void onAggregate(ChannelHandlerContext ctx, int streamId, long timestamp, ByteBuf body) {
    long first = -1;
    while (body.readableBytes() >= 11 && !closing) {
      int type = body.readUnsignedByte();
      int size = body.readUnsignedMedium();
      long time = body.readUnsignedMedium() | (long) body.readUnsignedByte() << 24;
      body.skipBytes(3);
      if (body.readableBytes() < size + 4) {
        throw new RtmpProtocolException("aggregate message with a truncated " + size + "-byte sub-message");
      }
      if (first < 0) {
        first = time;
      }
      ByteBuf sub = body.readSlice(size);
      body.skipBytes(4);
      if (type == RtmpMessage.AUDIO || type == RtmpMessage.VIDEO || type == RtmpMessage.DATA_AMF0) {
        dispatch(ctx, type, streamId, timestamp + (time - first), sub);
      }
    }
  }

  private void rejectMedia(ChannelHandlerContext ctx, Publish p, String reason) {
    ctx.writeAndFlush(onStatus(p.streamId, "error", "NetStream.Publish.Rejected", reason));
    closeWithReason(ctx, reason);
  }

  private void callSink(ChannelHandlerContext ctx, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("RTMP {}: stream sink failed", ctx.channel().remoteAddress(), e);
      closeWithReason(ctx, "stream sink failed: " + e);
    }
  }

  // ---- endings

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      closeWithReason(ctx, "no data received for " + config.idleTimeout().toMillis()
          + " ms (RtmpConfig.idleTimeout)");
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (t instanceof IngestException) {
      closeWithReason(ctx, "protocol error: " + t.getMessage());
    } else if (t instanceof IOException) {
      log.debug("RTMP {}: I/O error: {}", ctx.channel().remoteAddress(), t.toString());
      ctx.close();
    } else {
      log.error("RTMP {}: unexpected error, closing the connection", ctx.channel().remoteAddress(), t);
      closeWithReason(ctx, "internal error");
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    endPublish(registry.shuttingDown() ? "server shutting down" : "publisher disconnected");
    super.channelInactive(ctx);
  }

  /** Logs why, ends any publish, and closes once pending writes (the onStatus telling the peer why) are out. */
  private void closeWithReason(ChannelHandlerContext ctx, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    log.warn("RTMP {} stream {}: closing connection: {}", ctx.channel().remoteAddress(),
        publish.map(p -> p.manifestId).orElse("-"), reason);
    endPublish(reason);
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void endPublish(String reason) {
    if (publish.isEmpty()) {
      return;
    }
    Publish p = publish.get();
    publish = Optional.empty();
    registry.release(p.manifestId, this);
    log.info("RTMP stream {}: publish ended after {} video and {} audio frames: {}", p.manifestId, p.videoFrames,
        p.audioFrames, reason);
    try {
      p.sink.onClose(reason);
    } catch (RuntimeException e) {
      log.warn("RTMP stream {}: stream sink failed in onClose", p.manifestId, e);
    }
  }

  // ---- helpers

  private static void reply(ChannelHandlerContext ctx, double txid, String name, Object result) {
    ctx.writeAndFlush(RtmpMessages.command(0, name, txid, Amf0.Special.NULL, result));
  }

  private static RtmpMessage onStatus(int streamId, String level, String code, String description) {
    return RtmpMessages.command(streamId, "onStatus", 0.0, Amf0.Special.NULL, status(level, code, description));
  }

  private static Map<String, Object> status(String level, String code, String description) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("level", level);
    info.put("code", code);
    info.put("description", description);
    return info;
  }

  private static Object arg(List<Object> values, int index) {
    return values.size() > index ? values.get(index) : Amf0.Special.UNDEFINED;
  }

  private static String stringArg(List<Object> values, int index) {
    return values.size() > index && values.get(index) instanceof String s ? s : "";
  }

  private static String stripSlashes(String s) {
    String t = s;
    while (t.startsWith("/")) {
      t = t.substring(1);
    }
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }
}
