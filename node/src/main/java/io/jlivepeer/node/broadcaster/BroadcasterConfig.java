package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.VideoProfile;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A broadcaster node that transcodes locally (the first role; later issues send segments to orchestrators).
 *
 * @param rtmpAddr where RTMP publishers connect (reference default 127.0.0.1:1935)
 * @param httpAddr HLS playback and HTTP push ingest (reference default 127.0.0.1:9935)
 * @param profiles the ladder every stream is transcoded into
 * @param dataDir where segments are kept on disk
 * @param maxSessions most streams live at once; publishers beyond it are refused
 * @param segmentDuration target segment duration (cut at the next keyframe after it)
 * @param maxQueuedSegments per stream: segments waiting for the transcoder before the oldest is dropped
 *     (keeps a slow machine near the live edge instead of falling further behind; default 4)
 * @param playlistWindow segments listed in each live media playlist (default 10)
 */
public record BroadcasterConfig(
    InetSocketAddress rtmpAddr,
    InetSocketAddress httpAddr,
    List<VideoProfile> profiles,
    Path dataDir,
    int maxSessions,
    Duration segmentDuration,
    int maxQueuedSegments,
    int playlistWindow) {

  public static final int DEFAULT_MAX_QUEUED_SEGMENTS = 4;
  public static final int DEFAULT_PLAYLIST_WINDOW = 10;

  public BroadcasterConfig {
    Objects.requireNonNull(rtmpAddr, "rtmpAddr");
    Objects.requireNonNull(httpAddr, "httpAddr");
    Objects.requireNonNull(dataDir, "dataDir");
    profiles = List.copyOf(profiles);
    if (profiles.isEmpty()) {
      throw new IllegalArgumentException("the ladder is empty: give at least one profile in -transcodingOptions");
    }
    if (maxSessions < 1) {
      throw new IllegalArgumentException("-maxSessions must be at least 1");
    }
    if (segmentDuration.toMillis() < 500 || segmentDuration.toMillis() > 60_000) {
      throw new IllegalArgumentException("segment duration must be between 0.5 s and 60 s, got " + segmentDuration);
    }
    if (maxQueuedSegments < 1 || playlistWindow < 3) {
      throw new IllegalArgumentException("maxQueuedSegments >= 1 and playlistWindow >= 3 required");
    }
  }

  /** Loopback on ephemeral ports, for tests and the demo. */
  public static BroadcasterConfig loopback(List<VideoProfile> profiles, Path dataDir) {
    return new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
        profiles, dataDir, 10, Duration.ofSeconds(2), DEFAULT_MAX_QUEUED_SEGMENTS, DEFAULT_PLAYLIST_WINDOW);
  }
}
