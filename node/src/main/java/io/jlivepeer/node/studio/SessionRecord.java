package io.jlivepeer.node.studio;

import java.util.Optional;

/**
 * One publish of a stream (Studio's "session"): from its first segment to the end of the publish.
 *
 * @param recordingStatus none (not recorded), waiting (recorded, session not written yet), ready, failed
 * @param recordingUrl B's URL of the VOD master playlist once ready
 */
record SessionRecord(
    String id,
    String streamId,
    long createdAt,
    long lastSeen,
    boolean active,
    boolean record,
    String recordingStatus,
    Optional<String> recordingUrl,
    long sourceSegments,
    long transcodedSegments,
    long sourceMillis) {

  SessionRecord withSegment(long at, boolean transcoded, long millis) {
    return new SessionRecord(id, streamId, createdAt, at, active, record, recordingStatus, recordingUrl,
        sourceSegments + (transcoded ? 0 : 1), transcodedSegments + (transcoded ? 1 : 0),
        sourceMillis + (transcoded ? 0 : millis));
  }

  SessionRecord ended(long at) {
    return new SessionRecord(id, streamId, createdAt, Math.max(lastSeen, at), false, record, recordingStatus,
        recordingUrl, sourceSegments, transcodedSegments, sourceMillis);
  }

  SessionRecord recording(String status, Optional<String> url) {
    return new SessionRecord(id, streamId, createdAt, lastSeen, active, record, status, url, sourceSegments,
        transcodedSegments, sourceMillis);
  }
}
