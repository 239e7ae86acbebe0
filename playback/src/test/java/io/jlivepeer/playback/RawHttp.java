package io.jlivepeer.playback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** Sends hand-written bytes, for requests java.net.http would refuse or rewrite (dot segments, pipelining). */
final class RawHttp {
  private RawHttp() {}

  /** Writes {@code request} and returns everything the server sends until it closes the connection. */
  static String exchange(int port, String request) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  static String exchange(int port, byte[] request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (SocketException e) {
        // the server may answer and close before the whole body is written (413): read what it said
      }
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          received.write(buf, 0, n);
        }
      } catch (SocketException e) {
        // connection reset after the answer: keep what arrived
      }
      return received.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
