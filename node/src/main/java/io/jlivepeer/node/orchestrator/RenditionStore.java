package io.jlivepeer.node.orchestrator;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * O's in-memory rendition store behind {@code GET /stream/<sessionId>/<profile>/<seq>.ts} (wire.md "HTTP between B
 * and O"): bounded by total bytes, oldest entries dropped first (B downloads renditions right after the answer, so
 * only the latest few segments need to stay). Thread-safe.
 */
final class RenditionStore {
  private final long maxBytes;
  private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>();
  private long bytes;

  RenditionStore(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The store path of a rendition (also its URL path, before percent-encoding the profile name). */
  static String key(String sessionId, String profile, long seq) {
    return "/stream/" + sessionId + "/" + profile + "/" + seq + ".ts";
  }

  synchronized void put(String key, byte[] data) {
    byte[] old = entries.put(key, data);
    if (old != null) {
      bytes -= old.length;
    }
    bytes += data.length;
    Iterator<Map.Entry<String, byte[]>> it = entries.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<String, byte[]> eldest = it.next();
      if (eldest.getKey().equals(key)) {
        continue; // the one just stored stays even when it alone is over the limit: B is about to fetch it
      }
      bytes -= eldest.getValue().length;
      it.remove();
    }
  }

  synchronized Optional<byte[]> get(String key) {
    return Optional.ofNullable(entries.get(key));
  }

  /** Drops every rendition of a session (it ended). */
  synchronized void removeSession(String sessionId) {
    String prefix = "/stream/" + sessionId + "/";
    Iterator<Map.Entry<String, byte[]>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, byte[]> e = it.next();
      if (e.getKey().startsWith(prefix)) {
        bytes -= e.getValue().length;
        it.remove();
      }
    }
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return entries.size();
  }
}
