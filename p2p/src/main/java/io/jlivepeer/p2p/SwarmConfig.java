package io.jlivepeer.p2p;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One swarm node's engine settings.
 *
 * @param bindAddress UDP address to bind (port 0: any free port)
 * @param maxChannels most open channels (peers: 12; the injector serves many more)
 * @param discardWindowChunks live discard window (RFC 7574 section 6.2): chunks older than this many behind the
 *     newest are forgotten and never requested or served (default 8192 = 8 MiB)
 * @param originPatienceMin a peer asks the origin for a munro no peer has only after a random wait between the
 *     min and max since it first heard of it, so one peer fetches it first and the others take it from the swarm
 * @param originPatienceMax see originPatienceMin
 * @param tick engine timer period (requests, sends within the window, keep-alives, timeouts)
 * @param seedCopies the injector serves a fresh chunk to at most this many peers (default 1) ...
 * @param seedFreshness ... while it is younger than this (default 4 s); after that to anyone who asks
 */
public record SwarmConfig(
    InetSocketAddress bindAddress,
    int maxChannels,
    int discardWindowChunks,
    Duration originPatienceMin,
    Duration originPatienceMax,
    Duration tick,
    int seedCopies,
    Duration seedFreshness) {

  public static final int CHUNK_SIZE = 1024;
  public static final int DEFAULT_DISCARD_WINDOW = 8192;
  /** Requests outstanding to one peer channel (the origin gets twice as many). */
  static final int MAX_OUTSTANDING_REQUESTS = 32;
  /** Requests a node queues for one channel to serve; more are ignored until it catches up. */
  static final int MAX_QUEUED_REQUESTS = 512;
  static final long REQUEST_TIMEOUT_MICROS = 1_500_000;
  static final long ACK_TIMEOUT_MICROS = 1_000_000;
  static final long KEEPALIVE_MICROS = 1_000_000;
  static final long CHANNEL_TIMEOUT_MICROS = 4_000_000;
  static final long HANDSHAKE_RETRY_MICROS = 500_000;
  static final long HANDSHAKE_GIVE_UP_MICROS = 5_000_000;
  /** Chunks after the playhead fetched strictly in order before rarest-first takes over. */
  static final int URGENT_CHUNKS = 64;
  static final int PEX_ANSWERS = 10;
  /** A request to the origin older than this is moved to a peer that has announced the chunk since. */
  static final long ORIGIN_SWITCH_MICROS = 150_000;

  public SwarmConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    if (maxChannels < 1 || discardWindowChunks < 4 * Merkle.MUNRO_CHUNKS) {
      throw new IllegalArgumentException("maxChannels >= 1 and a discard window of at least "
          + 4 * Merkle.MUNRO_CHUNKS + " chunks required");
    }
    if (originPatienceMax.compareTo(originPatienceMin) < 0 || tick.toMillis() < 1 || seedCopies < 1) {
      throw new IllegalArgumentException("origin patience max must be >= min, tick >= 1 ms");
    }
  }

  /** The injector's engine: many channels, no patience (it never requests). */
  public static SwarmConfig seed(InetSocketAddress bind) {
    return new SwarmConfig(bind, 256, DEFAULT_DISCARD_WINDOW, Duration.ZERO, Duration.ZERO, Duration.ofMillis(10),
        1, Duration.ofSeconds(4));
  }

  /** A viewer's engine. */
  public static SwarmConfig peer(InetSocketAddress bind) {
    return new SwarmConfig(bind, 12, DEFAULT_DISCARD_WINDOW, Duration.ofMillis(100), Duration.ofMillis(800),
        Duration.ofMillis(20), 1, Duration.ofSeconds(2));
  }
}
