package io.jlivepeer.ingest;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the RTMP ingest server. Every wire limit is checked before memory is allocated for it.
 *
 * @param bindAddress where to listen; default {@code 0.0.0.0:1935}, the port every RTMP encoder assumes (tests use
 *     {@code 127.0.0.1:0})
 * @param maxChunkSize largest chunk size a peer may announce with Set Chunk Size; default 65536. ffmpeg and OBS
 *     use 4096; bigger chunks bring an ingest nothing, so a larger value marks a misbehaving peer and is closed
 * @param maxMessageLength largest RTMP message a peer may announce in a chunk header; default 8 MiB, room for a
 *     4K keyframe at broadcast bitrates (the field itself allows 16 MiB)
 * @param maxChunkStreams distinct chunk stream ids one connection may use; default 64 (publishers use 3 to 8)
 * @param maxStreams concurrent publishes the server accepts; default 1000, further publishes are refused
 * @param maxConnections concurrent TCP connections, publishing or not; default 2000, further ones are closed at
 *     once
 * @param handshakeTimeout time a new connection has to complete the RTMP handshake; default 10 s
 * @param idleTimeout a connection that sends nothing for this long is closed; default 30 s (a live publisher
 *     sends audio or video many times a second)
 * @param ioThreads Netty event loop threads; default 0, meaning Netty's default of twice the CPU count
 */
public record RtmpConfig(
    InetSocketAddress bindAddress,
    int maxChunkSize,
    int maxMessageLength,
    int maxChunkStreams,
    int maxStreams,
    int maxConnections,
    Duration handshakeTimeout,
    Duration idleTimeout,
    int ioThreads) {

  public static final int DEFAULT_PORT = 1935;

  public RtmpConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    // RTMP chunks are at least 128 bytes in practice (the protocol default), and length fields are 24 bits.
    requireRange("maxChunkSize", maxChunkSize, 128, 0x7FFFFFFF);
    requireRange("maxMessageLength", maxMessageLength, 1024, 0xFFFFFF);
    requireRange("maxChunkStreams", maxChunkStreams, 4, 65598);
    requireRange("maxStreams", maxStreams, 1, Integer.MAX_VALUE);
    requireRange("maxConnections", maxConnections, 1, Integer.MAX_VALUE);
    requireRange("ioThreads", ioThreads, 0, 1024);
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()
        || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IngestException("RTMP handshakeTimeout and idleTimeout must be positive");
    }
  }

  /** The documented defaults, listening on all interfaces at port 1935. */
  public static RtmpConfig defaults() {
    return new RtmpConfig(new InetSocketAddress("0.0.0.0", DEFAULT_PORT), 65536, 8 * 1024 * 1024, 64, 1000,
        2000, Duration.ofSeconds(10), Duration.ofSeconds(30), 0);
  }

  public RtmpConfig withBindAddress(InetSocketAddress address) {
    return new RtmpConfig(address, maxChunkSize, maxMessageLength, maxChunkStreams, maxStreams, maxConnections,
        handshakeTimeout, idleTimeout, ioThreads);
  }

  public RtmpConfig withMaxChunkSize(int size) {
    return new RtmpConfig(bindAddress, size, maxMessageLength, maxChunkStreams, maxStreams, maxConnections,
        handshakeTimeout, idleTimeout, ioThreads);
  }

  public RtmpConfig withMaxMessageLength(int length) {
    return new RtmpConfig(bindAddress, maxChunkSize, length, maxChunkStreams, maxStreams, maxConnections,
        handshakeTimeout, idleTimeout, ioThreads);
  }

  public RtmpConfig withMaxStreams(int streams) {
    return new RtmpConfig(bindAddress, maxChunkSize, maxMessageLength, maxChunkStreams, streams, maxConnections,
        handshakeTimeout, idleTimeout, ioThreads);
  }

  public RtmpConfig withMaxConnections(int connections) {
    return new RtmpConfig(bindAddress, maxChunkSize, maxMessageLength, maxChunkStreams, maxStreams, connections,
        handshakeTimeout, idleTimeout, ioThreads);
  }

  public RtmpConfig withHandshakeTimeout(Duration timeout) {
    return new RtmpConfig(bindAddress, maxChunkSize, maxMessageLength, maxChunkStreams, maxStreams, maxConnections,
        timeout, idleTimeout, ioThreads);
  }

  public RtmpConfig withIdleTimeout(Duration timeout) {
    return new RtmpConfig(bindAddress, maxChunkSize, maxMessageLength, maxChunkStreams, maxStreams, maxConnections,
        handshakeTimeout, timeout, ioThreads);
  }

  public RtmpConfig withIoThreads(int threads) {
    return new RtmpConfig(bindAddress, maxChunkSize, maxMessageLength, maxChunkStreams, maxStreams, maxConnections,
        handshakeTimeout, idleTimeout, threads);
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IngestException("RTMP " + name + " " + value + " is outside " + min + ".." + max);
    }
  }
}
