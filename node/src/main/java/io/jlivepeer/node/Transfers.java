package io.jlivepeer.node;

import java.net.http.HttpClient;

/** How B and T move segments over HTTPS to and from O (the B->O->T->O->B overhead, docs/benchmarks.md). */
public final class Transfers {
  /**
   * HTTP/1.1 with keep-alive for segment and rendition bodies: measured on loopback, java.net.http's HTTP/2 moves a
   * 1.1 MB segment about 1.5x slower (16 KiB DATA frames, each wrapped and flow-controlled on its own), and a
   * segment body gains nothing from multiplexing. gRPC keeps HTTP/2.
   */
  public static final HttpClient.Version HTTP_VERSION = HttpClient.Version.HTTP_1_1;

  private Transfers() {}
}
