package io.jlivepeer.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.p2p.DecodeException.Reason;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One fixture per message of RFC 7574 section 8, written by hand from the RFC's layouts (type byte, then the
 * fields in order, big-endian), decoded and re-encoded byte for byte.
 */
class DatagramCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] hex(String s) {
    return HEX.parseHex(s.replace(" ", ""));
  }

  private static Message single(String channelAndMessage) {
    byte[] bytes = hex(channelAndMessage);
    Datagram d = DatagramCodec.decode(bytes);
    assertThat(d.messages()).hasSize(1);
    assertThat(DatagramCodec.encode(d)).as("re-encoded").isEqualTo(bytes);
    return d.messages().get(0);
  }

  @Test
  void handshakeWithLiveProfileOptions() {
    // channel 0 | type 0 | source channel 0x0A0B0C0D | version 1 | min version 1 | swarm id len 3 "abc"
    // | integrity 3 (UMT) | hash 2 (SHA-256) | signature 15 (Ed25519) | addressing 2 (32-bit chunk ranges)
    // | live discard window 0x00001000 | supported messages len 2 0xFFF0 | chunk size 1024 | end
    byte[] bytes = hex("00000000 00 0A0B0C0D 0001 0101 02 0003 616263 0303 0402 050F 0602 07 00001000"
        + " 08 02 FFF0 09 00000400 FF");
    Datagram d = DatagramCodec.decode(bytes);
    assertThat(d.channel()).isZero();
    Message.Handshake h = (Message.Handshake) d.messages().get(0);
    assertThat(h.sourceChannel()).isEqualTo(0x0A0B0C0D);
    ProtocolOptions o = h.options();
    assertThat(o.version()).hasValue(1);
    assertThat(o.minimumVersion()).hasValue(1);
    assertThat(o.swarmId()).hasValueSatisfying(id -> assertThat(id).isEqualTo("abc".getBytes()));
    assertThat(o.integrityProtection()).hasValue(3);
    assertThat(o.merkleHashFunction()).hasValue(2);
    assertThat(o.liveSignatureAlgorithm()).hasValue(15);
    assertThat(o.chunkAddressing()).hasValue(2);
    assertThat(o.liveDiscardWindow()).hasValue(4096);
    assertThat(o.supportedMessages()).hasValueSatisfying(b -> assertThat(b).isEqualTo(hex("FFF0")));
    assertThat(o.chunkSize()).hasValue(1024);
    assertThat(DatagramCodec.encode(d)).isEqualTo(bytes);
  }

  @Test
  void closingHandshakeHasChannelZeroAndOnlyTheEndOption() {
    Message.Handshake h = (Message.Handshake) single("00000007 00 00000000 FF");
    assertThat(h.sourceChannel()).isZero();
    assertThat(h.options()).isEqualTo(ProtocolOptions.none());
  }

  @Test
  void data() {
    Message.Data m = (Message.Data) single("00000001 01 00000005 00000005 0000000000003039 DEADBEEF");
    assertThat(m).isEqualTo(new Message.Data(ChunkRange.of(5), 12345, hex("DEADBEEF")));
  }

  @Test
  void ack() {
    Message m = single("00000001 02 00000002 00000009 00000000000001F4");
    assertThat(m).isEqualTo(new Message.Ack(new ChunkRange(2, 9), 500));
  }

  @Test
  void have() {
    assertThat(single("00000001 03 00000000 000003FF")).isEqualTo(new Message.Have(new ChunkRange(0, 1023)));
  }

  @Test
  void integrity() {
    String hash = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";
    Message m = single("00000001 04 00000040 0000007F " + hash);
    assertThat(m).isEqualTo(new Message.Integrity(new ChunkRange(64, 127), hex(hash)));
  }

  @Test
  void pexResV4() {
    // 127.0.0.1 port 7000 (0x1B58)
    assertThat(single("00000001 05 7F000001 1B58")).isEqualTo(new Message.PexResV4(hex("7F000001"), 7000));
  }

  @Test
  void pexReq() {
    assertThat(single("00000001 06")).isEqualTo(new Message.PexReq());
  }

  @Test
  void signedIntegrity() {
    String signature = "AB".repeat(64);
    Message m = single("00000001 07 00000000 0000003F 0102030405060708 " + signature);
    assertThat(m).isEqualTo(new Message.SignedIntegrity(new ChunkRange(0, 63), 0x0102030405060708L, hex(signature)));
  }

  @Test
  void request() {
    assertThat(single("00000001 08 00000010 00000020")).isEqualTo(new Message.Request(new ChunkRange(16, 32)));
  }

  @Test
  void cancel() {
    assertThat(single("00000001 09 00000010 00000010")).isEqualTo(new Message.Cancel(ChunkRange.of(16)));
  }

  @Test
  void choke() {
    assertThat(single("00000001 0A")).isEqualTo(new Message.Choke());
  }

  @Test
  void unchoke() {
    assertThat(single("00000001 0B")).isEqualTo(new Message.Unchoke());
  }

  @Test
  void keepAliveIsAChannelIdAlone() {
    Datagram d = DatagramCodec.decode(hex("00ABCDEF"));
    assertThat(d.channel()).isEqualTo(0x00ABCDEF);
    assertThat(d.messages()).isEmpty();
  }

  @Test
  void severalMessagesWithDataLast() {
    String hash = "11".repeat(32);
    byte[] bytes = hex("00000002 03 00000000 00000003 04 00000001 00000001 " + hash
        + " 01 00000000 00000000 0000000000000001 CAFE");
    Datagram d = DatagramCodec.decode(bytes);
    assertThat(d.messages()).containsExactly(new Message.Have(new ChunkRange(0, 3)),
        new Message.Integrity(ChunkRange.of(1), hex(hash)), new Message.Data(ChunkRange.of(0), 1, hex("CAFE")));
    assertThat(DatagramCodec.encode(d)).isEqualTo(bytes);
  }

  @Test
  void liveOptionsRoundTrip() {
    ProtocolOptions live = ProtocolOptions.live(new byte[32], 8192, 1024);
    Datagram d = Datagram.of(0, new Message.Handshake(42, live));
    assertThat(DatagramCodec.decode(DatagramCodec.encode(d))).isEqualTo(d);
  }

  @Test
  void refusesDataThatIsNotLast() {
    assertThatThrownBy(() -> DatagramCodec.encode(Datagram.of(1, new Message.Data(ChunkRange.of(0), 0, new byte[1]),
        new Message.Choke()))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedDatagramsGetSpecificReasons() {
    assertReason("000000", Reason.TRUNCATED);
    assertReason("00000001 03 00000001", Reason.TRUNCATED);
    assertReason("00000001 04 00000001 00000001 0011", Reason.TRUNCATED);
    assertReason("00000001 07 00000000 0000003F 0102030405060708 ABAB", Reason.TRUNCATED);
    assertReason("00000001 0C", Reason.UNKNOWN_MESSAGE_TYPE);
    assertReason("00000001 FF", Reason.UNKNOWN_MESSAGE_TYPE);
    assertReason("00000001 08 00000005 00000004", Reason.BAD_CHUNK_RANGE);
    assertReason("00000001 08 00000000 FFFFFFFF", Reason.BAD_CHUNK_RANGE);
    assertReason("00000000 00 00000001 0001", Reason.TRUNCATED); // no end option
    assertReason("00000000 00 00000001 0101 0001 FF", Reason.BAD_OPTION); // descending order
    assertReason("00000000 00 00000001 0600 FF", Reason.BAD_OPTION); // 32-bit bins: not this profile
    assertReason("00000000 00 00000001 0A00 FF", Reason.BAD_OPTION); // unknown option 10
    assertReason("00000000 00 00000001 02 FFFF FF", Reason.BAD_OPTION); // swarm id too long
    assertReason("00000000 00 00000001 02 0010 00 FF", Reason.TRUNCATED); // swarm id longer than the datagram
    assertReason("00000001 " + "06".repeat(DatagramCodec.MAX_MESSAGES + 1), Reason.TOO_MANY_MESSAGES);
    byte[] huge = new byte[DatagramCodec.MAX_DATAGRAM_BYTES + 1];
    assertThatThrownBy(() -> DatagramCodec.decode(huge)).isInstanceOfSatisfying(DecodeException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LONG));
  }

  @Test
  void randomBytesNeverThrowAnythingButDecodeException() {
    Random random = new Random(7574);
    int decoded = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[random.nextInt(64)];
      random.nextBytes(b);
      if (b.length > 4) {
        b[4] = (byte) random.nextInt(13); // mostly known types, so the decoder gets past the first byte
      }
      try {
        Datagram d = DatagramCodec.decode(b);
        decoded++;
        assertThat(DatagramCodec.encode(d)).isEqualTo(Arrays.copyOf(b, b.length));
      } catch (DecodeException e) {
        assertThat(e.reason()).isNotNull();
      }
    }
    assertThat(decoded).isPositive();
  }

  private static void assertReason(String fixture, Reason reason) {
    assertThatThrownBy(() -> DatagramCodec.decode(hex(fixture))).as(fixture)
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

}
