package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.EsFrame;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FlvTagParserTest {
  private static FlvTagParser.Parsed video(String hex, long time) {
    return FlvTagParser.video(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", ""))), time);
  }

  private static FlvTagParser.Parsed audio(String hex, long time) {
    return FlvTagParser.audio(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", ""))), time);
  }

  @Test
  void avcSequenceHeaderIsTheDecoderConfigurationRecord() {
    // keyframe|AVC, packet type 0, cts 0, then the record: version 1, profile 100, level 31...
    var config = (FlvTagParser.Config) video("17 00 000000 0164001fffe1 0004 6764001f", 0);
    assertThat(config.bytes()).isEqualTo(HexFormat.of().parseHex("0164001fffe100046764001f"));
  }

  @Test
  void avcNaluIsAFrameWithCompositionOffsetAndKeyFlag() {
    var key = (FlvTagParser.Frame) video("17 01 000042 00000002 6588", 1000);
    assertThat(key.frame().kind()).isEqualTo(EsFrame.Kind.VIDEO);
    assertThat(key.frame().dtsMillis()).isEqualTo(1000);
    assertThat(key.frame().compositionOffsetMillis()).isEqualTo(66);
    assertThat(key.frame().keyframe()).isTrue();
    assertThat(key.frame().payload()).isEqualTo(HexFormat.of().parseHex("000000026588"));
    var inter = (FlvTagParser.Frame) video("27 01 ffffdf 00000002 419a", 1033); // cts -33
    assertThat(inter.frame().keyframe()).isFalse();
    assertThat(inter.frame().compositionOffsetMillis()).isEqualTo(-33);
  }

  @Test
  void endOfSequenceAndInfoFramesAreSkipped() {
    assertThat(video("17 02 000000", 0)).isInstanceOf(FlvTagParser.Skip.class);
    assertThat(video("57 00", 0)).isInstanceOf(FlvTagParser.Skip.class);
    assertThat(video("", 0)).isInstanceOf(FlvTagParser.Skip.class);
  }

  @Test
  void otherVideoCodecsAreRefusedByName() {
    assertThat(video("22 0000", 0)).isEqualTo(new FlvTagParser.Unsupported(
        "video codec Sorenson H.263 (FLV codec id 2) is not supported; publish H.264"));
    assertThat(video("14 0000", 0)).asString().contains("On2 VP6");
    assertThat(video("90 68766331 00", 0)).isEqualTo(new FlvTagParser.Unsupported(
        "video codec 'hvc1' (enhanced RTMP) is not supported; publish H.264"));
    assertThat(video("17 00 000000 02", 0)).isInstanceOf(FlvTagParser.Unsupported.class); // bad record version
  }

  @Test
  void aacSequenceHeaderAndRawFrames() {
    assertThat(((FlvTagParser.Config) audio("af 00 1190", 0)).bytes()).isEqualTo(HexFormat.of().parseHex("1190"));
    var frame = (FlvTagParser.Frame) audio("af 01 21 1b", 21);
    assertThat(frame.frame().kind()).isEqualTo(EsFrame.Kind.AUDIO);
    assertThat(frame.frame().dtsMillis()).isEqualTo(21);
    assertThat(frame.frame().keyframe()).isTrue();
    assertThat(frame.frame().payload()).isEqualTo(HexFormat.of().parseHex("211b"));
  }

  @Test
  void otherAudioCodecsAreRefusedByName() {
    assertThat(audio("2f ff", 0)).isEqualTo(new FlvTagParser.Unsupported(
        "audio codec MP3 (FLV sound format 2) is not supported; publish AAC"));
    assertThat(audio("3e 00", 0)).asString().contains("linear PCM little endian");
    assertThat(audio("b6 00", 0)).asString().contains("Speex");
  }
}
