package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Builders for the protocol control, user control and command messages both sides send. */
final class RtmpMessages {
  /** User Control event types (spec 7.1.7). */
  static final int STREAM_BEGIN = 0;
  static final int STREAM_EOF = 1;
  static final int PING_REQUEST = 6;
  static final int PING_RESPONSE = 7;
  /** Set Peer Bandwidth limit type "dynamic" (spec 5.4.5). */
  static final int BANDWIDTH_DYNAMIC = 2;

  private RtmpMessages() {}

  static RtmpMessage setChunkSize(int size) {
    return control(RtmpMessage.SET_CHUNK_SIZE, Unpooled.buffer(4).writeInt(size));
  }

  static RtmpMessage windowAckSize(long size) {
    return control(RtmpMessage.WINDOW_ACK_SIZE, Unpooled.buffer(4).writeInt((int) size));
  }

  static RtmpMessage setPeerBandwidth(long size, int limitType) {
    return control(RtmpMessage.SET_PEER_BANDWIDTH, Unpooled.buffer(5).writeInt((int) size).writeByte(limitType));
  }

  static RtmpMessage acknowledgement(long sequenceNumber) {
    return control(RtmpMessage.ACKNOWLEDGEMENT, Unpooled.buffer(4).writeInt((int) sequenceNumber));
  }

  static RtmpMessage userControl(int event, int value) {
    return control(RtmpMessage.USER_CONTROL, Unpooled.buffer(6).writeShort(event).writeInt(value));
  }

  /** An AMF0 command message (type 20) on a message stream. */
  static RtmpMessage command(int streamId, Object... values) {
    ByteBuf payload = Unpooled.buffer(128);
    Amf0.encodeAll(payload, values);
    return new RtmpMessage(RtmpMessage.COMMAND_AMF0, streamId, 0, payload);
  }

  /** An AMF0 data message (type 18) on a message stream. */
  static RtmpMessage data(int streamId, long timestamp, Object... values) {
    ByteBuf payload = Unpooled.buffer(128);
    Amf0.encodeAll(payload, values);
    return new RtmpMessage(RtmpMessage.DATA_AMF0, streamId, timestamp, payload);
  }

  private static RtmpMessage control(int type, ByteBuf payload) {
    // Protocol control messages travel on message stream 0, chunk stream 2 (spec 5.4).
    return new RtmpMessage(type, 0, 0, payload);
  }
}
