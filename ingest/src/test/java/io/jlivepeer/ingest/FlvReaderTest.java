package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlvReaderTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void readsHeaderAndTagsWithExtendedTimestamps() throws Exception {
    byte[] flv = hex("464c56 01 05 00000009 00000000"
        + "09 000003 000021 00 000000 170100 0000000e" // video, 3 bytes, t=33
        + "08 000002 123456 01 000000 af01 0000000d"); // audio, t = 0x01123456 with the extension byte
    try (FlvReader reader = new FlvReader(new ByteArrayInputStream(flv))) {
      FlvReader.Tag video = reader.next().orElseThrow();
      assertThat(video.type()).isEqualTo(FlvReader.Tag.VIDEO);
      assertThat(video.timestampMillis()).isEqualTo(33);
      assertThat(video.body()).isEqualTo(hex("170100"));
      FlvReader.Tag audio = reader.next().orElseThrow();
      assertThat(audio.timestampMillis()).isEqualTo(0x01123456L);
      assertThat(reader.next()).isEmpty();
    }
  }

  @Test
  void reportsNonFlvAndTruncatedInput(@TempDir Path dir) throws Exception {
    Path notFlv = dir.resolve("x.flv");
    Files.write(notFlv, hex("00000000000000000000000000"));
    assertThatThrownBy(() -> FlvReader.readAll(notFlv)).isInstanceOf(IngestException.class)
        .hasMessageContaining("not an FLV file");
    Path truncated = dir.resolve("t.flv");
    Files.write(truncated, hex("464c56 01 05 00000009 00000000 09 000010 000000 00 000000 17"));
    assertThatThrownBy(() -> FlvReader.readAll(truncated)).hasMessageContaining("ends in the middle of a tag");
  }

  @Test
  void readsTheTestClip() {
    List<FlvReader.Tag> tags = FlvReader.readAll(TestClips.clip());
    assertThat(tags.get(0).type()).isEqualTo(FlvReader.Tag.SCRIPT);
    assertThat(tags).filteredOn(FlvReader.Tag::isSequenceHeader).hasSize(2);
  }
}
