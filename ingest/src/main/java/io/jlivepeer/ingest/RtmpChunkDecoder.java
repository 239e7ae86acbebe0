package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.List;

/**
 * Reassembles RTMP chunks into {@link RtmpMessage}s (Adobe RTMP spec section 5.3 "Chunking").
 *
 * <p>Handles the four chunk message header types (fmt 0 full, 1 same stream, 2 timestamp delta only, 3 none),
 * 1/2/3-byte basic headers (chunk stream ids 2..65599), extended timestamps (also repeated on type 3 chunks of a
 * stream whose last header used one), interleaved chunk streams, and the two chunk-layer control messages itself:
 * Set Chunk Size (1) and Abort (2), which are not passed on.
 *
 * <p>Limits are checked before any buffer is allocated: a message header longer than {@code maxMessageLength},
 * a peer chunk size above {@code maxChunkSize}, or more than {@code maxChunkStreams} chunk streams moves the
 * decoder to {@link State#BAD_MESSAGE}, where it discards everything, and raises an {@link RtmpProtocolException}.
 * A message buffer grows only as its bytes arrive, so a declared length alone never reserves memory.
 *
 * <p>Timestamps: each chunk stream keeps a long clock. Full headers carry a 32-bit absolute time, taken as the
 * signed 32-bit step from the previous one so a wrap at 2^32 ms continues forward; deltas are added, and a type 3
 * header that starts a new message repeats the last type 1/2 delta (spec 5.3.1.2.4), or 0 after a type 0 header.
 */
final class RtmpChunkDecoder extends ByteToMessageDecoder {
  /** Chunk size of every peer until it sends Set Chunk Size (spec 5.4.1). */
  static final int DEFAULT_CHUNK_SIZE = 128;
  private static final int EXTENDED = 0xFFFFFF;
  private static final int[] MESSAGE_HEADER_LENGTH = {11, 7, 3, 0};

  enum State {
    BASIC_HEADER,
    MESSAGE_HEADER,
    EXTENDED_TIMESTAMP,
    PAYLOAD,
    BAD_MESSAGE
  }

  /** What the decoder remembers per chunk stream id, for headers that omit fields. */
  private static final class ChunkStream {
    boolean hasTimestamp;
    long timestamp; // unwrapped clock of the last message started on this chunk stream
    long delta; // last fmt 1/2 delta, 0 after a fmt 0 header; a new message in a fmt 3 chunk steps by it
    boolean extended; // last header used the extended timestamp field, so fmt 3 chunks repeat it
    int length;
    int type;
    int streamId;
    ByteBuf partial; // message being reassembled, absent between messages
  }

  private final int maxChunkSize;
  private final int maxMessageLength;
  private final int maxChunkStreams;
  private final IntObjectMap<ChunkStream> streams = new IntObjectHashMap<>();

  private State state = State.BASIC_HEADER;
  private int chunkSize = DEFAULT_CHUNK_SIZE;
  private long bytesReceived;
  // The chunk being parsed.
  private int fmt;
  private int csid;
  private ChunkStream current;
  private long headerTimestamp;
  private int headerLength;
  private int headerType;
  private int headerStreamId;
  private int chunkRemaining;

  RtmpChunkDecoder(int maxChunkSize, int maxMessageLength, int maxChunkStreams) {
    this.maxChunkSize = maxChunkSize;
    this.maxMessageLength = maxMessageLength;
    this.maxChunkStreams = maxChunkStreams;
  }

  /** Bytes consumed so far, for Acknowledgement messages. */
  long bytesReceived() {
    return bytesReceived;
  }

  State state() {
    return state;
  }

  int chunkSize() {
    return chunkSize;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int start = in.readerIndex();
    try {
      decodeChunks(ctx, in, out);
    } finally {
      bytesReceived += in.readerIndex() - start;
    }
  }

  private void decodeChunks(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (true) {
      switch (state) {
        case BASIC_HEADER -> {
          if (!readBasicHeader(in)) {
            return;
          }
          state = State.MESSAGE_HEADER;
        }
        case MESSAGE_HEADER -> {
          if (!readMessageHeader(in)) {
            return;
          }
          if (state != State.EXTENDED_TIMESTAMP) {
            startChunk(ctx, out);
          }
        }
        case EXTENDED_TIMESTAMP -> {
          if (in.readableBytes() < 4) {
            return;
          }
          long value = in.readUnsignedInt();
          if (fmt < 3) {
            headerTimestamp = value;
          } // on fmt 3 the repeated value is the one already remembered
          startChunk(ctx, out);
        }
        case PAYLOAD -> {
          int n = Math.min(in.readableBytes(), chunkRemaining);
          if (n == 0) {
            return;
          }
          current.partial.writeBytes(in, n);
          chunkRemaining -= n;
          if (chunkRemaining == 0) {
            state = State.BASIC_HEADER;
            if (current.partial.writerIndex() == current.length) {
              ByteBuf payload = current.partial;
              current.partial = null;
              complete(current, payload, out);
            }
          }
        }
        case BAD_MESSAGE -> {
          in.skipBytes(in.readableBytes());
          return;
        }
        default -> throw new IllegalStateException(state.name());
      }
    }
  }

  private boolean readBasicHeader(ByteBuf in) {
    if (!in.isReadable()) {
      return false;
    }
    int first = in.getUnsignedByte(in.readerIndex());
    int low = first & 0x3F;
    int length = low == 0 ? 2 : low == 1 ? 3 : 1;
    if (in.readableBytes() < length) {
      return false;
    }
    in.skipBytes(1);
    fmt = first >>> 6;
    if (low == 0) {
      csid = 64 + in.readUnsignedByte();
    } else if (low == 1) {
      int lowByte = in.readUnsignedByte();
      csid = 64 + lowByte + 256 * in.readUnsignedByte();
    } else {
      csid = low;
    }
    return true;
  }

