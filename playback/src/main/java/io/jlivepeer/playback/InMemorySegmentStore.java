package io.jlivepeer.playback;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments on the heap. Besides the window-driven eviction of {@link HlsStreams}, a byte budget caps the total: when
 * it is exceeded the oldest stored segments go first (a guard against a caller that never removes ended streams).
 */
public final class InMemorySegmentStore implements SegmentStore {
  /** Default budget: 1 GiB, about 100 renditions x 21 retained segments of 500 KB. */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  private static final Logger log = LoggerFactory.getLogger(InMemorySegmentStore.class);

  private final long maxBytes;
  private final LinkedHashMap<SegmentKey, byte[]> segments = new LinkedHashMap<>();
  private long bytes;

  public InMemorySegmentStore(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("segment store budget must be positive, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  public InMemorySegmentStore() {
    this(DEFAULT_MAX_BYTES);
  }

  @Override
  public synchronized void put(SegmentKey key, byte[] data) {
    byte[] old = segments.remove(key);
    if (old != null) {
      bytes -= old.length;
    }
    segments.put(key, data);
    bytes += data.length;
    Iterator<Map.Entry<SegmentKey, byte[]>> oldest = segments.entrySet().iterator();
    while (bytes > maxBytes && oldest.hasNext()) {
      Map.Entry<SegmentKey, byte[]> evicted = oldest.next();
      if (evicted.getKey().equals(key)) {
        continue; // keep the newest even when it alone exceeds the budget
      }
      bytes -= evicted.getValue().length;
      oldest.remove();
      log.warn("segment store over its {} byte budget: evicted {} early", maxBytes, evicted.getKey());
    }
  }

  @Override
  public synchronized Optional<byte[]> get(SegmentKey key) {
    return Optional.ofNullable(segments.get(key));
  }

  @Override
  public synchronized void delete(SegmentKey key) {
    byte[] old = segments.remove(key);
    if (old != null) {
      bytes -= old.length;
    }
  }

  @Override
  public synchronized void deleteStream(String manifestId) {
    Iterator<Map.Entry<SegmentKey, byte[]>> it = segments.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<SegmentKey, byte[]> e = it.next();
      if (e.getKey().manifestId().equals(manifestId)) {
        bytes -= e.getValue().length;
        it.remove();
      }
    }
  }

  /** Bytes held now. */
  public synchronized long storedBytes() {
    return bytes;
  }

  /** Segments held now. */
  public synchronized int size() {
    return segments.size();
  }

  @Override
  public synchronized void close() {
    segments.clear();
    bytes = 0;
  }
}
