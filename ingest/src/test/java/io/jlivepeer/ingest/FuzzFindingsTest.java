package io.jlivepeer.ingest;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Inputs the fuzz targets found, replayed through the same contract checks in every build. */
class FuzzFindingsTest {
  /** Handshake, then an empty type-17 (AMF3 command) message: IndexOutOfBounds logged as an internal error. */
  @Test
  void emptyAmf3CommandAfterHandshake() {
    RtmpPipelineFuzzTest.run(decode("CUEmJgAAAA8PDwAsAAAQ"));
  }

  private static byte[] decode(String base64) {
    return Base64.getDecoder().decode(base64);
  }
}
