package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf0Test {
  private static String encodeHex(Object value) {
    ByteBuf out = Unpooled.buffer();
    Amf0.encode(out, value);
    return ByteBufUtil.hexDump(out);
  }

  private static Object decodeHex(String hex) {
    ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", "")));
    Object value = Amf0.decode(in);
    assertThat(in.isReadable()).as("every byte consumed").isFalse();
    return value;
  }

  @Test
  void encodesScalarsAsTheSpecifiedBytes() {
    assertThat(encodeHex(1.0)).isEqualTo("003ff0000000000000");
    assertThat(encodeHex(5)).isEqualTo("004014000000000000"); // any Number is an IEEE double
    assertThat(encodeHex(true)).isEqualTo("0101");
    assertThat(encodeHex(false)).isEqualTo("0100");
    assertThat(encodeHex("connect")).isEqualTo("020007636f6e6e656374");
    assertThat(encodeHex(Amf0.Special.NULL)).isEqualTo("05");
    assertThat(encodeHex(Amf0.Special.UNDEFINED)).isEqualTo("06");
    assertThat(encodeHex(Instant.ofEpochMilli(1000))).isEqualTo("0b408f4000000000000000");
  }

  @Test
  void encodesObjectWithEndMarker() {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("app", "live");
    object.put("n", 2.0);
    assertThat(encodeHex(object)).isEqualTo("03" + "0003617070" + "0200046c697665" + "00016e" + "004000000000000000"
        + "000009");
  }

  @Test
  void encodesEcmaAndStrictArrays() {
    Amf0.EcmaArray ecma = new Amf0.EcmaArray(Map.of("w", 320.0));
    assertThat(encodeHex(ecma)).isEqualTo("08" + "00000001" + "000177" + "004074000000000000" + "000009");
    assertThat(encodeHex(List.of(1.0, "a"))).isEqualTo("0a" + "00000002" + "003ff0000000000000" + "02000161");
  }

  @Test
  void decodesKnownBytes() {
    assertThat(decodeHex("00 3ff0000000000000")).isEqualTo(1.0);
    assertThat(decodeHex("01 01")).isEqualTo(true);
    assertThat(decodeHex("02 0002 6162")).isEqualTo("ab");
    assertThat(decodeHex("0c 00000002 6162")).isEqualTo("ab");
    assertThat(decodeHex("05")).isEqualTo(Amf0.Special.NULL);
    assertThat(decodeHex("06")).isEqualTo(Amf0.Special.UNDEFINED);
    assertThat(decodeHex("0b 408f400000000000 0000")).isEqualTo(Instant.ofEpochMilli(1000));
    assertThat(decodeHex("03 0001 61 0101 000009")).isEqualTo(Map.of("a", true));
    // The ECMA count is only a hint: ffmpeg writes the real count, some encoders write 0.
    assertThat(decodeHex("08 00000000 0001 61 05 000009")).isInstanceOf(Amf0.EcmaArray.class)
        .isEqualTo(Map.of("a", Amf0.Special.NULL));
    assertThat(decodeHex("0a 00000002 0100 06")).isEqualTo(List.of(false, Amf0.Special.UNDEFINED));
    // Typed object: class name, then properties like an object.
    assertThat(decodeHex("10 0001 43 0001 78 0101 000009")).isEqualTo(Map.of("x", true));
  }

  @Test
  void roundTripsNestedValues() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("list", List.of(1.0, 2.0, "three", Amf0.Special.NULL));
    inner.put("when", Instant.ofEpochMilli(1_700_000_000_000L));
    Amf0.EcmaArray outer = new Amf0.EcmaArray();
    outer.put("inner", inner);
    outer.put("flag", false);
    outer.put("long", "x".repeat(70_000)); // beyond 65535 bytes: long string
    ByteBuf buf = Unpooled.buffer();
    Amf0.encodeAll(buf, "onMetaData", outer, 3.5);
    assertThat(Amf0.decodeAll(buf)).containsExactly("onMetaData", outer, 3.5);
  }

  @Test
  void rejectsTruncatedValues() {
    assertThatThrownBy(() -> decodeHex("00 3ff0")).isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("truncated AMF0 number");
    assertThatThrownBy(() -> decodeHex("02 0010 6162")).isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("truncated AMF0 string");
    assertThatThrownBy(() -> decodeHex("03 0001 61 0101")).isInstanceOf(RtmpProtocolException.class);
  }

  @Test
  void rejectsStrictArrayCountAboveTheBytesPresent() {
    assertThatThrownBy(() -> decodeHex("0a 7fffffff 05")).isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("claims 2147483647 elements");
  }

  @Test
  void rejectsNestingDeeperThanTheLimit() {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Amf0.MAX_DEPTH + 2; i++) {
      hex.append("0a00000001");
    }
    hex.append("05");
    assertThatThrownBy(() -> decodeHex(hex.toString())).isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("nested deeper");
  }

  @Test
  void rejectsUnsupportedMarker() {
    assertThatThrownBy(() -> decodeHex("11 00")).isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("0x11");
  }
}
