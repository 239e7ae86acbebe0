package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.playback.HlsStreams;
import io.jlivepeer.playback.HlsVariant;
import java.util.ArrayList;
import java.util.List;

/** Publishes a stream's source and renditions as HLS: master playlist = renditions (ladder order), then source. */
final class HlsOutput implements SegmentOutput {
  /** Audio is copied from the source; assume a typical AAC rate for BANDWIDTH until the first bytes say more. */
  static final int ASSUMED_AUDIO_BPS = 128_000;

  private final HlsStreams hls;
  private final List<VideoProfile> profiles;

  HlsOutput(HlsStreams hls, List<VideoProfile> profiles) {
    this.hls = hls;
    this.profiles = List.copyOf(profiles);
  }

  @Override
  public void streamStarted(String manifestId, SourceInfo source) {
    String audio = source.codecs().contains("mp4a") ? source.codecs().substring(source.codecs().indexOf("mp4a")) : "";
    List<HlsVariant> variants = new ArrayList<>();
    for (VideoProfile p : profiles) {
      variants.add(HlsVariant.of(p, audio.isEmpty() ? 0 : ASSUMED_AUDIO_BPS, Codecs.rendition(p, audio)));
    }
    variants.add(HlsVariant.source(source.width(), source.height(), source.bandwidthBps(), source.codecs(),
        source.frameRate()));
    hls.startStream(manifestId, variants);
  }

  @Override
  public void sourceSegment(Segment segment) {
    hls.addSegment(segment.streamId(), HlsVariant.SOURCE_NAME, segment.seq(), segment.durationMillis(), segment.data());
  }

  @Override
  public void renditions(Segment source, List<Rendition> renditions) {
    for (Rendition r : renditions) {
      hls.addSegment(source.streamId(), r.profile().name(), source.seq(), source.durationMillis(), r.data());
    }
  }

  @Override
  public void streamEnded(String manifestId) {
    hls.endStream(manifestId);
  }
}
