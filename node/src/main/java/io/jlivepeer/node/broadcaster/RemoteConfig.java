package io.jlivepeer.node.broadcaster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a broadcaster reaches orchestrators (remote mode, {@code -orchAddr a,b,c}).
 *
 * @param orchAddrs operator-given (trusted) orchestrator service addresses as {@code host:port}; may be empty when a
 *     discovery webhook ({@link OrchestratorWebhook}) supplies them
 * @param dataDir where B's signing key ({@link RemoteTranscoder#KEY_FILE}) is kept
 * @param discoveryTimeout per GetOrchestrator call (default 2 s)
 * @param maxAttempts most segment requests per segment, across all orchestrators (default 3); bounds the load a
 *     failing network can cause
 * @param minRequestTimeout floor of the whole-request timeout (wire.md: 8 s; tests lower it)
 * @param slowFactor a segment whose round trip exceeds {@code slowFactor x duration} counts as slow and moves the
 *     stream to another orchestrator when one is available (default 1.0: slower than real time)
 * @param maxRenditionBytes largest rendition B downloads (default 64 MiB)
 */
public record RemoteConfig(List<String> orchAddrs, Path dataDir, Duration discoveryTimeout, int maxAttempts,
    Duration minRequestTimeout, double slowFactor, long maxRenditionBytes) {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_DISCOVERY_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_MIN_REQUEST_TIMEOUT = Duration.ofSeconds(8);
  public static final long DEFAULT_MAX_RENDITION_BYTES = 64L << 20;

  public RemoteConfig {
    orchAddrs = List.copyOf(orchAddrs);
    Objects.requireNonNull(dataDir, "dataDir");
    for (String a : orchAddrs) {
      int colon = a.lastIndexOf(':');
      if (colon <= 0 || colon == a.length() - 1) {
        throw new IllegalArgumentException("-orchAddr entry '" + a + "' is not host:port");
      }
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("-maxAttempts must be at least 1");
    }
    if (discoveryTimeout.isNegative() || discoveryTimeout.isZero() || minRequestTimeout.isNegative()
        || minRequestTimeout.isZero() || slowFactor <= 0 || maxRenditionBytes < 1) {
      throw new IllegalArgumentException("timeouts, slowFactor and maxRenditionBytes must be positive");
    }
  }

  /** wire.md defaults for the given orchestrators. */
  public static RemoteConfig defaults(List<String> orchAddrs, Path dataDir) {
    return new RemoteConfig(orchAddrs, dataDir, DEFAULT_DISCOVERY_TIMEOUT, DEFAULT_MAX_ATTEMPTS,
        DEFAULT_MIN_REQUEST_TIMEOUT, 1.0, DEFAULT_MAX_RENDITION_BYTES);
  }

  public RemoteConfig withMaxAttempts(int attempts) {
    return new RemoteConfig(orchAddrs, dataDir, discoveryTimeout, attempts, minRequestTimeout, slowFactor,
        maxRenditionBytes);
  }

  public RemoteConfig withMinRequestTimeout(Duration timeout) {
    return new RemoteConfig(orchAddrs, dataDir, discoveryTimeout, maxAttempts, timeout, slowFactor,
        maxRenditionBytes);
  }

  public RemoteConfig withSlowFactor(double factor) {
    return new RemoteConfig(orchAddrs, dataDir, discoveryTimeout, maxAttempts, minRequestTimeout, factor,
        maxRenditionBytes);
  }

  /** wire.md: upload within max(0.5 x segment duration, 2 s). */
  public static Duration uploadTimeout(long segmentMillis) {
    return Duration.ofMillis(Math.max(segmentMillis / 2, 2_000));
  }

  /** wire.md: whole request within max(8 s, 4 x segment duration); the 8 s floor is {@link #minRequestTimeout}. */
  public Duration requestTimeout(long segmentMillis) {
    return Duration.ofMillis(Math.max(minRequestTimeout.toMillis(), 4 * segmentMillis));
  }
}
