package io.jlivepeer.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jlivepeer.media.AllocationMeter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * FLV audio/video tag bodies (what RTMP type 8/9 messages carry). Contract: the parser never throws, it answers
 * Config, Frame, Skip or Unsupported; it leaves the body's reader index alone; bounded allocation.
 */
// Jazzer fuzzes only the first @FuzzTest of a JVM: the 20 s one must come before its long twin.
@TestMethodOrder(MethodOrderer.MethodName.class)
class FlvTagFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void flvTag(byte[] input) {
    run(input);
  }

  @FuzzTest(maxDuration = "2h")
  @EnabledIfSystemProperty(named = "jlivepeer.fuzz.long", matches = "true")
  void flvTagLong(byte[] input) {
    run(input);
  }

  static void run(byte[] input) {
    AllocationMeter.bounded(input, FlvTagFuzzTest::parse);
  }

  private static void parse(byte[] input) {
    ByteBuf body = Unpooled.wrappedBuffer(input);
    FlvTagParser.Parsed video = FlvTagParser.video(body, 1000);
    FlvTagParser.Parsed audio = FlvTagParser.audio(body, 1000);
    if (video == null || audio == null || body.readerIndex() != 0) {
      throw new AssertionError("parser returned null or consumed its input");
    }
  }
}
