package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunk fixtures written by hand from the Adobe RTMP spec, section 5.3. */
class RtmpChunkDecoderTest {
  private final RtmpChunkDecoder decoder = new RtmpChunkDecoder(65536, 1024 * 1024, 8);
  private final EmbeddedChannel channel = new EmbeddedChannel(decoder);

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static String payload(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + i);
    }
    return HexFormat.of().formatHex(b);
  }

  private List<RtmpMessage> feed(String hexBytes) {
    channel.writeInbound(Unpooled.wrappedBuffer(hex(hexBytes)));
    return drain();
  }

  private List<RtmpMessage> drain() {
    List<RtmpMessage> out = new ArrayList<>();
    for (Object m = channel.readInbound(); m != null; m = channel.readInbound()) {
      out.add((RtmpMessage) m);
    }
    return out;
  }

  private static String body(RtmpMessage m) {
    String s = ByteBufUtil.hexDump(m.content());
    m.release();
    return s;
  }

  @Test
  void decodesType0HeaderInOneChunk() {
    // fmt 0 csid 3 | time 100 | length 5 | type 20 | stream 1 (little endian) | payload
    List<RtmpMessage> out = feed("03 000064 000005 14 01000000 0102030405");
    assertThat(out).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(20);
      assertThat(m.streamId()).isEqualTo(1);
      assertThat(m.timestamp()).isEqualTo(100);
    });
    assertThat(body(out.get(0))).isEqualTo("0102030405");
  }

  @Test
  void followsType1Type2AndType3HeadersAsInSpecExample() {
    // Spec 5.3.2.1: audio on one chunk stream; fmt 2 carries only a delta; fmt 3 repeats it for new messages.
    String p = payload(32, 0);
    List<RtmpMessage> out = feed("03 0003e8 000020 08 39300000 " + p // fmt 0: t=1000
        + "83 000014 " + p // fmt 2: +20
        + "c3 " + p // fmt 3: +20 again
        + "c3 " + p // fmt 3: +20 again
        + "43 000028 00000a 09 " + payload(10, 1)); // fmt 1: +40, new length and type, same stream
    assertThat(out).extracting(RtmpMessage::timestamp).containsExactly(1000L, 1020L, 1040L, 1060L, 1100L);
    assertThat(out).extracting(RtmpMessage::streamId).containsOnly(12345);
    assertThat(out).extracting(RtmpMessage::type).containsExactly(8, 8, 8, 8, 9);
    assertThat(body(out.get(4))).isEqualTo(payload(10, 1));
    out.subList(0, 4).forEach(RtmpMessage::release);
  }

  @Test
  void reassemblesMessageSplitIntoChunksOfTheDefaultSize() {
    String p = payload(307, 5);
    String first = p.substring(0, 256);
    String second = p.substring(256, 512);
    String rest = p.substring(512);
    // Spec 5.3.2.2: 307 bytes at chunk size 128 = 128 + 128 + 51, continuation chunks with fmt 3.
    List<RtmpMessage> out = feed("04 0003e8 000133 09 01000000 " + first + " c4 " + second + " c4 " + rest);
    assertThat(out).singleElement().satisfies(m -> assertThat(m.timestamp()).isEqualTo(1000));
    assertThat(body(out.get(0))).isEqualTo(p);
  }

  @Test
  void readsExtendedTimestampIncludingOnType3Continuations() {
    String p = payload(200, 9);
    // time 0x01000000 does not fit 24 bits: field 0xFFFFFF, then 4 bytes; the fmt 3 chunk repeats them.
    List<RtmpMessage> out = feed("06 ffffff 0000c8 09 01000000 01000000 " + p.substring(0, 256)
        + " c6 01000000 " + p.substring(256));
    assertThat(out).singleElement().satisfies(m -> assertThat(m.timestamp()).isEqualTo(0x01000000L));
    assertThat(body(out.get(0))).isEqualTo(p);
    // A following fmt 3 new message also carries the extended field; after a full header it means "same time".
    List<RtmpMessage> next = feed("c6 01000000 " + p.substring(0, 256) + " c6 01000000 " + p.substring(256));
    assertThat(next).singleElement().satisfies(m -> assertThat(m.timestamp()).isEqualTo(0x01000000L));
    next.forEach(RtmpMessage::release);
  }

  @Test
  void type3NewMessageRepeatsTheLastDeltaButNotAFullHeadersTime() {
    List<RtmpMessage> out = feed("05 000064 000001 12 00000000 aa" // fmt 0: t = 100
        + "c5 bb" // fmt 3 new message after fmt 0: same time
        + "85 00000a cc" // fmt 2: +10
        + "c5 dd"); // fmt 3: +10 again
    assertThat(out).extracting(RtmpMessage::timestamp).containsExactly(100L, 100L, 110L, 120L);
    out.forEach(RtmpMessage::release);
  }

  @Test
  void readsExtendedTimestampDeltaOnType1() {
    feed("05 000000 000001 12 00000000 aa").forEach(RtmpMessage::release);
    List<RtmpMessage> out = feed("45 ffffff 000001 12 01000001 bb");
    assertThat(out).singleElement().satisfies(m -> assertThat(m.timestamp()).isEqualTo(0x01000001L));
    out.forEach(RtmpMessage::release);
  }

  @Test
  void unwrapsTheThirtyTwoBitClockIntoALongMonotonicOne() {
    List<RtmpMessage> out = feed("05 ffffff 000001 12 00000000 fffffff0 aa" // t = 2^32 - 16
        + "05 000010 000001 12 00000000 bb"); // absolute 16 again: wrapped, 32 ms later
    assertThat(out).extracting(RtmpMessage::timestamp).containsExactly(0xFFFFFFF0L, 0x100000010L);
    out.forEach(RtmpMessage::release);
  }

  @Test
  void readsTwoAndThreeByteBasicHeaders() {
    // csid 74: first byte low bits 0, then 74 - 64; csid 400: low bits 1, then (400 - 64) little endian.
    List<RtmpMessage> out = feed("00 0a 000001 000001 08 01000000 11" + "01 5001 000002 000001 09 01000000 22");
    assertThat(out).extracting(RtmpMessage::timestamp).containsExactly(1L, 2L);
    assertThat(body(out.get(0))).isEqualTo("11");
    assertThat(body(out.get(1))).isEqualTo("22");
    // The largest id, 65599: 64 + 255 + 255 * 256.
    List<RtmpMessage> max = feed("01 ffff 000003 000001 08 01000000 33");
    assertThat(max).extracting(RtmpMessage::timestamp).containsExactly(3L);
    max.forEach(RtmpMessage::release);
  }

  @Test
  void separatesInterleavedChunkStreams() {
    String a = payload(200, 1);
    String b = payload(150, 77);
    List<RtmpMessage> out = feed("04 000010 0000c8 08 01000000 " + a.substring(0, 256)
        + "06 000020 000096 09 01000000 " + b.substring(0, 256)
        + "c4 " + a.substring(256)
        + "c6 " + b.substring(256));
    assertThat(out).extracting(RtmpMessage::type).containsExactly(8, 9);
    assertThat(body(out.get(0))).isEqualTo(a);
    assertThat(body(out.get(1))).isEqualTo(b);
  }

  @Test
  void appliesSetChunkSizeToTheChunksThatFollow() {
    String p = payload(300, 3);
    List<RtmpMessage> out = feed("02 000000 000004 01 00000000 00000100" // Set Chunk Size 256
        + "04 000000 00012c 09 01000000 " + p.substring(0, 512) + " c4 " + p.substring(512));
    assertThat(decoder.chunkSize()).isEqualTo(256);
    assertThat(out).singleElement().satisfies(m -> assertThat(m.type()).isEqualTo(9));
    assertThat(body(out.get(0))).isEqualTo(p);
  }

  @Test
  void abortDiscardsTheUnfinishedMessage() {
    String p = payload(200, 3);
    List<RtmpMessage> out = feed("04 000000 0000c8 09 01000000 " + p.substring(0, 256)
        + "02 000000 000004 02 00000000 00000004" // Abort chunk stream 4
        + "04 000005 000002 09 01000000 abcd"); // a fresh fmt 0 message on it is fine
    assertThat(out).singleElement().satisfies(m -> assertThat(m.timestamp()).isEqualTo(5));
    assertThat(body(out.get(0))).isEqualTo("abcd");
  }

  @Test
  void decodesTheSameWhenFedOneByteAtATime() {
    String p = payload(300, 8);
    String stream = "03 000064 000005 14 01000000 0102030405" + "04 ffffff 00012c 09 01000000 00000200 "
        + p.substring(0, 256) + " c4 00000200 " + p.substring(256, 512) + " c4 00000200 " + p.substring(512)
        + "84 000010 " + p.substring(0, 256) + " c4 " + p.substring(256, 512) + " c4 " + p.substring(512);
    // The last message has a fmt 2 header (delta 16) and reuses the previous length and type.
    byte[] bytes = hex(stream);
    List<RtmpMessage> out = new ArrayList<>();
    for (byte b : bytes) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
      out.addAll(drain());
    }
    assertThat(out).extracting(RtmpMessage::timestamp).containsExactly(100L, 0x200L, 0x210L);
    assertThat(decoder.bytesReceived()).isEqualTo(bytes.length);
    out.forEach(RtmpMessage::release);
  }

  @Test
  void rejectsChunkSizeOverLimitAndThenDiscardsInput() {
    assertThatThrownBy(() -> feed("02 000000 000004 01 00000000 00010001"))
        .isInstanceOf(DecoderException.class).cause().isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("peer set chunk size 65537 above the limit of 65536");
    assertThat(decoder.state()).isEqualTo(RtmpChunkDecoder.State.BAD_MESSAGE);
    assertThat(feed("03 000064 000005 14 01000000 0102030405")).isEmpty();
  }

  @Test
  void rejectsMessageLengthOverLimitBeforeAllocating() {
    assertThatThrownBy(() -> feed("06 000000 100001 09 01000000"))
        .cause().isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("message of 1048577 bytes").hasMessageContaining("RtmpConfig.maxMessageLength");
    assertThat(decoder.state()).isEqualTo(RtmpChunkDecoder.State.BAD_MESSAGE);
  }

  @Test
  void rejectsCompressedHeaderOnAnUnknownChunkStream() {
    assertThatThrownBy(() -> feed("47 000000 000001 09 00")).cause()
        .hasMessageContaining("chunk stream 7 starts with a type 1 chunk header");
  }

  @Test
  void rejectsMoreChunkStreamsThanTheLimit() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int csid = 3; csid < 3 + 9; csid++) {
      bytes.writeBytes(hex(String.format("%02x 000000 000001 09 01000000 00", csid)));
    }
    assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(bytes.toByteArray()))).cause()
        .hasMessageContaining("more than 8 chunk streams");
    drain().forEach(RtmpMessage::release);
  }

  @Test
  void releasesPartialMessagesWhenRemoved() {
    List<ByteBuf> allocated = new ArrayList<>();
    channel.config().setAllocator(new AbstractByteBufAllocator(false) {
      @Override
      protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = Unpooled.buffer(initialCapacity, maxCapacity);
        allocated.add(b);
        return b;
      }

      @Override
      protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
      }

      @Override
      public boolean isDirectBufferPooled() {
        return false;
      }
    });
    feed("04 000000 0000c8 09 01000000 " + payload(128, 0)); // 128 of 200 bytes
    assertThat(allocated).isNotEmpty().allSatisfy(b -> assertThat(b.refCnt()).isEqualTo(1));
    channel.pipeline().remove(decoder);
    assertThat(allocated).allSatisfy(b -> assertThat(b.refCnt()).isZero());
  }
}
