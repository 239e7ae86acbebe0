package io.jlivepeer.node.studio;

import io.jlivepeer.media.VideoProfile;
import java.util.List;
import java.util.Optional;

/**
 * One API stream as stored: identity and settings plus lifetime totals. Immutable; the registry replaces it whole.
 *
 * @param id uuid
 * @param streamKey the RTMP key, {@code xxxx-xxxx-xxxx-xxxx}
 * @param playbackId 16 characters [a-z0-9]: the HLS manifest id
 * @param profiles empty: the broadcaster's own ladder (-transcodingOptions)
 * @param deleted a deleted stream keeps its row so its key is refused with a clear reason
 */
record StreamRecord(
    String id,
    String name,
    long createdAt,
    long lastSeen,
    boolean record,
    boolean suspended,
    boolean deleted,
    String streamKey,
    String playbackId,
    List<VideoProfile> profiles,
    Totals totals) {

  StreamRecord {
    profiles = List.copyOf(profiles);
  }

  /** Lifetime counts over all sessions (durations in ms). */
  record Totals(long sourceSegments, long transcodedSegments, long sourceMillis, long transcodedMillis,
      long sourceBytes, long transcodedBytes) {
    static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0);

    Totals plusSource(long millis, long bytes) {
      return new Totals(sourceSegments + 1, transcodedSegments, sourceMillis + millis, transcodedMillis,
          sourceBytes + bytes, transcodedBytes);
    }

    Totals plusTranscoded(long millis, long bytes) {
      return new Totals(sourceSegments, transcodedSegments + 1, sourceMillis, transcodedMillis + millis,
          sourceBytes, transcodedBytes + bytes);
    }
  }

  Optional<List<VideoProfile>> ladder() {
    return profiles.isEmpty() ? Optional.empty() : Optional.of(profiles);
  }

  StreamRecord withSettings(String name, boolean record, boolean suspended, List<VideoProfile> profiles) {
    return new StreamRecord(id, name, createdAt, lastSeen, record, suspended, deleted, streamKey, playbackId,
        profiles, totals);
  }

  StreamRecord asDeleted() {
    return new StreamRecord(id, name, createdAt, lastSeen, record, suspended, true, streamKey, playbackId, profiles,
        totals);
  }

  StreamRecord seen(long at, Totals totals) {
    return new StreamRecord(id, name, createdAt, at, record, suspended, deleted, streamKey, playbackId, profiles,
        totals);
  }
}
