package io.jlivepeer.p2p;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jlivepeer.media.AllocationMeter;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link DatagramCodec#decode}: contract is a datagram that re-encodes to the same bytes, or a
 * {@link DecodeException} with a reason; bounded allocation (AllocationMeter).
 */
// Jazzer fuzzes only the first @FuzzTest of a JVM: the 20 s one must come before its long twin.
@TestMethodOrder(MethodOrderer.MethodName.class)
class DatagramFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void datagram(FuzzedDataProvider data) {
    run(data);
  }

  @FuzzTest(maxDuration = "2h")
  @EnabledIfSystemProperty(named = "jlivepeer.fuzz.long", matches = "true")
  void datagramLong(FuzzedDataProvider data) {
    run(data);
  }

  static void run(FuzzedDataProvider data) {
    AllocationMeter.bounded(data.consumeRemainingAsBytes(), DatagramFuzzTest::decode);
  }

  static void decode(byte[] bytes) {
    Datagram d;
    try {
      d = DatagramCodec.decode(bytes);
    } catch (DecodeException e) {
      if (e.reason() == null) {
        throw new AssertionError("decode error without a reason", e);
      }
      return;
    }
    byte[] again = DatagramCodec.encode(d);
    if (!java.util.Arrays.equals(again, bytes)) {
      throw new AssertionError("a decoded datagram re-encodes to other bytes");
    }
  }
}
