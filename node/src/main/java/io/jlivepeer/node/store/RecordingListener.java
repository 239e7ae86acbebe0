package io.jlivepeer.node.store;

/**
 * Hears about recordings. Calls come from upload threads and must return quickly; an exception is logged and
 * ignored.
 */
public interface RecordingListener {
  /** A session's VOD playlists are in the record store. */
  void recordingReady(Recording recording);

  /** A recorded session began: its segments are being written (recording status "waiting"). */
  default void recordingStarted(String manifestId, String sessionId) {}

  /** A recorded session could not be written (nothing usable reached the store); {@code reason} says why. */
  default void recordingFailed(String manifestId, String sessionId, String reason) {}

  /** Hears nothing. */
  RecordingListener NONE = recording -> {};
}
