package io.jlivepeer.node.orchestrator;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How an orchestrator (O) runs (wire.md; issue 4 "Orchestrator").
 *
 * @param serviceHost interface the service port binds ({@code -serviceAddr} host; default {@code 0.0.0.0})
 * @param servicePort TLS port for gRPC + HTTPS ({@code -serviceAddr} port; default 8935; 0 picks a free one)
 * @param publicHost host put into {@code OrchestratorInfo.transcoder} and rendition URLs (default: serviceHost,
 *     or 127.0.0.1 when that is the wildcard address); the port advertised is always the bound one
 * @param dataDir where the TLS certificate and O's signing key live (created once, reused on restart)
 * @param orchSecret shared secret; the auth-token HMAC key is derived from it (empty: a random per-process key)
 * @param maxSessions concurrent transcode sessions ({@code -maxSessions}; default 10); one more gets
 *     {@code OrchestratorCapped}
 * @param pricePerUnit wei per {@code pixelsPerUnit} pixels, advertised in PriceInfo (default 0: free)
 * @param pixelsPerUnit pixels the price is for (default 1)
 * @param maxSegmentBytes largest segment body accepted (default 32 MiB); larger ones get 413
 * @param sessionQueueDepth segments one session may have waiting or transcoding (default 3); one more is answered
 *     {@code OrchestratorBusy}
 * @param sessionIdleTimeout a session that sent no segment for this long is closed (default 70 s, a little over a
 *     minute so a B that pauses briefly keeps its warm transcoder)
 * @param maxStoredBytes rendition bytes kept for download across all sessions (default 256 MiB); the oldest
 *     segments' renditions are dropped first
 * @param localTranscoding whether O transcodes itself ({@code -transcoder} on an orchestrator; default true); with
 *     remote transcoders registered O sends work to them first and uses its own transcoder when none can take it;
 *     false: segments fail when no remote transcoder is registered
 */
public record OrchestratorConfig(String serviceHost, int servicePort, String publicHost, Path dataDir,
    String orchSecret, int maxSessions, long pricePerUnit, long pixelsPerUnit, int maxSegmentBytes,
    int sessionQueueDepth, Duration sessionIdleTimeout, long maxStoredBytes,
    boolean localTranscoding) {

  public OrchestratorConfig {
    if (serviceHost == null || serviceHost.isBlank()) {
      throw new IllegalArgumentException("-serviceAddr host must not be empty (use 0.0.0.0 for every interface)");
    }
    if (servicePort < 0 || servicePort > 65535) {
      throw new IllegalArgumentException("-serviceAddr port " + servicePort + " is out of range 0..65535");
    }
    if (publicHost == null || publicHost.isBlank()) {
      publicHost = serviceHost.equals("0.0.0.0") || serviceHost.equals("::") ? "127.0.0.1" : serviceHost;
    }
    if (dataDir == null) {
      throw new IllegalArgumentException("an orchestrator needs a data dir for its certificate and signing key");
    }
    if (orchSecret == null) {
      orchSecret = "";
    }
    if (maxSessions <= 0) {
      throw new IllegalArgumentException("-maxSessions must be positive, got " + maxSessions);
    }
    if (pricePerUnit < 0 || pixelsPerUnit <= 0) {
      throw new IllegalArgumentException("price must be >= 0 wei per a positive number of pixels, got "
          + pricePerUnit + "/" + pixelsPerUnit);
    }
    if (maxSegmentBytes <= 0 || sessionQueueDepth <= 0 || maxStoredBytes <= 0) {
      throw new IllegalArgumentException("segment size limit, session queue depth and store size must be positive");
    }
    if (sessionIdleTimeout == null || sessionIdleTimeout.isNegative() || sessionIdleTimeout.isZero()) {
      throw new IllegalArgumentException("session idle timeout must be positive");
    }
  }

  /** The defaults, listening on {@code serviceHost:servicePort} with state in {@code dataDir}. */
  public static OrchestratorConfig defaults(String serviceHost, int servicePort, Path dataDir, String orchSecret) {
    return new OrchestratorConfig(serviceHost, servicePort, "", dataDir, orchSecret, 10, 0, 1, 32 << 20, 3,
        Duration.ofSeconds(70), 256L << 20, true);
  }

  public OrchestratorConfig withMaxSessions(int sessions) {
    return new OrchestratorConfig(serviceHost, servicePort, publicHost, dataDir, orchSecret, sessions, pricePerUnit,
        pixelsPerUnit, maxSegmentBytes, sessionQueueDepth, sessionIdleTimeout, maxStoredBytes,
        localTranscoding);
  }

  public OrchestratorConfig withPrice(long perUnit, long pixels) {
    return new OrchestratorConfig(serviceHost, servicePort, publicHost, dataDir, orchSecret, maxSessions, perUnit,
        pixels, maxSegmentBytes, sessionQueueDepth, sessionIdleTimeout, maxStoredBytes,
        localTranscoding);
  }

  public OrchestratorConfig withMaxSegmentBytes(int bytes) {
    return new OrchestratorConfig(serviceHost, servicePort, publicHost, dataDir, orchSecret, maxSessions,
        pricePerUnit, pixelsPerUnit, bytes, sessionQueueDepth, sessionIdleTimeout, maxStoredBytes,
        localTranscoding);
  }

  /** Whether O transcodes segments itself (false: only registered remote transcoders do). */
  public OrchestratorConfig withLocalTranscoding(boolean local) {
    return new OrchestratorConfig(serviceHost, servicePort, publicHost, dataDir, orchSecret, maxSessions,
        pricePerUnit, pixelsPerUnit, maxSegmentBytes, sessionQueueDepth, sessionIdleTimeout, maxStoredBytes, local);
  }
}
