package io.jlivepeer.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.wire.TranscodeResultsCodec.Encoded;
import io.jlivepeer.wire.TranscodeResultsCodec.Failure;
import io.jlivepeer.wire.TranscodeResultsCodec.Limits;
import io.jlivepeer.wire.TranscodeResultsCodec.Outcome;
import io.jlivepeer.wire.TranscodeResultsCodec.Part;
import io.jlivepeer.wire.TranscodeResultsCodec.Renditions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TranscodeResultsCodecTest {
  private static final Limits LIMITS = Limits.defaults();

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static Outcome parse(String body) {
    return TranscodeResultsCodec.parse("multipart/mixed; boundary=XYZ", ascii(body), LIMITS);
  }

  @Test
  void roundTripsRenditionsInOrder() {
    Random random = new Random(7);
    byte[] a = new byte[5000];
    byte[] b = new byte[1];
    random.nextBytes(a);
    List<Part> parts = List.of(new Part("video/MP2T", a, 921600), new Part("video/MP2T", b, 0),
        new Part("video/MP2T", new byte[0], 3));
    Encoded encoded = TranscodeResultsCodec.encode(parts, TranscodeResultsCodec.newBoundary(random));
    assertThat(encoded.contentType()).startsWith("multipart/mixed; boundary=");
    Outcome outcome = TranscodeResultsCodec.parse(encoded.contentType(), encoded.body(), LIMITS);
    assertThat(outcome).isInstanceOf(Renditions.class);
    List<Part> back = ((Renditions) outcome).parts();
    assertThat(back).hasSize(3);
    assertThat(back.get(0).data()).isEqualTo(a);
    assertThat(back.get(0).pixels()).isEqualTo(921600);
    assertThat(back.get(1).data()).isEqualTo(b);
    assertThat(back.get(2).data()).isEmpty();
    assertThat(back.get(2).pixels()).isEqualTo(3);
  }

  @Test
  void parsesAHandWrittenBodyWithQuotedBoundaryPreambleAndEpilogue() {
    String body = "preamble\r\n--XYZ\r\ncontent-type: video/MP2T\r\nCONTENT-LENGTH: 3\r\nPixels: 10\r\n\r\nabc"
        + "\r\n--XYZ--\r\nepilogue";
    Outcome outcome = TranscodeResultsCodec.parse("Multipart/Mixed; charset=x; boundary=\"XYZ\"", ascii(body), LIMITS);
    Part part = ((Renditions) outcome).parts().get(0);
    assertThat(new String(part.data(), StandardCharsets.US_ASCII)).isEqualTo("abc");
    assertThat(part.contentType()).isEqualTo("video/MP2T");
    assertThat(part.pixels()).isEqualTo(10);
  }

  @Test
  void failureFormCarriesTheMessage() {
    Encoded failure = TranscodeResultsCodec.encodeFailure("decoder error: no video stream");
    assertThat(failure.contentType()).isEqualTo("livepeer/transcoding-error");
    assertThat(TranscodeResultsCodec.parse(failure.contentType(), failure.body(), LIMITS))
        .isEqualTo(new Failure("decoder error: no video stream"));
  }

  @Test
  void rejectsMissingBoundaryParameter() {
    assertThatThrownBy(() -> TranscodeResultsCodec.parse("multipart/mixed", ascii("--XYZ--"), LIMITS))
        .isInstanceOf(WireException.class).hasMessageContaining("has no boundary parameter");
  }

  @Test
  void rejectsBodyWithoutItsBoundary() {
    assertThatThrownBy(() -> parse("--OTHER\r\nContent-Length: 0\r\n\r\n\r\n--OTHER--"))
        .hasMessageContaining("does not contain its boundary 'XYZ'");
  }

  @Test
  void rejectsTruncatedPart() {
    assertThatThrownBy(() -> parse("--XYZ\r\nContent-Type: video/MP2T\r\nContent-Length: 10\r\nPixels: 1\r\n\r\nabc"))
        .hasMessageContaining("part 1 is truncated: it declares 10 bytes but only 3 follow");
    assertThatThrownBy(() -> parse("--XYZ\r\nContent-Type: video/MP2T\r\nContent-Len"))
        .hasMessageContaining("truncated inside its headers");
    assertThatThrownBy(() -> parse("--XYZ"))
        .hasMessageContaining("truncated or malformed");
  }

  @Test
  void rejectsContentLengthMismatch() {
    assertThatThrownBy(() -> parse(
        "--XYZ\r\nContent-Type: video/MP2T\r\nContent-Length: 2\r\nPixels: 1\r\n\r\nabc\r\n--XYZ--\r\n"))
        .hasMessageContaining("part 1 Content-Length mismatch");
  }

  @Test
  void rejectsPartsWithoutRequiredHeaders() {
    assertThatThrownBy(() -> parse("--XYZ\r\nContent-Type: video/MP2T\r\nPixels: 1\r\n\r\nabc\r\n--XYZ--"))
        .hasMessageContaining("no content-length header");
    assertThatThrownBy(() -> parse("--XYZ\r\nContent-Type: video/MP2T\r\nContent-Length: 3\r\n\r\nabc\r\n--XYZ--"))
        .hasMessageContaining("no pixels header");
    assertThatThrownBy(() -> parse("--XYZ\r\nContent-Length: 3\r\nPixels: 1\r\n\r\nabc\r\n--XYZ--"))
        .hasMessageContaining("no Content-Type header");
    assertThatThrownBy(() -> parse("--XYZ\r\nContent-Type: video/MP2T\r\nContent-Length: -3\r\nPixels: 1\r\n\r\nabc"))
        .hasMessageContaining("bad content-length header '-3'");
    assertThatThrownBy(() -> parse("--XYZ--\r\n")).hasMessageContaining("no parts");
  }

  @Test
  void rejectsOverLimitBodiesPartsAndHeaders() {
    Limits small = new Limits(200, 1, 4, 64, 8);
    String two = "--XYZ\r\nContent-Type: a\r\nContent-Length: 1\r\nPixels: 1\r\n\r\nx\r\n"
        + "--XYZ\r\nContent-Type: a\r\nContent-Length: 1\r\nPixels: 1\r\n\r\ny\r\n--XYZ--";
    assertThatThrownBy(() -> TranscodeResultsCodec.parse("multipart/mixed; boundary=XYZ", ascii(two), small))
        .hasMessageContaining("more than 1 parts");
    String big = "--XYZ\r\nContent-Type: a\r\nContent-Length: 5\r\nPixels: 1\r\n\r\nxxxxx\r\n--XYZ--";
    assertThatThrownBy(() -> TranscodeResultsCodec.parse("multipart/mixed; boundary=XYZ", ascii(big), small))
        .hasMessageContaining("declares 5 bytes, over the limit of 4");
    assertThatThrownBy(() -> TranscodeResultsCodec.parse("multipart/mixed; boundary=XYZ", new byte[201], small))
        .hasMessageContaining("over the limit of 200");
    String longHeaders = "--XYZ\r\nX-Pad: " + "p".repeat(80) + "\r\n\r\n";
    assertThatThrownBy(() -> TranscodeResultsCodec.parse("multipart/mixed; boundary=XYZ", ascii(longHeaders), small))
        .hasMessageContaining("headers exceed 64 bytes");
    assertThatThrownBy(() -> TranscodeResultsCodec.parse("livepeer/transcoding-error", new byte[9], small))
        .hasMessageContaining("over the limit of 8");
  }

  @Test
  void rejectsUnknownContentType() {
    assertThatThrownBy(() -> TranscodeResultsCodec.parse("video/MP2T", new byte[1], LIMITS))
        .hasMessageContaining("expected multipart/mixed")
        .satisfies(e -> assertThat(((WireException) e).httpStatus()).isEqualTo(400));
  }

  @Test
  void encoderRefusesARenditionThatContainsTheBoundary() {
    assertThatThrownBy(() -> TranscodeResultsCodec.encode(List.of(new Part("video/MP2T", ascii("a--XYZb"), 1)), "XYZ"))
        .hasMessageContaining("contains the multipart boundary");
  }
}
