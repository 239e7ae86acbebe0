package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.EsFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The publish conversation over EmbeddedChannels: a client-side chunk codec talks to the server pipeline. */
class RtmpSessionHandlerTest {
  private final List<PublishRequest> requests = new ArrayList<>();
  private final RecordingSink sink = new RecordingSink(true);
  private PublishListener listener = request -> {
    requests.add(request);
    return Optional.of(sink);
  };
  private final PublishRegistry registry = new PublishRegistry(10);
  private EmbeddedChannel server;
  private final EmbeddedChannel clientEncoder = new EmbeddedChannel(new RtmpChunkEncoder());
  private final EmbeddedChannel clientDecoder = new EmbeddedChannel(new RtmpChunkDecoder(65536, 1 << 20, 16));

  private void startServer() {
    RtmpConfig config = RtmpConfig.defaults();
    RtmpChunkDecoder decoder = new RtmpChunkDecoder(65536, 1 << 20, 16);
    RtmpControlHandler control = new RtmpControlHandler(decoder);
    server = new EmbeddedChannel(decoder, new RtmpChunkEncoder(), control,
        new RtmpSessionHandler(config, request -> listener.onPublish(request), registry, control));
  }

  private void send(RtmpMessage m) {
    clientEncoder.writeOutbound(m);
    for (ByteBuf b = clientEncoder.readOutbound(); b != null; b = clientEncoder.readOutbound()) {
      server.writeInbound(b);
    }
  }

  private List<RtmpMessage> received() {
    for (ByteBuf b = server.readOutbound(); b != null; b = server.readOutbound()) {
      clientDecoder.writeInbound(b);
    }
    List<RtmpMessage> out = new ArrayList<>();
    for (RtmpMessage m = clientDecoder.readInbound(); m != null; m = clientDecoder.readInbound()) {
      out.add(m);
    }
    return out;
  }

  private List<Object> commandValues(RtmpMessage m) {
    assertThat(m.type()).isEqualTo(RtmpMessage.COMMAND_AMF0);
    List<Object> values = Amf0.decodeAll(m.content());
    m.release();
    return values;
  }

  private static Map<Object, Object> info(List<Object> command) {
    return new java.util.HashMap<Object, Object>((Map<?, ?>) command.get(3));
  }

