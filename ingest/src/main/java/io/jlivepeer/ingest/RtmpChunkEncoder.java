package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Splits outgoing {@link RtmpMessage}s into chunks (Adobe RTMP spec section 5.3): a type 0 header on the first
 * chunk, type 3 on the rest, the extended timestamp on every chunk when the time does not fit 24 bits. Messages
 * are written whole, one after another, so chunk streams never interleave on our side.
 *
 * <p>Sending a Set Chunk Size message switches this encoder to the new size for the messages after it, as the
 * peer will expect.
 */
final class RtmpChunkEncoder extends MessageToByteEncoder<RtmpMessage> {
  private static final int EXTENDED = 0xFFFFFF;

  private int chunkSize = RtmpChunkDecoder.DEFAULT_CHUNK_SIZE;
  private volatile long bytesWritten; // read by other threads for statistics

  RtmpChunkEncoder() {
    super(RtmpMessage.class);
  }

  long bytesWritten() {
    return bytesWritten;
  }

  /** Chunk stream per message kind, as common servers and clients lay them out. */
  static int chunkStreamFor(int type) {
    return switch (type) {
      case RtmpMessage.SET_CHUNK_SIZE, RtmpMessage.ABORT, RtmpMessage.ACKNOWLEDGEMENT, RtmpMessage.USER_CONTROL,
          RtmpMessage.WINDOW_ACK_SIZE, RtmpMessage.SET_PEER_BANDWIDTH -> 2;
      case RtmpMessage.COMMAND_AMF0, RtmpMessage.COMMAND_AMF3 -> 3;
      case RtmpMessage.AUDIO -> 4;
      case RtmpMessage.DATA_AMF0, RtmpMessage.DATA_AMF3 -> 5;
      default -> 6;
    };
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, RtmpMessage msg, ByteBuf out) {
    ByteBuf payload = msg.content();
    int length = payload.readableBytes();
    if (length > 0xFFFFFF) {
      throw new IngestException("RTMP message of " + length + " bytes does not fit the 24-bit length field");
    }
    int csid = chunkStreamFor(msg.type());
    long time = msg.timestamp() & 0xFFFFFFFFL; // RTMP time is 32 bits and wraps
    boolean extended = time >= EXTENDED;
    int start = out.writerIndex();
    int chunks = Math.max(1, (length + chunkSize - 1) / chunkSize);
    out.ensureWritable(length + 11 + chunks * (3 + (extended ? 4 : 0)));

    writeBasicHeader(out, 0, csid);
    out.writeMedium(extended ? EXTENDED : (int) time);
    out.writeMedium(length);
    out.writeByte(msg.type());
    out.writeIntLE(msg.streamId());
    if (extended) {
      out.writeInt((int) time);
    }
    int index = payload.readerIndex();
    int remaining = length;
    while (true) {
      int n = Math.min(chunkSize, remaining);
      out.writeBytes(payload, index, n);
      index += n;
      remaining -= n;
      if (remaining == 0) {
        break;
      }
      writeBasicHeader(out, 3, csid);
      if (extended) {
        out.writeInt((int) time);
      }
    }
    bytesWritten += out.writerIndex() - start;
    if (msg.type() == RtmpMessage.SET_CHUNK_SIZE) {
      chunkSize = payload.getInt(payload.readerIndex());
    }
  }

  static void writeBasicHeader(ByteBuf out, int fmt, int csid) {
    if (csid < 2 || csid > 65599) {
      throw new IllegalArgumentException("chunk stream id " + csid + " outside 2..65599");
    }
    if (csid < 64) {
      out.writeByte(fmt << 6 | csid);
    } else if (csid < 320) {
      out.writeByte(fmt << 6);
      out.writeByte(csid - 64);
    } else {
      out.writeByte(fmt << 6 | 1);
      out.writeByte((csid - 64) & 0xFF);
      out.writeByte((csid - 64) >>> 8);
    }
  }
}
