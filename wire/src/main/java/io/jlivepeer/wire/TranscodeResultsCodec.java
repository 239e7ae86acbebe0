package io.jlivepeer.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The body of T's {@code POST /transcodeResults} (wire.md "O <-> remote T"): either {@code multipart/mixed} with
 * one part per rendition in profile order (part headers {@code Content-Type}, {@code Content-Length}, {@code
 * Pixels}), or {@code livepeer/transcoding-error} with the failure message as the body.
 *
 * <p>The parser is strict: every part must declare its length, and the boundary must follow exactly that many
 * bytes; anything else is a {@link WireException} with status 400 that names what was wrong.
 */
public final class TranscodeResultsCodec {
  /** Content type prefix of a successful result. */
  public static final String MULTIPART_MIXED = "multipart/mixed";
  private static final byte[] CRLF = {'\r', '\n'};
  private static final int MAX_BOUNDARY_LENGTH = 70; // RFC 2046 section 5.1.1

  private TranscodeResultsCodec() {}

  /**
   * Size limits of the parser, all checked before copying any part.
   *
   * @param maxBodyBytes whole body (default 256 MiB: four 1080p renditions of a long segment fit easily)
   * @param maxParts renditions per result (default 32, as {@link WireProfiles#MAX_PROFILES})
   * @param maxPartBytes one rendition (default 128 MiB)
   * @param maxPartHeaderBytes header block of one part (default 8 KiB)
   * @param maxErrorBytes message of a {@code livepeer/transcoding-error} body (default 64 KiB)
   */
  public record Limits(long maxBodyBytes, int maxParts, long maxPartBytes, int maxPartHeaderBytes, int maxErrorBytes) {
    public Limits {
      if (maxBodyBytes <= 0 || maxParts <= 0 || maxPartBytes <= 0 || maxPartHeaderBytes <= 0 || maxErrorBytes <= 0) {
        throw new IllegalArgumentException("multipart limits must be positive");
      }
    }

    public static Limits defaults() {
      return new Limits(256L << 20, WireProfiles.MAX_PROFILES, 128L << 20, 8 << 10, 64 << 10);
    }
  }

  /**
   * One rendition.
   *
   * @param contentType e.g. {@code video/MP2T}
   * @param data the rendition bytes
   * @param pixels encoded output pixels
   */
  public record Part(String contentType, byte[] data, long pixels) {
    public Part {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(data, "data");
      if (pixels < 0) {
        throw new IllegalArgumentException("pixels must not be negative");
      }
      if (contentType.isBlank() || contentType.contains("\r") || contentType.contains("\n")) {
        throw new IllegalArgumentException("bad part content type '" + contentType + "'");
      }
    }
  }

  /** What a T reported: renditions or a failure. */
  public sealed interface Outcome permits Renditions, Failure {}

  /** The renditions in profile order. */
  public record Renditions(List<Part> parts) implements Outcome {
    public Renditions {
      parts = List.copyOf(parts);
    }
  }

  /** T could not transcode; {@code message} is its explanation. */
  public record Failure(String message) implements Outcome {}

  /** A body ready to post, with the {@code Content-Type} header to send it under. */
  public record Encoded(String contentType, byte[] body) {}

  /** A random boundary of 32 hex characters. */
  public static String newBoundary(RandomGenerator random) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Encodes renditions under {@code boundary}; throws if a rendition happens to contain the boundary. */
  public static Encoded encode(List<Part> parts, String boundary) {
    checkBoundary(boundary);
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Part part : parts) {
      if (indexOf(part.data(), delimiter, 0, part.data().length) >= 0) {
        throw new WireException(500, "rendition contains the multipart boundary; encode again with a new boundary");
      }
      out.writeBytes(delimiter);
      out.writeBytes(CRLF);
      String headers = "Content-Type: " + part.contentType() + "\r\n"
          + "Content-Length: " + part.data().length + "\r\n"
          + WireHeaders.PIXELS + ": " + part.pixels() + "\r\n\r\n";
      out.writeBytes(headers.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(part.data());
      out.writeBytes(CRLF);
    }
    out.writeBytes(delimiter);
    out.writeBytes("--\r\n".getBytes(StandardCharsets.US_ASCII));
    return new Encoded(MULTIPART_MIXED + "; boundary=" + boundary, out.toByteArray());
  }

