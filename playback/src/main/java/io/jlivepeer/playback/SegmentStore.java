package io.jlivepeer.playback;

import java.util.Optional;

/**
 * Segment bytes by key. {@link HlsStreams} bounds what is stored: it deletes each segment a while after it leaves the
 * playlist window. Implementations are thread-safe. Arrays passed in or handed out are shared, not copied: callers
 * must not modify them.
 */
public interface SegmentStore extends AutoCloseable {
  /** Stores (or replaces) a segment. @throws PlaybackException when it cannot be stored */
  void put(SegmentKey key, byte[] data);

  /** The segment, or empty when it was never stored or already evicted. */
  Optional<byte[]> get(SegmentKey key);

  /** Forgets a segment; nothing happens when it is absent. */
  void delete(SegmentKey key);

  /** Forgets every segment of a stream. */
  void deleteStream(String manifestId);

  /** Releases what the store holds open; stored data may stay (disk) or vanish (memory). */
  @Override
  void close();
}
