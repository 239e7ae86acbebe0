package io.jlivepeer.ingest;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server-wide set of live manifest ids, shared by all event loops: enforces one publisher per manifest id and
 * the {@link RtmpConfig#maxStreams()} limit.
 */
final class PublishRegistry {
  private final ConcurrentMap<String, Object> live = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final int maxStreams;
  private volatile boolean shuttingDown;

  PublishRegistry(int maxStreams) {
    this.maxStreams = maxStreams;
  }

  /** Reserves {@code manifestId} for {@code owner}; returns the refusal reason when it cannot. */
  Optional<String> claim(String manifestId, Object owner) {
    if (shuttingDown) {
      return Optional.of("server shutting down");
    }
    if (count.incrementAndGet() > maxStreams) {
      count.decrementAndGet();
      return Optional.of("server at capacity (" + maxStreams + " streams)");
    }
    if (live.putIfAbsent(manifestId, owner) != null) {
      count.decrementAndGet();
      return Optional.of("stream already publishing");
    }
    return Optional.empty();
  }

  void release(String manifestId, Object owner) {
    if (live.remove(manifestId, owner)) {
      count.decrementAndGet();
    }
  }

  /** The connection publishing {@code manifestId}, if one is. */
  Optional<Object> owner(String manifestId) {
    return Optional.ofNullable(live.get(manifestId));
  }

  boolean isLive(String manifestId) {
    return live.containsKey(manifestId);
  }

  int size() {
    return count.get();
  }

  void shutDown() {
    shuttingDown = true;
  }

  boolean shuttingDown() {
    return shuttingDown;
  }
}
