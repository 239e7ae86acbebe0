package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.p2p.SwarmOrigin;
import io.jlivepeer.playback.HlsStreams;
import io.jlivepeer.playback.HlsVariant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Publishes a stream's source and renditions as HLS: master playlist = renditions (ladder order), then source. */
final class HlsOutput implements SegmentOutput {
  /** Audio is copied from the source; assume a typical AAC rate for BANDWIDTH until the first bytes say more. */
  static final int ASSUMED_AUDIO_BPS = 128_000;

  private final HlsStreams hls;
  private final java.util.function.Function<String, List<VideoProfile>> ladder;
  private final Optional<SwarmOrigin> swarm;

  HlsOutput(HlsStreams hls, List<VideoProfile> profiles) {
    this(hls, id -> profiles, Optional.empty());
  }

  /**
   * {@code ladder}: each manifest id's profiles (an API stream may have its own). With {@code swarm}: every segment
   * that reaches a playlist also goes to the stream's swarm (docs/p2p.md).
   */
  HlsOutput(HlsStreams hls, java.util.function.Function<String, List<VideoProfile>> ladder,
      Optional<SwarmOrigin> swarm) {
    this.hls = hls;
    this.ladder = ladder;
    this.swarm = swarm;
  }

  private void add(String stream, String rendition, long durationMillis, long seq, byte[] data) {
    OptionalLong mediaSequence = hls.addSegment(stream, rendition, seq, durationMillis, data);
    if (swarm.isPresent() && mediaSequence.isPresent()) {
      // keyed like the HLS URL (<rendition>/<media sequence>.ts) so a peer's playlists mirror B's
      swarm.get().publish(stream, rendition, mediaSequence.getAsLong(), durationMillis, data);
    }
  }

  @Override
  public void streamStarted(String manifestId, SourceInfo source) {
    String audio = source.codecs().contains("mp4a") ? source.codecs().substring(source.codecs().indexOf("mp4a")) : "";
    List<HlsVariant> variants = new ArrayList<>();
    for (VideoProfile p : ladder.apply(manifestId)) {
      variants.add(HlsVariant.of(p, audio.isEmpty() ? 0 : ASSUMED_AUDIO_BPS, Codecs.rendition(p, audio)));
    }
    variants.add(HlsVariant.source(source.width(), source.height(), source.bandwidthBps(), source.codecs(),
        source.frameRate()));
    hls.startStream(manifestId, variants);
  }

  @Override
  public void sourceSegment(Segment segment) {
    add(segment.streamId(), HlsVariant.SOURCE_NAME, segment.durationMillis(), segment.seq(), segment.data());
  }

  @Override
  public void renditions(Segment source, List<Rendition> renditions) {
    for (Rendition r : renditions) {
      add(source.streamId(), r.profile().name(), source.durationMillis(), source.seq(), r.data());
    }
  }

  @Override
  public void streamEnded(String manifestId) {
    hls.endStream(manifestId);
    swarm.ifPresent(s -> s.endStream(manifestId));
  }
}
