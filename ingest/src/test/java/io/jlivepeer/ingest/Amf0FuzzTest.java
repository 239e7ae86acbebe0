package io.jlivepeer.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jlivepeer.media.AllocationMeter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * AMF0 decoding of arbitrary bytes. Contract: a value list or {@link RtmpProtocolException}, nothing else; what
 * decodes re-encodes and decodes to the same values; bounded allocation.
 */
// Jazzer fuzzes only the first @FuzzTest of a JVM: the 20 s one must come before its long twin.
@TestMethodOrder(MethodOrderer.MethodName.class)
class Amf0FuzzTest {

  @FuzzTest(maxDuration = "20s")
  void amf0(byte[] input) {
    run(input);
  }

  @FuzzTest(maxDuration = "2h")
  @EnabledIfSystemProperty(named = "jlivepeer.fuzz.long", matches = "true")
  void amf0Long(byte[] input) {
    run(input);
  }

  static void run(byte[] input) {
    AllocationMeter.bounded(input, Amf0FuzzTest::decodeAndRoundTrip);
  }

  private static void decodeAndRoundTrip(byte[] input) {
    List<Object> values;
    try {
      values = Amf0.decodeAll(Unpooled.wrappedBuffer(input));
    } catch (RtmpProtocolException expected) {
      return;
    }
    ByteBuf again = Unpooled.buffer();
    Amf0.encodeAll(again, values.toArray());
    List<Object> reread = Amf0.decodeAll(again);
    if (!String.valueOf(reread).equals(String.valueOf(values))) {
      throw new AssertionError("AMF0 round trip changed " + values + " into " + reread);
    }
  }
}
