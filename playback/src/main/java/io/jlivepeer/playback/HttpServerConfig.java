package io.jlivepeer.playback;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link HttpServer}. Every wire limit is checked by Netty before the bytes are buffered.
 *
 * @param host address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port TCP port; 0 picks a free one (read it back with {@link HttpServer#port()})
 * @param maxRequestBytes largest request body accepted; a bigger one is answered 413 and the connection closed.
 *     Default {@link #DEFAULT_MAX_REQUEST_BYTES} (64 MiB), enough for a pushed segment of about a minute at
 *     8 Mbit/s; raise it together with the push-ingest segment limit for long-GOP streams
 * @param maxInitialLineBytes longest request line (method, URI, version); default 4096
 * @param maxHeaderBytes largest header block; default 16 KiB
 * @param idleTimeout a connection with no traffic in either direction for this long is closed; default 60 s
 * @param maxConcurrentRequests requests handled at the same time over all connections; more are answered 503
 *     with {@code Retry-After}; default 256
 * @param ioThreads Netty event-loop threads for socket I/O; 0 = Netty's default (2 x cores)
 */
public record HttpServerConfig(
    String host,
    int port,
    int maxRequestBytes,
    int maxInitialLineBytes,
    int maxHeaderBytes,
    Duration idleTimeout,
    int maxConcurrentRequests,
    int ioThreads) {

  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;
  public static final int DEFAULT_MAX_INITIAL_LINE_BYTES = 4096;
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 256;

  public HttpServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (host.isBlank()) {
      throw new IllegalArgumentException("HTTP bind host is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("HTTP port " + port + " is outside 0-65535");
    }
    if (maxRequestBytes <= 0 || maxInitialLineBytes <= 0 || maxHeaderBytes <= 0) {
      throw new IllegalArgumentException("HTTP size limits must be positive");
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("HTTP idle timeout must be positive, got " + idleTimeout);
    }
    if (maxConcurrentRequests <= 0) {
      throw new IllegalArgumentException("maxConcurrentRequests must be positive, got " + maxConcurrentRequests);
    }
    if (ioThreads < 0) {
      throw new IllegalArgumentException("ioThreads must be 0 (Netty default) or positive, got " + ioThreads);
    }
  }

  /** The documented defaults on the given address. */
  public static HttpServerConfig defaults(String host, int port) {
    return new HttpServerConfig(host, port, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_INITIAL_LINE_BYTES,
        DEFAULT_MAX_HEADER_BYTES, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS, 0);
  }

  /** A copy with another request-body limit. */
  public HttpServerConfig withMaxRequestBytes(int bytes) {
    return new HttpServerConfig(host, port, bytes, maxInitialLineBytes, maxHeaderBytes, idleTimeout,
        maxConcurrentRequests, ioThreads);
  }

  /** A copy with another concurrency limit. */
  public HttpServerConfig withMaxConcurrentRequests(int requests) {
    return new HttpServerConfig(host, port, maxRequestBytes, maxInitialLineBytes, maxHeaderBytes, idleTimeout,
        requests, ioThreads);
  }
}
