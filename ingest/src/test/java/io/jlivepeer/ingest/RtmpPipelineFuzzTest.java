package io.jlivepeer.ingest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jlivepeer.media.AllocationMeter;
import io.jlivepeer.media.EsFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Random bytes into the whole publisher pipeline (handshake, chunk decoder, control, AMF0, session, FLV tags) on an
 * EmbeddedChannel. Contract: nothing escapes the pipeline, no handler logs an unexpected error (a bug), a closed
 * connection has a logged reason, and no input allocates more than {@link AllocationMeter#ALLOCATION_CAP}.
 *
 * <p>An odd first byte prepends a valid C0+C1+C2 so most inputs reach the chunk stream; an even one fuzzes the
 * handshake itself. Run for longer with {@code -Djlivepeer.fuzz.long=true} (see docs/benchmarks.md).
 */
// Jazzer fuzzes only the first @FuzzTest of a JVM: the 20 s one must come before its long twin.
@TestMethodOrder(MethodOrderer.MethodName.class)
class RtmpPipelineFuzzTest {
  private static final RtmpConfig CONFIG = RtmpConfig.defaults().withMaxMessageLength(64 * 1024);
  private static final byte[] HANDSHAKE = new byte[1 + 1536 + 1536];

  static {
    HANDSHAKE[0] = 3;
  }

  @FuzzTest(maxDuration = "20s")
  void rtmpPipeline(byte[] input) {
    run(input);
  }

  @FuzzTest(maxDuration = "2h")
  @EnabledIfSystemProperty(named = "jlivepeer.fuzz.long", matches = "true")
  void rtmpPipelineLong(byte[] input) {
    run(input);
  }

  static void run(byte[] input) {
    FuzzSupport.drainLogs();
    AllocationMeter.bounded(input, RtmpPipelineFuzzTest::feed);
    checkLogs(FuzzSupport.drainLogs(), closed);
  }

  private static boolean closed;

  private static void feed(byte[] input) {
    PublishListener listener = request -> Optional.of(DISCARD);
    EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<EmbeddedChannel>() {
      @Override
      protected void initChannel(EmbeddedChannel c) {
        c.config().setAllocator(new UnpooledByteBufAllocator(false));
        RtmpServer.pipeline(c.pipeline(), CONFIG, listener, new PublishRegistry(4));
      }
    });
    boolean withHandshake = input.length > 0 && (input[0] & 1) == 1;
    ByteBuf in = withHandshake ? Unpooled.wrappedBuffer(HANDSHAKE, input) : Unpooled.wrappedBuffer(input);
    ch.writeInbound(in); // rethrows whatever reached the pipeline's tail
    ch.runPendingTasks();
    closed = !ch.isOpen();
    ch.finishAndReleaseAll();
  }

  private static void checkLogs(List<ILoggingEvent> events, boolean closed) {
    for (ILoggingEvent e : events) {
      if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
        throw new AssertionError("pipeline logged an error: " + e.getFormattedMessage(),
            e.getThrowableProxy() instanceof ThrowableProxy p ? p.getThrowable() : null);
      }
    }
    if (closed && events.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.INFO))) {
      throw new AssertionError("connection closed without a logged reason");
    }
  }

  private static final StreamSink DISCARD = new StreamSink() {
    @Override
    public void onMetadata(Map<String, Object> metadata) {}

    @Override
    public void onVideoConfig(byte[] avcDecoderConfigurationRecord) {}

    @Override
    public void onAudioConfig(byte[] audioSpecificConfig) {}

    @Override
    public void onFrame(EsFrame frame) {}

    @Override
    public void onClose(String reason) {}
  };
}
