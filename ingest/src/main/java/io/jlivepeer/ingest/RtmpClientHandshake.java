package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Client side of the simple RTMP handshake (spec 5.2): sends C0+C1 when connected, reads S0+S1+S2, answers C2
 * (an echo of S1), then removes itself and announces {@link HandshakeCompleted}.
 */
final class RtmpClientHandshake extends ByteToMessageDecoder {
  private static final int SIG = RtmpServerHandshake.SIG_SIZE;

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    ByteBuf c0c1 = ctx.alloc().buffer(1 + SIG);
    c0c1.writeByte(RtmpServerHandshake.VERSION);
    c0c1.writeInt(0);
    c0c1.writeInt(0);
    byte[] random = new byte[SIG - 8];
    ThreadLocalRandom.current().nextBytes(random);
    c0c1.writeBytes(random);
    ctx.writeAndFlush(c0c1);
    super.channelActive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 1 + 2 * SIG) {
      return;
    }
    int version = in.readUnsignedByte();
    if (version != RtmpServerHandshake.VERSION) {
      throw new RtmpProtocolException("server answered the handshake with version " + version);
    }
    // C2 echoes S1; copied because the cumulation buffer may be compacted before the write completes.
    ByteBuf c2 = ctx.alloc().buffer(SIG).writeBytes(in, SIG);
    in.skipBytes(SIG); // S2: an echo of C1 we have no reason to check
    ctx.writeAndFlush(c2);
    ctx.fireUserEventTriggered(HandshakeCompleted.INSTANCE);
    ctx.pipeline().remove(this);
  }
}
