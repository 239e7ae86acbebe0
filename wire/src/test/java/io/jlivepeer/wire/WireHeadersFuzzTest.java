package io.jlivepeer.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jlivepeer.media.AllocationMeter;
import java.util.Base64;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code Livepeer-Segment} and {@code Livepeer-Payment} header values: half the inputs are arbitrary strings (the
 * base64 layer), half are base64 of arbitrary bytes (the protobuf layer). Contract: a message, or a
 * {@link WireException} with 403 (segment) or 402 (payment); bounded allocation.
 */
// Jazzer fuzzes only the first @FuzzTest of a JVM: the 20 s one must come before its long twin.
@TestMethodOrder(MethodOrderer.MethodName.class)
class WireHeadersFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void wireHeaders(FuzzedDataProvider data) {
    run(data);
  }

  @FuzzTest(maxDuration = "2h")
  @EnabledIfSystemProperty(named = "jlivepeer.fuzz.long", matches = "true")
  void wireHeadersLong(FuzzedDataProvider data) {
    run(data);
  }

  static void run(FuzzedDataProvider data) {
    String header = data.consumeBoolean() ? Base64.getEncoder().encodeToString(data.consumeRemainingAsBytes())
        : data.consumeRemainingAsString();
    AllocationMeter.bounded(header, WireHeadersFuzzTest::decode);
  }

  static void decode(String header) {
    try {
      WireHeaders.decodeSegment(header);
    } catch (WireException e) {
      expectStatus(e, 403);
    }
    try {
      WireHeaders.decodePayment(header);
    } catch (WireException e) {
      expectStatus(e, 402);
    }
  }

  private static void expectStatus(WireException e, int status) {
    if (e.httpStatus() != status) {
      throw new AssertionError("status " + e.httpStatus() + " where " + status + " is documented", e);
    }
  }
}
