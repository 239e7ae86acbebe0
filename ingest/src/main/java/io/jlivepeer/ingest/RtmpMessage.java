package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One reassembled RTMP message (Adobe RTMP spec section 6.1): type id, message stream id, timestamp and payload.
 * The timestamp is the publisher's 32-bit clock unwrapped into a long, so it never jumps back at 2^32 ms.
 * Reference counted through its payload: whoever consumes it releases it.
 */
final class RtmpMessage extends DefaultByteBufHolder {
  static final int SET_CHUNK_SIZE = 1;
  static final int ABORT = 2;
  static final int ACKNOWLEDGEMENT = 3;
  static final int USER_CONTROL = 4;
  static final int WINDOW_ACK_SIZE = 5;
  static final int SET_PEER_BANDWIDTH = 6;
  static final int AUDIO = 8;
  static final int VIDEO = 9;
  static final int DATA_AMF3 = 15;
  static final int COMMAND_AMF3 = 17;
  static final int DATA_AMF0 = 18;
  static final int COMMAND_AMF0 = 20;
  static final int AGGREGATE = 22;

  private final int type;
  private final int streamId;
  private final long timestamp;

  RtmpMessage(int type, int streamId, long timestamp, ByteBuf payload) {
    super(payload);
    this.type = type;
    this.streamId = streamId;
    this.timestamp = timestamp;
  }

  int type() {
    return type;
  }

  int streamId() {
    return streamId;
  }

  long timestamp() {
    return timestamp;
  }

  @Override
  public RtmpMessage replace(ByteBuf content) {
    return new RtmpMessage(type, streamId, timestamp, content);
  }

  @Override
  public String toString() {
    return "RtmpMessage(type=" + type + ", stream=" + streamId + ", ts=" + timestamp + ", "
        + content().readableBytes() + " bytes)";
  }
}
