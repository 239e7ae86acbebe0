package io.jlivepeer.ingest;

import io.jlivepeer.media.Rendition;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The multipart/mixed body (RFC 2046 5.1) answering a push: one part per rendition, each with
 * {@code Content-Type: video/MP2T}, {@code Content-Length}, {@code Content-Disposition: attachment;
 * filename="<profile>_<seq>.ts"} and {@code Rendition-Name: <profile>} (wire.md "HTTP push ingest on B").
 */
final class HttpPushMultipart {
  static final String PART_TYPE = "video/MP2T";

  private HttpPushMultipart() {}

  /** A body and the boundary that separates its parts. */
  record Body(String boundary, byte[] bytes) {
    String contentType() {
      return "multipart/mixed; boundary=" + boundary;
    }
  }

  static Body write(List<Rendition> renditions, long seq) {
    String boundary = boundaryNotIn(renditions);
    byte[] dashBoundary = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int size = 64;
    for (Rendition r : renditions) {
      size += r.data().length + 256;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    for (int i = 0; i < renditions.size(); i++) {
      Rendition r = renditions.get(i);
      if (i > 0) {
        out.writeBytes(crlf()); // the CRLF before a delimiter belongs to the delimiter
      }
      out.writeBytes(dashBoundary);
      String name = r.profile().name();
      String headers = "\r\n"
          + "Content-Type: " + PART_TYPE + "\r\n"
          + "Content-Length: " + r.data().length + "\r\n"
          + "Content-Disposition: attachment; filename=\"" + quoted(name + "_" + seq + ".ts") + "\"\r\n"
          + "Rendition-Name: " + name + "\r\n"
          + "\r\n";
      out.writeBytes(headers.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(r.data());
    }
    if (!renditions.isEmpty()) {
      out.writeBytes(crlf());
    }
    out.writeBytes(dashBoundary);
    out.writeBytes("--\r\n".getBytes(StandardCharsets.US_ASCII));
    return new Body(boundary, out.toByteArray());
  }

  private static byte[] crlf() {
    return new byte[] {'\r', '\n'};
  }

  /** Profile names are printable ASCII; only the quote and backslash need escaping in a quoted-string. */
  private static String quoted(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** A random boundary; redrawn in the (astronomically unlikely) case a rendition contains it. */
  private static String boundaryNotIn(List<Rendition> renditions) {
    while (true) {
      byte[] random = new byte[16];
      ThreadLocalRandom.current().nextBytes(random);
      String boundary = HexFormat.of().formatHex(random);
      byte[] needle = boundary.getBytes(StandardCharsets.US_ASCII);
      if (renditions.stream().noneMatch(r -> contains(r.data(), needle))) {
        return boundary;
      }
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (haystack[i] != needle[0]) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