  private boolean readMessageHeader(ByteBuf in) {
    if (in.readableBytes() < MESSAGE_HEADER_LENGTH[fmt]) {
      return false;
    }
    current = streams.get(csid);
    if (current == null) {
      if (fmt != 0) {
        throw fail("chunk stream " + csid + " starts with a type " + fmt
            + " chunk header; the first chunk on a chunk stream must carry a full (type 0) header");
      }
      if (streams.size() >= maxChunkStreams) {
        throw fail("peer opened more than " + maxChunkStreams + " chunk streams (RtmpConfig.maxChunkStreams)");
      }
      current = new ChunkStream();
      streams.put(csid, current);
    }
    if (fmt != 3 && current.partial != null) {
      throw fail("chunk stream " + csid + " got a type " + fmt + " header while a message of "
          + current.length + " bytes was incomplete");
    }
    headerLength = current.length;
    headerType = current.type;
    headerStreamId = current.streamId;
    boolean extended;
    if (fmt == 3) {
      extended = current.extended;
    } else {
      headerTimestamp = in.readUnsignedMedium();
      if (fmt <= 1) {
        headerLength = in.readUnsignedMedium();
        headerType = in.readUnsignedByte();
      }
      if (fmt == 0) {
        headerStreamId = in.readIntLE(); // the only little-endian field in RTMP
      }
      extended = headerTimestamp == EXTENDED;
    }
    state = extended ? State.EXTENDED_TIMESTAMP : State.PAYLOAD;
    if (fmt != 3) {
      current.extended = extended;
    }
    return true;
  }

  /** Applies the parsed header: maybe starts a message, then expects this chunk's payload. */
  private void startChunk(ChannelHandlerContext ctx, List<Object> out) {
    ChunkStream cs = current;
    if (cs.partial == null) {
      startMessage(cs);
      if (cs.length > maxMessageLength) {
        throw fail("message of " + cs.length + " bytes (type " + cs.type + ", chunk stream " + csid
            + ") exceeds the limit of " + maxMessageLength + " bytes (RtmpConfig.maxMessageLength)");
      }
      if (cs.length == 0) {
        state = State.BASIC_HEADER;
        complete(cs, ctx.alloc().buffer(0, 0), out);
        return;
      }
      cs.partial = ctx.alloc().buffer(Math.min(cs.length, chunkSize), cs.length);
    }
    chunkRemaining = Math.min(chunkSize, cs.length - cs.partial.writerIndex());
    state = State.PAYLOAD;
  }

  private void startMessage(ChunkStream cs) {
    if (fmt == 3) {
      cs.timestamp += cs.delta;
      return;
    }
    cs.length = headerLength;
    cs.type = headerType;
    cs.streamId = headerStreamId;
    if (fmt == 0) {
      // A full header carries absolute 32-bit time: step by the signed 32-bit difference so the clock goes on
      // past 2^32 ms and small steps back (audio/video interleaved on one chunk stream) stay small.
      cs.timestamp = cs.hasTimestamp ? cs.timestamp + (int) (headerTimestamp - cs.timestamp) : headerTimestamp;
      // A type 0 header carries no delta. A type 3 header starting a message right after it means "same time",
      // which is what librtmp (OBS) means when it sends one and what nginx-rtmp assumes.
      cs.delta = 0;
    } else {
      cs.timestamp += headerTimestamp;
      cs.delta = headerTimestamp;
    }
    cs.hasTimestamp = true;
  }

  private void complete(ChunkStream cs, ByteBuf payload, List<Object> out) {
    switch (cs.type) {
      case RtmpMessage.SET_CHUNK_SIZE -> {
        try {
          setChunkSize(payload);
        } finally {
          payload.release();
        }
      }
      case RtmpMessage.ABORT -> {
        try {
          abort(payload);
        } finally {
          payload.release();
        }
      }
      default -> out.add(new RtmpMessage(cs.type, cs.streamId, cs.timestamp, payload));
    }
  }

  private void setChunkSize(ByteBuf payload) {
    if (payload.readableBytes() != 4) {
      throw fail("Set Chunk Size message of " + payload.readableBytes() + " bytes; it must be 4");
    }
    long size = payload.getUnsignedInt(0);
    if (size < 1 || size > 0x7FFFFFFFL) {
      throw fail("invalid chunk size " + size + " (spec 5.4.1: 1 to 2147483647)");
    }
    if (size > maxChunkSize) {
      throw fail("peer set chunk size " + size + " above the limit of " + maxChunkSize
          + " bytes (RtmpConfig.maxChunkSize)");
    }
    chunkSize = (int) size;
  }

  private void abort(ByteBuf payload) {
    if (payload.readableBytes() != 4) {
      throw fail("Abort message of " + payload.readableBytes() + " bytes; it must be 4");
    }
    ChunkStream cs = streams.get(payload.getInt(0));
    if (cs != null && cs.partial != null) {
      cs.partial.release();
      cs.partial = null;
    }
  }

  private RtmpProtocolException fail(String reason) {
    state = State.BAD_MESSAGE;
    releasePartials();
    return new RtmpProtocolException(reason);
  }

  private void releasePartials() {
    for (ChunkStream cs : streams.values()) {
      if (cs.partial != null) {
        cs.partial.release();
        cs.partial = null;
      }
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    releasePartials();
  }
}
