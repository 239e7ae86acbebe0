package io.jlivepeer.ingest;

import io.jlivepeer.media.EsFrame;
import java.util.Map;

/**
 * Receives one accepted publish's media, in arrival order.
 *
 * <p>Threading: every method is called on the publisher connection's Netty event loop, one call at a time. They
 * must not block and should not do heavy work (segmenting, transcoding, I/O): copy or enqueue and return, or the
 * loop stalls every other connection it serves. The byte arrays passed in are owned by the sink.
 *
 * <p>{@link #onClose} is called exactly once per accepted publish, whether the publisher ended the stream,
 * disconnected, broke the protocol, sent an unsupported codec, or the server shut down; no call follows it. A
 * sink method that throws ends the publish (the connection is closed and {@code onClose} follows).
 */
public interface StreamSink {
  /** The publisher's {@code onMetaData} (width, height, framerate, codec ids, encoder...), AMF0 values as Java. */
  void onMetadata(Map<String, Object> metadata);

  /** The H.264 AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1): SPS and PPS; may come again mid-stream. */
  void onVideoConfig(byte[] avcDecoderConfigurationRecord);

  /** The AAC AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1); may come again mid-stream. */
  void onAudioConfig(byte[] audioSpecificConfig);

  /** One video access unit (AVCC) or one raw AAC frame; frames come only after the matching config. */
  void onFrame(EsFrame frame);

  /** The publish is over; {@code reason} is a sentence for the operator's log. */
  void onClose(String reason);
}
