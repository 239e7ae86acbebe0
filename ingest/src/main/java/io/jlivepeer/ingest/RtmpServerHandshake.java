package io.jlivepeer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Server side of the RTMP handshake (Adobe RTMP spec section 5.2): reads C0+C1, answers S0+S1+S2, reads C2, then
 * removes itself so the bytes after C2 reach the chunk decoder.
 *
 * <p>This is the simple handshake: S1 carries zeros where the digest scheme ("complex handshake") would put a
 * version, which tells ffmpeg, librtmp (OBS) and GStreamer not to look for a digest; S2 echoes C1 exactly, which
 * the simple-handshake clients check. C2 is read but not checked, because digest-speaking clients do not echo S1.
 *
 * <p>Only version 3 (plain RTMP) is accepted; 6 and 8 are encrypted RTMPE, and anything above 31 is another
 * protocol altogether (an HTTP request starts with 'G' = 71). A peer that has not finished within the handshake
 * timeout is dropped, so half-open connections cannot pile up.
 */
final class RtmpServerHandshake extends ByteToMessageDecoder {
  static final int VERSION = 3;
  static final int SIG_SIZE = 1536;

  private enum State {
    C0_C1,
    C2,
    DONE
  }

  private final Duration timeout;
  private State state = State.C0_C1;
  private long bytesSeen;
  private ScheduledFuture<?> timer;

  RtmpServerHandshake(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(() -> {
      if (state != State.DONE && ctx.channel().isActive()) {
        ctx.fireExceptionCaught(new RtmpProtocolException("handshake not completed within " + timeout.toMillis()
            + " ms (received " + (bytesSeen + actualReadableBytes()) + " of " + (1 + 2 * SIG_SIZE) + " bytes)"));
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (state == State.DONE) {
      in.skipBytes(in.readableBytes()); // refused; the connection is closing
      return;
    }
    if (state == State.C0_C1) {
      if (in.isReadable()) {
        int version = in.getUnsignedByte(in.readerIndex());
        if (version != VERSION) {
          in.skipBytes(in.readableBytes());
          state = State.DONE;
          throw new RtmpProtocolException("handshake refused: version byte " + version + " (expected 3"
              + (version == 6 || version == 8 ? "; encrypted RTMPE is not supported" : "; not an RTMP client?")
              + ")");
        }
      }
      if (in.readableBytes() < 1 + SIG_SIZE) {
        return;
      }
      in.skipBytes(1);
      ByteBuf c1 = in.readSlice(SIG_SIZE);
      bytesSeen += 1 + SIG_SIZE;
      ByteBuf reply = ctx.alloc().buffer(1 + 2 * SIG_SIZE);
      reply.writeByte(VERSION);
      reply.writeInt(0); // S1 time: our epoch starts now
      reply.writeInt(0); // zero: simple handshake, no digest
      byte[] random = new byte[SIG_SIZE - 8];
      ThreadLocalRandom.current().nextBytes(random);
      reply.writeBytes(random);
      reply.writeBytes(c1); // S2 echoes C1
      ctx.writeAndFlush(reply);
      state = State.C2;
    }
    if (state == State.C2) {
      if (in.readableBytes() < SIG_SIZE) {
        return;
      }
      in.skipBytes(SIG_SIZE);
      bytesSeen += SIG_SIZE;
      state = State.DONE;
      ctx.fireUserEventTriggered(HandshakeCompleted.INSTANCE);
      // Removing a ByteToMessageDecoder hands whatever follows C2 to the next handler.
      ctx.pipeline().remove(this);
    }
  }
}
