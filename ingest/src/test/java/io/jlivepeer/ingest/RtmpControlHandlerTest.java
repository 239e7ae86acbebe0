package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RtmpControlHandlerTest {
  private final RtmpChunkDecoder decoder = new RtmpChunkDecoder(65536, 1 << 20, 16);
  private final RtmpControlHandler control = new RtmpControlHandler(decoder);
  private final EmbeddedChannel channel = new EmbeddedChannel(decoder, control);

  private void feed(String hex) {
    channel.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", ""))));
  }

  private RtmpMessage nextOut() {
    return channel.readOutbound();
  }

  @Test
  void acknowledgesOnceThePeersWindowHasArrived() {
    // The handshake (3073 bytes) counts; a window of 4000 is passed after 927 more bytes.
    feed("02 000000 000004 05 00000000 00000fa0"); // Window Acknowledgement Size 4000
    String payload = "00".repeat(100);
    for (int i = 0; i < 9; i++) {
      assertThat(nextOut()).as("no acknowledgement before the window is full").isNull();
      feed("04 000000 000064 08 01000000 " + payload); // 112 bytes each
      RtmpMessage audio = channel.readInbound();
      audio.release();
    }
    RtmpMessage ack = nextOut();
    assertThat(ack.type()).isEqualTo(RtmpMessage.ACKNOWLEDGEMENT);
    long expected = 3073 + 16 + 9 * 112;
    assertThat(ack.content().getUnsignedInt(0)).isEqualTo(expected);
    ack.release();
    assertThat(nextOut()).isNull();
  }

  @Test
  void answersPingRequests() {
    feed("02 000000 000006 04 00000000 0006 0000abcd");
    RtmpMessage pong = nextOut();
    assertThat(pong.type()).isEqualTo(RtmpMessage.USER_CONTROL);
    ByteBuf p = pong.content();
    assertThat(p.readUnsignedShort()).isEqualTo(RtmpMessages.PING_RESPONSE);
    assertThat(p.readInt()).isEqualTo(0xabcd);
    pong.release();
  }

  @Test
  void answersSetPeerBandwidthWithItsWindowWhenItDiffers() {
    control.announcedWindow(2_500_000);
    feed("02 000000 000005 06 00000000 002625a0 02"); // 2,500,000: same as announced, no answer
    assertThat(nextOut()).isNull();
    feed("02 000000 000005 06 00000000 00001388 02"); // 5000
    RtmpMessage answer = nextOut();
    assertThat(answer.type()).isEqualTo(RtmpMessage.WINDOW_ACK_SIZE);
    assertThat(answer.content().getInt(0)).isEqualTo(5000);
    answer.release();
  }

  @Test
  void passesOtherMessagesOn() {
    feed("03 000001 000001 14 00000000 05");
    RtmpMessage m = channel.readInbound();
    assertThat(m.type()).isEqualTo(RtmpMessage.COMMAND_AMF0);
    m.release();
  }
}
