package io.jlivepeer.node.broadcaster;

import io.jlivepeer.ingest.StreamSink;
import io.jlivepeer.media.EsFrame;
import io.jlivepeer.media.Segmenter;
import io.jlivepeer.media.SegmenterConfig;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one RTMP publish into a segmenter (on the Netty event loop: cutting is a memory copy) and its
 * segments into the stream's queue. The stream is declared to the playlists at its first segment, when the
 * publisher's metadata and codec configuration are known.
 */
final class RtmpPublishAdapter implements StreamSink {
  private static final Logger log = LoggerFactory.getLogger(RtmpPublishAdapter.class);

  private final LiveStream stream;
  private final Segmenter segmenter;
  private final Runnable onEnd;
  private Map<String, Object> metadata = Map.of();
  private String videoCodec = "";
  private String audioCodec = "";
  private boolean started;

  RtmpPublishAdapter(LiveStream stream, SegmenterConfig config, Runnable onEnd) {
    this.stream = stream;
    this.onEnd = onEnd;
    this.segmenter = new Segmenter(stream.manifestId(), config, 0, segment -> {
      if (!started) {
        started = true;
        stream.start(sourceInfo());
      }
      stream.submit(segment, true);
    });
  }

  @Override
  public void onMetadata(Map<String, Object> metadata) {
    this.metadata = Map.copyOf(metadata);
  }

  @Override
  public void onVideoConfig(byte[] avcDecoderConfigurationRecord) {
    videoCodec = Codecs.avc(avcDecoderConfigurationRecord);
    segmenter.onVideoConfig(avcDecoderConfigurationRecord);
  }

  @Override
  public void onAudioConfig(byte[] audioSpecificConfig) {
    audioCodec = Codecs.aac(audioSpecificConfig);
    segmenter.onAudioConfig(audioSpecificConfig);
  }

  @Override
  public void onFrame(EsFrame frame) {
    segmenter.onFrame(frame);
  }

  @Override
  public void onClose(String reason) {
    try {
      segmenter.finish();
    } catch (RuntimeException e) {
      log.warn("stream {}: could not cut the last segment: {}", stream.manifestId(), e.getMessage());
    }
    log.info("stream {}: publish ended ({}); {} segments cut", stream.manifestId(), reason, segmenter.nextSeq());
    if (started) {
      stream.end();
    }
    onEnd.run();
  }

  private SourceInfo sourceInfo() {
    int width = (int) number("width");
    int height = (int) number("height");
    if (width <= 0 || height <= 0) {
      width = 0;
      height = 0;
    }
    double fps = Math.max(0, number("framerate"));
    long kbps = (long) (number("videodatarate") + number("audiodatarate"));
    long bandwidth = kbps > 0 ? kbps * 1000 : SourceInfo.UNKNOWN_BANDWIDTH_BPS;
    String codecs = videoCodec.isEmpty() ? audioCodec : audioCodec.isEmpty() ? videoCodec : videoCodec + "," + audioCodec;
    return new SourceInfo(width, height, fps, bandwidth, codecs);
  }

  private double number(String key) {
    return metadata.get(key) instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : 0;
  }
}
