package io.jlivepeer.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict multipart/mixed reader for tests: walks the body byte by byte and fails on anything but the exact
 * layout {@code --b CRLF headers CRLF CRLF data (CRLF --b CRLF headers CRLF CRLF data)* CRLF --b -- CRLF}, using
 * each part's Content-Length to find its end.
 */
final class MultipartTestParser {
  record Part(Map<String, String> headers, byte[] data) {}

  private final byte[] body;
  private int pos;

  private MultipartTestParser(byte[] body) {
    this.body = body;
  }

  static List<Part> parse(byte[] body, String boundary) {
    return new MultipartTestParser(body).parseAll(boundary);
  }

  private List<Part> parseAll(String boundary) {
    List<Part> parts = new ArrayList<>();
    expect("--" + boundary);
    while (true) {
      if (peek("--")) {
        expect("--\r\n");
        if (pos != body.length) {
          throw new AssertionError("bytes after the close delimiter at " + pos);
        }
        return parts;
      }
      expect("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      while (!peek("\r\n")) {
        String line = line();
        int colon = line.indexOf(": ");
        if (colon <= 0) {
          throw new AssertionError("malformed part header '" + line + "'");
        }
        headers.put(line.substring(0, colon), line.substring(colon + 2));
      }
      expect("\r\n");
      String length = headers.get("Content-Length");
      if (length == null) {
        throw new AssertionError("part without Content-Length: " + headers);
      }
      int n = Integer.parseInt(length);
      if (pos + n > body.length) {
        throw new AssertionError("part data runs past the body");
      }
      byte[] data = Arrays.copyOfRange(body, pos, pos + n);
      pos += n;
      parts.add(new Part(headers, data));
      expect("\r\n--" + boundary);
    }
  }

  private String line() {
    int start = pos;
    while (pos + 1 < body.length && !(body[pos] == '\r' && body[pos + 1] == '\n')) {
      pos++;
    }
    if (pos + 1 >= body.length) {
      throw new AssertionError("unterminated header line");
    }
    String line = new String(body, start, pos - start, StandardCharsets.US_ASCII);
    pos += 2;
    return line;
  }

  private boolean peek(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    if (pos + b.length > body.length) {
      return false;
    }
    for (int i = 0; i < b.length; i++) {
      if (body[pos + i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  private void expect(String s) {
    if (!peek(s)) {
      int end = Math.min(body.length, pos + s.length() + 8);
      throw new AssertionError("expected '" + s.replace("\r\n", "\\r\\n") + "' at byte " + pos + ", found '"
          + new String(body, pos, end - pos, StandardCharsets.ISO_8859_1).replace("\r\n", "\\r\\n") + "'");
    }
    pos += s.length();
  }
}
