package io.jlivepeer.cli;

import java.net.InetSocketAddress;

/** Parses the reference node's address flags: {@code host:port}, {@code :port} (all interfaces) or {@code [v6]:port}. */
final class HostPort {
  private HostPort() {}

  static InetSocketAddress parse(String flag, String value) {
    String v = value.strip();
    int colon = v.lastIndexOf(':');
    if (colon < 0) {
      throw new CliException("-" + flag + " " + value + ": expected host:port, e.g. 127.0.0.1:1935");
    }
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CliException("-" + flag + " " + value + ": the port is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new CliException("-" + flag + " " + value + ": the port must be 0-65535");
    }
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }
}
