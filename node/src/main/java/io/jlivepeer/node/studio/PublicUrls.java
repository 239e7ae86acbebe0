package io.jlivepeer.node.studio;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The URLs the stream API hands out (ingest, playback, recordings) and the random names in them: built from the
 * request's {@code Host} header when there is one (what the caller reached B by), else from the addresses B
 * listens on, a wildcard bind shown as loopback.
 */
final class PublicUrls {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private volatile InetSocketAddress rtmpAddr = new InetSocketAddress("127.0.0.1", 1935);
  private volatile InetSocketAddress httpAddr = new InetSocketAddress("127.0.0.1", 9935);

  void bind(InetSocketAddress rtmp, InetSocketAddress http) {
    this.rtmpAddr = rtmp;
    this.httpAddr = http;
  }

  String httpBase(Optional<String> hostHeader) {
    return "http://" + hostHeader.filter(h -> !h.isBlank()).orElseGet(() -> hostPort(httpAddr));
  }

  String ingestUrl(Optional<String> hostHeader) {
    String host = hostHeader.filter(h -> !h.isBlank()).map(PublicUrls::hostOf).orElseGet(() -> host(rtmpAddr));
    return "rtmp://" + host + ":" + rtmpAddr.getPort() + "/live";
  }

  /** A stream key: 16 random letters and digits in groups of four, one not {@code taken}. */
  static String streamKey(Predicate<String> taken) {
    return unique(taken, true);
  }

  /** A playback id: 16 random letters and digits, one not {@code taken}. */
  static String playbackId(Predicate<String> taken) {
    return unique(taken, false);
  }

  private static String unique(Predicate<String> taken, boolean grouped) {
    while (true) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 16; i++) {
        if (grouped && i > 0 && i % 4 == 0) {
          b.append('-');
        }
        b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
      }
      if (!taken.test(b.toString())) {
        return b.toString();
      }
    }
  }

  private static String hostOf(String hostHeader) {
    if (hostHeader.startsWith("[")) {
      int end = hostHeader.indexOf(']');
      return end > 0 ? hostHeader.substring(0, end + 1) : hostHeader;
    }
    int colon = hostHeader.lastIndexOf(':');
    return colon > 0 ? hostHeader.substring(0, colon) : hostHeader;
  }

  private static String hostPort(InetSocketAddress a) {
    return host(a) + ":" + a.getPort();
  }

  private static String host(InetSocketAddress a) {
    String h = a.getHostString();
    if (h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0")) {
      return "127.0.0.1";
    }
    return h.contains(":") ? "[" + h + "]" : h;
  }
}
