package io.jlivepeer.node.transcoder;

import java.time.Duration;

/**
 * How a remote transcoder (T) runs (wire.md "O <-> remote T"; issue 4 "Transcoder").
 *
 * @param orchHost the orchestrator's host ({@code -orchAddr} host)
 * @param orchPort the orchestrator's service port ({@code -orchAddr} port)
 * @param orchSecret the orchestrator's {@code -orchSecret}; a wrong one is fatal
 * @param maxSessions stream sessions this T offers ({@code -maxSessions}; RegisterRequest.capacity); must be positive
 * @param maxBackoff longest wait between reconnects after a failure other than a wrong secret (default 1 minute;
 *     the first wait is 1 s and each failure doubles it)
 */
public record TranscoderConfig(String orchHost, int orchPort, String orchSecret, int maxSessions,
    Duration maxBackoff) {

  public TranscoderConfig {
    if (orchHost == null || orchHost.isBlank()) {
      throw new IllegalArgumentException("-orchAddr host must not be empty");
    }
    if (orchPort <= 0 || orchPort > 65535) {
      throw new IllegalArgumentException("-orchAddr port " + orchPort + " is out of range 1..65535");
    }
    if (orchSecret == null || orchSecret.isEmpty()) {
      throw new IllegalArgumentException("a transcoder needs -orchSecret, the secret its orchestrator was started with");
    }
    if (maxSessions <= 0) {
      throw new IllegalArgumentException("-maxSessions must be positive, got " + maxSessions);
    }
    if (maxBackoff == null || maxBackoff.isNegative() || maxBackoff.isZero()) {
      throw new IllegalArgumentException("reconnect back-off limit must be positive");
    }
  }

  /** Defaults for {@code -orchAddr host:port} (back-off up to 1 minute). */
  public static TranscoderConfig of(String orchAddr, String orchSecret, int maxSessions) {
    int colon = orchAddr == null ? -1 : orchAddr.lastIndexOf(':');
    if (colon <= 0 || colon == orchAddr.length() - 1) {
      throw new IllegalArgumentException("-orchAddr must be host:port, got '" + orchAddr + "'");
    }
    String host = orchAddr.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(orchAddr.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-orchAddr port in '" + orchAddr + "' is not a number", e);
    }
    return new TranscoderConfig(host, port, orchSecret, maxSessions, Duration.ofMinutes(1));
  }

  public TranscoderConfig withMaxBackoff(Duration backoff) {
    return new TranscoderConfig(orchHost, orchPort, orchSecret, maxSessions, backoff);
  }

  /** {@code https://host:port}, where results are posted. */
  String orchestratorUrl() {
    return "https://" + (orchHost.contains(":") ? "[" + orchHost + "]" : orchHost) + ":" + orchPort;
  }
}