  private static RtmpMessage media(int type, long time, String hex) {
    return new RtmpMessage(type, 1, time, Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", ""))));
  }

  private void connect(String app) {
    send(RtmpMessages.command(0, "connect", 1.0, Map.of("app", app, "tcUrl", "rtmp://127.0.0.1/" + app)));
  }

  /** connect, releaseStream, FCPublish, createStream, publish; returns what the server said to publish. */
  private List<RtmpMessage> publish(String app, String name) {
    connect(app);
    send(RtmpMessages.command(0, "releaseStream", 2.0, Amf0.Special.NULL, name));
    send(RtmpMessages.command(0, "FCPublish", 3.0, Amf0.Special.NULL, name));
    send(RtmpMessages.command(0, "createStream", 4.0, Amf0.Special.NULL));
    received().forEach(RtmpMessage::release);
    send(RtmpMessages.command(1, "publish", 5.0, Amf0.Special.NULL, name, "live"));
    return received();
  }

  @Test
  void connectAnswersWindowBandwidthChunkSizeAndSuccess() {
    startServer();
    connect("live");
    List<RtmpMessage> out = received();
    // Set Chunk Size is consumed by the client's decoder, which then reads with 4096-byte chunks.
    assertThat(out).extracting(RtmpMessage::type).containsExactly(RtmpMessage.WINDOW_ACK_SIZE,
        RtmpMessage.SET_PEER_BANDWIDTH, RtmpMessage.COMMAND_AMF0);
    assertThat(out.get(0).content().getInt(0)).isEqualTo(2_500_000);
    assertThat(out.get(1).content().getByte(4)).isEqualTo((byte) 2); // dynamic
    List<Object> result = commandValues(out.get(2));
    assertThat(result.get(0)).isEqualTo("_result");
    assertThat(result.get(1)).isEqualTo(1.0);
    assertThat(info(result)).containsEntry("code", "NetConnection.Connect.Success");
    out.subList(0, 2).forEach(RtmpMessage::release);
  }

  @Test
  void publishStartsStreamAndForwardsMediaUntilDeleteStream() {
    startServer();
    List<RtmpMessage> out = publish("live", "abc");
    assertThat(out).extracting(RtmpMessage::type).containsExactly(RtmpMessage.USER_CONTROL, RtmpMessage.COMMAND_AMF0);
    assertThat(out.get(0).content().getShort(0)).isEqualTo((short) RtmpMessages.STREAM_BEGIN);
    assertThat(out.get(0).content().getInt(2)).isEqualTo(1);
    out.get(0).release();
    List<Object> status = commandValues(out.get(1));
    assertThat(status.get(0)).isEqualTo("onStatus");
    assertThat(info(status)).containsEntry("code", "NetStream.Publish.Start");
    assertThat(requests).singleElement().satisfies(r -> {
      assertThat(r.app()).isEqualTo("live");
      assertThat(r.manifestId()).isEqualTo("abc");
      assertThat(r.streamKey()).isEmpty();
    });

    send(RtmpMessages.data(1, 0, "@setDataFrame", "onMetaData", new Amf0.EcmaArray(Map.of("width", 640.0))));
    send(media(RtmpMessage.VIDEO, 0, "27 01 000000 00000001 41")); // before the config: dropped
    send(media(RtmpMessage.VIDEO, 0, "17 00 000000 0164001fffe1 0004 6764001f"));
    send(media(RtmpMessage.AUDIO, 0, "af 00 1190"));
    send(media(RtmpMessage.VIDEO, 40, "17 01 000028 00000001 65"));
    send(media(RtmpMessage.AUDIO, 21, "af 01 2100"));
    assertThat(sink.metadata).singleElement().isEqualTo(Map.of("width", 640.0));
    assertThat(sink.videoConfigs).hasSize(1);
    assertThat(sink.audioConfigs).hasSize(1);
    assertThat(sink.frames(EsFrame.Kind.VIDEO)).singleElement().satisfies(f -> {
      assertThat(f.dtsMillis()).isEqualTo(40);
      assertThat(f.ptsMillis()).isEqualTo(80);
      assertThat(f.keyframe()).isTrue();
    });
    assertThat(sink.frames(EsFrame.Kind.AUDIO)).singleElement().satisfies(f -> assertThat(f.dtsMillis()).isEqualTo(21));
    assertThat(registry.isLive("abc")).isTrue();

    send(RtmpMessages.command(0, "FCUnpublish", 6.0, Amf0.Special.NULL, "abc"));
    send(RtmpMessages.command(0, "deleteStream", 7.0, Amf0.Special.NULL, 1.0));
    server.close();
    assertThat(sink.closeReasons).containsExactly("publisher ended the stream");
    assertThat(registry.isLive("abc")).isFalse();
    received().forEach(RtmpMessage::release);
  }

  @Test
  void ffmpegStyleSplitOfManifestIdAndStreamKeyIsUnderstood() {
    startServer();
    publish("live/abc", "s3cret?token=1").forEach(RtmpMessage::release);
    assertThat(requests).singleElement().satisfies(r -> {
      assertThat(r.manifestId()).isEqualTo("abc");
      assertThat(r.streamKey()).contains("s3cret");
    });
  }

  @Test
  void listenerRefusalReasonReachesThePublisher() {
    listener = request -> {
      throw new IngestException("stream key not recognised");
    };
    startServer();
    List<RtmpMessage> out = publish("live", "abc/wrong");
    List<Object> status = commandValues(out.get(out.size() - 1));
    assertThat(info(status)).containsEntry("level", "error")
        .containsEntry("code", "NetStream.Publish.BadName").containsEntry("description", "stream key not recognised");
    assertThat(server.isOpen()).isFalse();
    assertThat(registry.isLive("abc")).isFalse();
    assertThat(sink.closeReasons).isEmpty(); // never accepted, so never closed
  }

  @Test
  void invalidManifestIdIsRefused() {
    startServer();
    List<RtmpMessage> out = publish("live", "bad..id");
    List<Object> status = commandValues(out.get(out.size() - 1));
    assertThat(info(status)).containsEntry("code", "NetStream.Publish.BadName");
    assertThat(requests).isEmpty();
    assertThat(server.isOpen()).isFalse();
  }

  @Test
  void commandBeforeConnectClosesTheConnection() {
    startServer();
    try (LogCapture logs = new LogCapture()) {
      send(RtmpMessages.command(0, "createStream", 2.0, Amf0.Special.NULL));
      assertThat(server.isOpen()).isFalse();
      assertThat(logs.events()).anySatisfy(e ->
          assertThat(e.getFormattedMessage()).contains("protocol error: command 'createStream' before connect"));
    }
  }

  @Test
  void emptyAmf3CommandIsAProtocolErrorNotABug() {
    // Found by RtmpPipelineFuzzTest: skipping the AMF3 format byte of an empty body threw IndexOutOfBounds.
    startServer();
    try (LogCapture logs = new LogCapture()) {
      send(new RtmpMessage(RtmpMessage.COMMAND_AMF3, 0, 0, Unpooled.EMPTY_BUFFER));
      assertThat(server.isOpen()).isFalse();
      assertThat(logs.events()).anySatisfy(e ->
          assertThat(e.getFormattedMessage()).contains("protocol error: command message without a command name"));
      assertThat(logs.events()).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("unexpected error"));
    }
  }

  @Test
  void emptyAmf3DataMessageIsIgnored() {
    startServer();
    publish("live", "stream1").forEach(RtmpMessage::release);
    send(new RtmpMessage(RtmpMessage.DATA_AMF3, 1, 0, Unpooled.EMPTY_BUFFER));
    assertThat(server.isOpen()).isTrue();
  }

  @Test
  void aggregateMessagesAreUnpackedWithRebasedTimes() {
    startServer();
    publish("live", "agg").forEach(RtmpMessage::release);
    send(media(RtmpMessage.VIDEO, 0, "17 00 000000 0164001fffe1 0004 6764001f"));
    // Two video tags at 500 and 540 inside an aggregate stamped 1000: they become 1000 and 1040.
    String tag1 = "09 000006 0001f4 00 000000 170100000041 00000011";
    String tag2 = "09 000006 00021c 00 000000 270100000041 00000011";
    send(media(RtmpMessage.AGGREGATE, 1000, tag1 + tag2));
    assertThat(sink.frames(EsFrame.Kind.VIDEO)).extracting(EsFrame::dtsMillis).containsExactly(1000L, 1040L);
  }

  @Test
  void sinkFailureEndsThePublishOnce() {
    RecordingSink failing = new RecordingSink(false) {
      @Override
      public void onVideoConfig(byte[] record) {
        throw new IllegalStateException("disk full");
      }
    };
    listener = request -> Optional.of(failing);
    startServer();
    publish("live", "fails").forEach(RtmpMessage::release);
    send(media(RtmpMessage.VIDEO, 0, "17 00 000000 0164001fffe1 0004 6764001f"));
    assertThat(server.isOpen()).isFalse();
    assertThat(failing.closeReasons).singleElement().asString().contains("disk full");
  }
}
