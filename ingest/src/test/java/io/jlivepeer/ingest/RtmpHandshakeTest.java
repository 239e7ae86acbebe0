package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RtmpHandshakeTest {
  /** Collects what passes the handshake handler. */
  private static final class Capture extends ChannelInboundHandlerAdapter {
    final List<Object> events = new ArrayList<>();
    final ByteBuf bytes = Unpooled.buffer();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      bytes.writeBytes(b);
      b.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      events.add(evt);
    }
  }

  private static byte[] c0c1() {
    byte[] b = new byte[1537];
    new Random(3).nextBytes(b);
    b[0] = 3;
    return b;
  }

  private static byte[] readAll(EmbeddedChannel ch) {
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
      all.writeBytes(b);
      b.release();
    }
    return ByteBufUtil.getBytes(all);
  }

  @Test
  void serverAnswersS0S1S2ThenRemovesItselfAndPassesTheRest() {
    Capture capture = new Capture();
    EmbeddedChannel ch = new EmbeddedChannel(new RtmpServerHandshake(Duration.ofSeconds(5)), capture);
    byte[] c0c1 = c0c1();
    ch.writeInbound(Unpooled.wrappedBuffer(c0c1, 0, 700)); // arrives in pieces
    assertThat(readAll(ch)).isEmpty();
    ch.writeInbound(Unpooled.wrappedBuffer(c0c1, 700, c0c1.length - 700));
    byte[] reply = readAll(ch);
    assertThat(reply).hasSize(1 + 1536 + 1536);
    assertThat(reply[0]).isEqualTo((byte) 3);
    assertThat(Arrays.copyOfRange(reply, 5, 9)).containsOnly(0); // simple handshake: no digest version
    assertThat(Arrays.copyOfRange(reply, 1537, 3073)).isEqualTo(Arrays.copyOfRange(c0c1, 1, 1537)); // S2 = C1

    byte[] c2AndMore = new byte[1536 + 3];
    c2AndMore[1536] = 0x0a;
    c2AndMore[1537] = 0x0b;
    c2AndMore[1538] = 0x0c;
    ch.writeInbound(Unpooled.wrappedBuffer(c2AndMore));
    assertThat(ch.pipeline().get(RtmpServerHandshake.class)).isNull();
    assertThat(ByteBufUtil.hexDump(capture.bytes)).isEqualTo("0a0b0c");
    assertThat(capture.events).contains(HandshakeCompleted.INSTANCE);
  }

  @Test
  void serverRefusesEncryptedRtmpe() {
    EmbeddedChannel ch = new EmbeddedChannel(new RtmpServerHandshake(Duration.ofSeconds(5)));
    byte[] c0c1 = c0c1();
    c0c1[0] = 6;
    assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(c0c1))).cause()
        .isInstanceOf(RtmpProtocolException.class).hasMessageContaining("version byte 6")
        .hasMessageContaining("RTMPE");
    assertThat(readAll(ch)).isEmpty();
  }

  @Test
  void serverGivesUpAfterTheHandshakeTimeout() {
    EmbeddedChannel ch = new EmbeddedChannel(new RtmpServerHandshake(Duration.ofMillis(500)));
    ch.writeInbound(Unpooled.wrappedBuffer(c0c1(), 0, 100));
    ch.advanceTimeBy(400, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.checkException();
    ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThatThrownBy(ch::checkException).isInstanceOf(RtmpProtocolException.class)
        .hasMessage("handshake not completed within 500 ms (received 100 of 3073 bytes)");
  }

  @Test
  void clientSendsC0C1AndEchoesS1AsC2() {
    Capture capture = new Capture();
    EmbeddedChannel ch = new EmbeddedChannel(new RtmpClientHandshake(), capture);
    byte[] c0c1 = readAll(ch);
    assertThat(c0c1).hasSize(1537);
    assertThat(c0c1[0]).isEqualTo((byte) 3);

    byte[] s = new byte[3073 + 2];
    new Random(9).nextBytes(s);
    s[0] = 3;
    ch.writeInbound(Unpooled.wrappedBuffer(s));
    assertThat(readAll(ch)).isEqualTo(Arrays.copyOfRange(s, 1, 1537));
    assertThat(ch.pipeline().get(RtmpClientHandshake.class)).isNull();
    assertThat(capture.bytes.readableBytes()).isEqualTo(2);
    assertThat(capture.events).contains(HandshakeCompleted.INSTANCE);
  }
}
