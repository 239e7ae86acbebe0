package io.jlivepeer.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jlivepeer.media.AllocationMeter;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * T's {@code POST /transcodeResults} body under small limits. Contract: an Outcome within the limits, or a
 * {@link WireException} with status 400; nothing else; bounded allocation.
 */
// Jazzer fuzzes only the first @FuzzTest of a JVM: the 20 s one must come before its long twin.
@TestMethodOrder(MethodOrderer.MethodName.class)
class TranscodeResultsFuzzTest {
  private static final TranscodeResultsCodec.Limits LIMITS = new TranscodeResultsCodec.Limits(8192, 4, 2048, 512, 256);

  @FuzzTest(maxDuration = "20s")
  void transcodeResults(FuzzedDataProvider data) {
    run(data);
  }

  @FuzzTest(maxDuration = "2h")
  @EnabledIfSystemProperty(named = "jlivepeer.fuzz.long", matches = "true")
  void transcodeResultsLong(FuzzedDataProvider data) {
    run(data);
  }

  static void run(FuzzedDataProvider data) {
    String contentType = switch (data.consumeInt(0, 2)) {
      case 0 -> "multipart/mixed; boundary=" + data.consumeString(90);
      case 1 -> WireHeaders.CONTENT_TYPE_TRANSCODING_ERROR;
      default -> data.consumeString(120);
    };
    byte[] body = data.consumeRemainingAsBytes();
    AllocationMeter.bounded(body, b -> parse(contentType, b));
  }

  static void parse(String contentType, byte[] body) {
    TranscodeResultsCodec.Outcome outcome;
    try {
      outcome = TranscodeResultsCodec.parse(contentType, body, LIMITS);
    } catch (WireException e) {
      if (e.httpStatus() != 400) {
        throw new AssertionError("status " + e.httpStatus() + " for a bad result body", e);
      }
      return;
    }
    if (outcome instanceof TranscodeResultsCodec.Renditions r) {
      if (r.parts().size() > LIMITS.maxParts()) {
        throw new AssertionError(r.parts().size() + " parts passed a limit of " + LIMITS.maxParts());
      }
      for (TranscodeResultsCodec.Part p : r.parts()) {
        if (p.data().length > LIMITS.maxPartBytes() || p.pixels() < 0) {
          throw new AssertionError("part over the limits: " + p.data().length + " bytes, " + p.pixels() + " pixels");
        }
      }
    } else if (outcome instanceof TranscodeResultsCodec.Failure f && f.message().length() > LIMITS.maxErrorBytes()) {
      throw new AssertionError("error message over the limit");
    }
  }
}
