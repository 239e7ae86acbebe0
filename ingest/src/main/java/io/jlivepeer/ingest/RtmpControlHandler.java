package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Protocol control that both ends of a connection do alike: answers Window Acknowledgement Size with
 * Acknowledgements once the peer's window of bytes has arrived (spec 5.4.3/5.4.4), answers Set Peer Bandwidth
 * (5.4.5) and ping requests (7.1.7), and swallows those messages; everything else passes on.
 */
final class RtmpControlHandler extends ChannelInboundHandlerAdapter {
  /**
   * Window used until the peer names one: some encoders stall without acknowledgements, and the value most
   * servers announce is this one.
   */
  static final long DEFAULT_WINDOW = 2_500_000;
  /** C0 + C1 + C2 precede the chunk stream and count as received bytes too. */
  private static final int HANDSHAKE_BYTES = 1 + 1536 + 1536;

  private final RtmpChunkDecoder decoder;
  private long peerWindow = DEFAULT_WINDOW;
  private long windowSentToPeer;
  private long lastAcknowledged;

  RtmpControlHandler(RtmpChunkDecoder decoder) {
    this.decoder = decoder;
  }

  /** Remembers the window this side announced, so Set Peer Bandwidth is only answered when it differs. */
  void announcedWindow(long window) {
    this.windowSentToPeer = window;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof RtmpMessage m && isControl(m.type())) {
      try {
        handle(ctx, m);
      } finally {
        m.release();
      }
    } else {
      ctx.fireChannelRead(msg);
    }
    acknowledgeIfDue(ctx);
  }

  private static boolean isControl(int type) {
    return type == RtmpMessage.ACKNOWLEDGEMENT || type == RtmpMessage.USER_CONTROL
        || type == RtmpMessage.WINDOW_ACK_SIZE || type == RtmpMessage.SET_PEER_BANDWIDTH;
  }

  private void handle(ChannelHandlerContext ctx, RtmpMessage m) {
    ByteBuf p = m.content();
    switch (m.type()) {
      case RtmpMessage.WINDOW_ACK_SIZE -> {
        long window = readUnsignedInt(p, 4, "Window Acknowledgement Size");
        if (window == 0) {
          throw new RtmpProtocolException("peer announced a window acknowledgement size of 0");
        }
        peerWindow = window;
      }
      case RtmpMessage.SET_PEER_BANDWIDTH -> {
        long window = readUnsignedInt(p, 5, "Set Peer Bandwidth");
        if (window != windowSentToPeer && window != 0) {
          windowSentToPeer = window;
          ctx.writeAndFlush(RtmpMessages.windowAckSize(window));
        }
      }
      case RtmpMessage.USER_CONTROL -> {
        if (p.readableBytes() < 2) {
          throw new RtmpProtocolException("User Control message of " + p.readableBytes() + " bytes");
        }
        int event = p.readUnsignedShort();
        if (event == RtmpMessages.PING_REQUEST && p.readableBytes() >= 4) {
          ctx.writeAndFlush(RtmpMessages.userControl(RtmpMessages.PING_RESPONSE, p.readInt()));
        }
      }
      default -> {
        // Acknowledgement: we never hold back output waiting for one, so there is nothing to do.
      }
    }
  }

  private static long readUnsignedInt(ByteBuf p, int minLength, String what) {
    if (p.readableBytes() < minLength) {
      throw new RtmpProtocolException(what + " message of " + p.readableBytes() + " bytes; it needs " + minLength);
    }
    return p.getUnsignedInt(p.readerIndex());
  }

  private void acknowledgeIfDue(ChannelHandlerContext ctx) {
    long received = decoder.bytesReceived() + HANDSHAKE_BYTES;
    if (received - lastAcknowledged >= peerWindow && ctx.channel().isActive()) {
      lastAcknowledged = received;
      // The sequence number is the byte count so far, modulo 2^32 (spec 5.4.3).
      ctx.writeAndFlush(RtmpMessages.acknowledgement(received));
    }
  }
}
