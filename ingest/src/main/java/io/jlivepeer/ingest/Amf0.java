package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF0 encoding and decoding (Adobe "Action Message Format -- AMF 0" specification), the value format of RTMP
 * command and data messages.
 *
 * <p>Java mapping: number = {@link Double}, boolean = {@link Boolean}, string and long string and XML document =
 * {@link String}, object and typed object = {@link LinkedHashMap}, ECMA array = {@link EcmaArray}, strict array =
 * {@link List}, date = {@link Instant} (the time-zone field is ignored, the spec says it must be 0), null and
 * undefined = {@link Special} so no Java null ever appears. Any {@link Number} encodes as a number and any
 * {@link Map} that is not an {@link EcmaArray} as an object.
 *
 * <p>Decoding never allocates more than the bytes present: every length is checked against the readable bytes
 * first, and nesting is limited to {@link #MAX_DEPTH} so a hostile peer cannot exhaust the stack.
 */
final class Amf0 {
  static final int NUMBER = 0x00;
  static final int BOOLEAN = 0x01;
  static final int STRING = 0x02;
  static final int OBJECT = 0x03;
  static final int NULL = 0x05;
  static final int UNDEFINED = 0x06;
  static final int ECMA_ARRAY = 0x08;
  static final int OBJECT_END = 0x09;
  static final int STRICT_ARRAY = 0x0A;
  static final int DATE = 0x0B;
  static final int LONG_STRING = 0x0C;
  static final int XML_DOCUMENT = 0x0F;
  static final int TYPED_OBJECT = 0x10;

  static final int MAX_DEPTH = 32;

  /** AMF0 null and undefined, which carry no value. */
  enum Special {
    NULL,
    UNDEFINED
  }

  /** An associative array: decodes like an object but keeps its marker (0x08) on re-encoding. */
  static final class EcmaArray extends LinkedHashMap<String, Object> {
    EcmaArray() {}

    EcmaArray(Map<String, ?> entries) {
      super(entries);
    }
  }

  private Amf0() {}

  /** Decodes every value left in {@code in}. */
  static List<Object> decodeAll(ByteBuf in) {
    List<Object> values = new ArrayList<>();
    while (in.isReadable()) {
      values.add(decode(in));
    }
    return values;
  }

  /** Decodes one value. */
  static Object decode(ByteBuf in) {
    return decode(in, 0);
  }

  private static Object decode(ByteBuf in, int depth) {
    if (depth > MAX_DEPTH) {
      throw new RtmpProtocolException("AMF0 value nested deeper than " + MAX_DEPTH + " levels");
    }
    need(in, 1, "type marker");
    int marker = in.readUnsignedByte();
    return switch (marker) {
      case NUMBER -> {
        need(in, 8, "number");
        yield in.readDouble();
      }
      case BOOLEAN -> {
        need(in, 1, "boolean");
        yield in.readUnsignedByte() != 0;
      }
      case STRING -> readUtf8(in, 2);
      case LONG_STRING, XML_DOCUMENT -> readUtf8(in, 4);
      case OBJECT -> readProperties(in, new LinkedHashMap<>(), depth);
      case TYPED_OBJECT -> {
        readUtf8(in, 2); // class name: irrelevant to a media server
        yield readProperties(in, new LinkedHashMap<>(), depth);
      }
      case ECMA_ARRAY -> {
        need(in, 4, "ECMA array count");
        in.skipBytes(4); // the count is only a hint; the object-end marker terminates the array
        yield readProperties(in, new EcmaArray(), depth);
      }
      case STRICT_ARRAY -> {
        need(in, 4, "strict array count");
        long count = in.readUnsignedInt();
        // Each element takes at least one byte, so a count above the remaining bytes is a lie.
        if (count > in.readableBytes()) {
          throw new RtmpProtocolException("AMF0 strict array claims " + count + " elements but only "
              + in.readableBytes() + " bytes follow");
        }
        List<Object> list = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
          list.add(decode(in, depth + 1));
        }
        yield list;
      }
      case DATE -> {
        need(in, 10, "date");
        double millis = in.readDouble();
        in.skipBytes(2); // time zone, reserved and 0 by the spec
        yield Instant.ofEpochMilli((long) millis);
      }
      case NULL -> Special.NULL;
      case UNDEFINED -> Special.UNDEFINED;
      default -> throw new RtmpProtocolException("unsupported AMF0 type marker 0x" + Integer.toHexString(marker));
    };
  }

  private static <M extends Map<String, Object>> M readProperties(ByteBuf in, M map, int depth) {
    while (true) {
      String key = readUtf8(in, 2);
      need(in, 1, "property value");
      if (key.isEmpty() && in.getUnsignedByte(in.readerIndex()) == OBJECT_END) {
        in.skipBytes(1);
        return map;
      }
      map.put(key, decode(in, depth + 1));
    }
  }

  private static String readUtf8(ByteBuf in, int lengthBytes) {
    need(in, lengthBytes, "string length");
    long length = lengthBytes == 2 ? in.readUnsignedShort() : in.readUnsignedInt();
    need(in, length, "string");
    String s = in.toString(in.readerIndex(), (int) length, StandardCharsets.UTF_8);
    in.skipBytes((int) length);
    return s;
  }

  private static void need(ByteBuf in, long bytes, String what) {
    if (in.readableBytes() < bytes) {
      throw new RtmpProtocolException("truncated AMF0 " + what + ": need " + bytes + " bytes, "
          + in.readableBytes() + " left");
    }
  }

  /** Encodes each value in turn. */
  static void encodeAll(ByteBuf out, Object... values) {
    for (Object v : values) {
      encode(out, v);
    }
  }

  static void encode(ByteBuf out, Object value) {
    switch (value) {
      case Number n -> {
        out.writeByte(NUMBER);
        out.writeDouble(n.doubleValue());
      }
      case Boolean b -> {
        out.writeByte(BOOLEAN);
        out.writeByte(b ? 1 : 0);
      }
      case String s -> {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= 0xFFFF) {
          out.writeByte(STRING);
          out.writeShort(utf8.length);
        } else {
          out.writeByte(LONG_STRING);
          out.writeInt(utf8.length);
        }
        out.writeBytes(utf8);
      }
      case EcmaArray a -> {
        out.writeByte(ECMA_ARRAY);
        out.writeInt(a.size());
        writeProperties(out, a);
      }
      case Map<?, ?> m -> {
        out.writeByte(OBJECT);
        writeProperties(out, m);
      }
      case List<?> list -> {
        out.writeByte(STRICT_ARRAY);
        out.writeInt(list.size());
        for (Object element : list) {
          encode(out, element);
        }
      }
      case Instant t -> {
        out.writeByte(DATE);
        out.writeDouble(t.toEpochMilli());
        out.writeShort(0);
      }
      case Special s -> out.writeByte(s == Special.NULL ? NULL : UNDEFINED);
      default -> throw new IllegalArgumentException("no AMF0 encoding for " + value.getClass().getName());
    }
  }

  private static void writeProperties(ByteBuf out, Map<?, ?> map) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      byte[] key = e.getKey().toString().getBytes(StandardCharsets.UTF_8);
      if (key.length > 0xFFFF) {
        throw new IllegalArgumentException("AMF0 property name longer than 65535 bytes");
      }
      out.writeShort(key.length);
      out.writeBytes(key);
      encode(out, e.getValue());
    }
    out.writeShort(0);
    out.writeByte(OBJECT_END);
  }
}
