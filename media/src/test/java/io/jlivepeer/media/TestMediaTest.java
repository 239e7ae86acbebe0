package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestMediaTest {
  @Test
  void generatesAProbeableH264AacClip() throws Exception {
    var clip = TestMedia.source(320, 240, 30, 2, "flv");
    assertThat(Files.size(clip)).isGreaterThan(10_000);
    String probe = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error",
        "-show_entries", "stream=codec_name", "-of", "csv=p=0", clip.toString()), 60);
    assertThat(probe).contains("h264").contains("aac");
  }
}
