package io.jlivepeer.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Random;

/** A blocking socket that speaks hand-written RTMP bytes, for tests of misbehaving peers. */
final class RawClient implements AutoCloseable {
  private final Socket socket = new Socket();

  RawClient(InetSocketAddress server) throws IOException {
    socket.connect(server, 5000);
    socket.setSoTimeout(100);
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** A complete simple handshake: C0+C1, read S0+S1+S2, C2. */
  void handshake() throws IOException {
    byte[] c0c1 = new byte[1537];
    c0c1[0] = 3;
    new Random(1).nextBytes(c0c1);
    c0c1[0] = 3;
    send(c0c1);
    byte[] s = readExactly(3073);
    byte[] c2 = new byte[1536];
    System.arraycopy(s, 1, c2, 0, 1536);
    send(c2);
  }

  private byte[] readExactly(int n) throws IOException {
    socket.setSoTimeout(5000);
    byte[] b = socket.getInputStream().readNBytes(n);
    socket.setSoTimeout(100);
    if (b.length != n) {
      throw new IOException("server sent " + b.length + " of " + n + " bytes, then closed");
    }
    return b;
  }

  /** Reads and discards until the server closes; false if it is still open after {@code millis}. */
  boolean awaitClosedByServer(long millis) throws IOException {
    long deadline = System.currentTimeMillis() + millis;
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    while (System.currentTimeMillis() < deadline) {
      try {
        if (in.read(buffer) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        // still open; keep waiting
      } catch (SocketException e) {
        return true; // reset by the server
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