  /** The failure form: {@code livepeer/transcoding-error} with the message as the body. */
  public static Encoded encodeFailure(String message) {
    return new Encoded(WireHeaders.CONTENT_TYPE_TRANSCODING_ERROR, message.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a result body given its {@code Content-Type} header. */
  public static Outcome parse(String contentType, byte[] body, Limits limits) {
    if (body.length > limits.maxBodyBytes()) {
      throw new WireException(400, "transcode result body is " + body.length + " bytes, over the limit of "
          + limits.maxBodyBytes());
    }
    String type = contentType.strip();
    String lower = type.toLowerCase(Locale.ROOT);
    if (lower.startsWith(WireHeaders.CONTENT_TYPE_TRANSCODING_ERROR)) {
      if (body.length > limits.maxErrorBytes()) {
        throw new WireException(400, "transcoding error message is " + body.length + " bytes, over the limit of "
            + limits.maxErrorBytes());
      }
      return new Failure(new String(body, StandardCharsets.UTF_8));
    }
    if (!lower.startsWith(MULTIPART_MIXED)) {
      throw new WireException(400, "transcode result has Content-Type '" + type + "'; expected "
          + MULTIPART_MIXED + "; boundary=... or " + WireHeaders.CONTENT_TYPE_TRANSCODING_ERROR);
    }
    String boundary = boundaryOf(type);
    return new Renditions(parseParts(body, boundary, limits));
  }

  static String boundaryOf(String contentType) {
    for (String param : contentType.split(";")) {
      String p = param.strip();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("boundary")) {
        String value = p.substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        checkBoundary(value);
        return value;
      }
    }
    throw new WireException(400, "multipart Content-Type '" + contentType + "' has no boundary parameter");
  }

  private static void checkBoundary(String boundary) {
    if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY_LENGTH
        || !boundary.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new WireException(400, "multipart boundary must be 1.." + MAX_BOUNDARY_LENGTH
          + " printable ASCII characters without spaces");
    }
  }

  private static List<Part> parseParts(byte[] body, String boundary, Limits limits) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    // The first delimiter opens the body or follows a preamble line.
    int pos;
    if (startsWith(body, 0, delimiter)) {
      pos = delimiter.length;
    } else {
      byte[] lineDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
      int at = indexOf(body, lineDelimiter, 0, body.length);
      if (at < 0) {
        throw new WireException(400, "multipart body does not contain its boundary '" + boundary + "'");
      }
      pos = at + lineDelimiter.length;
    }
    List<Part> parts = new ArrayList<>();
    while (true) {
      if (startsWith(body, pos, new byte[] {'-', '-'})) {
        break; // close delimiter; whatever follows is epilogue
      }
      if (!startsWith(body, pos, CRLF)) {
        throw new WireException(400, "multipart part " + (parts.size() + 1)
            + " is truncated or malformed: expected CRLF after the boundary");
      }
      pos += 2;
      if (parts.size() == limits.maxParts()) {
        throw new WireException(400, "multipart result has more than " + limits.maxParts() + " parts");
      }
      int index = parts.size() + 1;
      int headerEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, pos,
          (int) Math.min(body.length, (long) pos + limits.maxPartHeaderBytes() + 4));
      if (headerEnd < 0) {
        if (body.length - pos > limits.maxPartHeaderBytes()) {
          throw new WireException(400, "multipart part " + index + " headers exceed "
              + limits.maxPartHeaderBytes() + " bytes");
        }
        throw new WireException(400, "multipart part " + index + " is truncated inside its headers");
      }
      Map<String, String> headers = parseHeaders(new String(body, pos, headerEnd - pos, StandardCharsets.ISO_8859_1),
          index);
      pos = headerEnd + 4;
      long length = longHeader(headers, "content-length", index);
      if (length > limits.maxPartBytes()) {
        throw new WireException(400, "multipart part " + index + " declares " + length
            + " bytes, over the limit of " + limits.maxPartBytes());
      }
      long pixels = longHeader(headers, "pixels", index);
      String partType = headers.get("content-type");
      if (partType == null || partType.isEmpty()) {
        throw new WireException(400, "multipart part " + index + " has no Content-Type header");
      }
      if (pos + length > body.length) {
        throw new WireException(400, "multipart part " + index + " is truncated: it declares " + length
            + " bytes but only " + (body.length - pos) + " follow");
      }
      int end = (int) (pos + length);
      if (!startsWith(body, end, CRLF) || !startsWith(body, end + 2, delimiter)) {
        throw new WireException(400, "multipart part " + index + " Content-Length mismatch: the boundary does not "
            + "follow the declared " + length + " bytes");
      }
      parts.add(new Part(partType, java.util.Arrays.copyOfRange(body, pos, end), pixels));
      pos = end + 2 + delimiter.length;
    }
    if (parts.isEmpty()) {
      throw new WireException(400, "multipart result has no parts; send " + WireHeaders.CONTENT_TYPE_TRANSCODING_ERROR
          + " to report a failure");
    }
    return parts;
  }

  private static Map<String, String> parseHeaders(String block, int index) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : block.split("\r\n", -1)) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new WireException(400, "multipart part " + index + " has a malformed header line '" + line + "'");
      }
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      if (out.put(name, line.substring(colon + 1).strip()) != null) {
        throw new WireException(400, "multipart part " + index + " repeats header " + name);
      }
    }
    return out;
  }

  private static long longHeader(Map<String, String> headers, String name, int index) {
    String value = headers.get(name);
    if (value == null) {
      throw new WireException(400, "multipart part " + index + " has no " + name + " header");
    }
    try {
      long v = Long.parseLong(value);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new WireException(400, "multipart part " + index + " has a bad " + name + " header '" + value
          + "': expected a non-negative integer");
    }
  }

  private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
    if (offset < 0 || offset + prefix.length > data.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[offset + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] data, byte[] needle, int from, int to) {
    for (int i = from; i <= to - needle.length; i++) {
      if (startsWith(data, i, needle)) {
        return i;
      }
    }
    return -1;
  }
}
