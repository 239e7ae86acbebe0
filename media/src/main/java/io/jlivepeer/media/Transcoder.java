package io.jlivepeer.media;

import java.util.List;

/** Turns source segments into renditions. One {@link TranscodeSession} per stream keeps codec state alive. */
public interface Transcoder {
  /**
   * Opens a session for one stream and ladder. Sessions are not thread-safe: one segment at a time,
   * in order; different sessions may run concurrently.
   */
  TranscodeSession open(String sessionId, List<VideoProfile> profiles);

  interface TranscodeSession extends AutoCloseable {
    TranscodeResult transcode(Segment segment);

    @Override
    void close();
  }
}
