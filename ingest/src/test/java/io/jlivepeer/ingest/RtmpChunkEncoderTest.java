package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class RtmpChunkEncoderTest {
  private final RtmpChunkEncoder encoder = new RtmpChunkEncoder();
  private final EmbeddedChannel channel = new EmbeddedChannel(encoder);

  private String encode(RtmpMessage m) {
    channel.writeOutbound(m);
    StringBuilder hex = new StringBuilder();
    for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
      hex.append(ByteBufUtil.hexDump(b));
      b.release();
    }
    return hex.toString();
  }

  private static ByteBuf bytes(int n) {
    ByteBuf b = Unpooled.buffer(n);
    for (int i = 0; i < n; i++) {
      b.writeByte(i);
    }
    return b;
  }

  @Test
  void writesSmallMessageAsOneType0Chunk() {
    String hex = encode(new RtmpMessage(RtmpMessage.COMMAND_AMF0, 1, 100, Unpooled.wrappedBuffer(new byte[] {5})));
    assertThat(hex).isEqualTo("03" + "000064" + "000001" + "14" + "01000000" + "05");
  }

  @Test
  void splitsLargeMessageIntoType3Continuations() {
    String hex = encode(new RtmpMessage(RtmpMessage.VIDEO, 1, 0, bytes(300)));
    String p = ByteBufUtil.hexDump(bytes(300));
    assertThat(hex).isEqualTo("06 000000 00012c 09 01000000".replace(" ", "") + p.substring(0, 256) + "c6"
        + p.substring(256, 512) + "c6" + p.substring(512));
  }

  @Test
  void repeatsTheExtendedTimestampOnEveryChunk() {
    String hex = encode(new RtmpMessage(RtmpMessage.AUDIO, 1, 0x1_2345_6789L, bytes(130)));
    String p = ByteBufUtil.hexDump(bytes(130));
    // The clock wraps at 32 bits on the wire.
    assertThat(hex).isEqualTo("04ffffff0000820801000000" + "23456789" + p.substring(0, 256) + "c4" + "23456789"
        + p.substring(256));
  }

  @Test
  void switchesToTheChunkSizeItAnnounces() {
    assertThat(encode(RtmpMessages.setChunkSize(4096))).isEqualTo("02000000000004010000000000001000");
    String hex = encode(new RtmpMessage(RtmpMessage.VIDEO, 1, 0, bytes(4000)));
    assertThat(hex).hasSize(2 * (12 + 4000)); // one chunk
    assertThat(encoder.bytesWritten()).isEqualTo(16 + 12 + 4000);
  }

  @Test
  void writesOneTwoAndThreeByteBasicHeaders() {
    ByteBuf out = Unpooled.buffer();
    RtmpChunkEncoder.writeBasicHeader(out, 0, 63);
    RtmpChunkEncoder.writeBasicHeader(out, 1, 64);
    RtmpChunkEncoder.writeBasicHeader(out, 2, 319);
    RtmpChunkEncoder.writeBasicHeader(out, 3, 320);
    RtmpChunkEncoder.writeBasicHeader(out, 0, 65599);
    assertThat(ByteBufUtil.hexDump(out)).isEqualTo("3f" + "4000" + "80ff" + "c10001" + "01ffff");
  }

  @Test
  void roundTripsThroughTheDecoder() {
    EmbeddedChannel decoding = new EmbeddedChannel(new RtmpChunkDecoder(65536, 1 << 20, 16));
    RtmpMessage[] messages = {
        RtmpMessages.setChunkSize(1000),
        new RtmpMessage(RtmpMessage.VIDEO, 1, 40, bytes(2500)),
        new RtmpMessage(RtmpMessage.AUDIO, 1, 0xFFFFFFL + 5, bytes(700)),
        RtmpMessages.command(0, "connect", 1.0, Amf0.Special.NULL)};
    for (RtmpMessage m : messages) {
      channel.writeOutbound(m.retainedDuplicate());
    }
    for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
      decoding.writeInbound(b);
    }
    for (RtmpMessage sent : messages) {
      if (sent.type() == RtmpMessage.SET_CHUNK_SIZE) {
        sent.release();
        continue; // consumed by the decoder itself
      }
      RtmpMessage got = decoding.readInbound();
      assertThat(got.type()).isEqualTo(sent.type());
      assertThat(got.timestamp()).isEqualTo(sent.timestamp());
      assertThat(ByteBufUtil.equals(got.content(), sent.content())).isTrue();
      got.release();
      sent.release();
    }
    Object extra = decoding.readInbound();
    assertThat(extra).isNull();
  }
}
