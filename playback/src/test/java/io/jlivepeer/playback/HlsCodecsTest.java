package io.jlivepeer.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.TestMedia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HlsCodecsTest {
  @Test
  void derivesCodecsThatMatchWhatFfprobeReports() throws Exception {
    Path clip = TestMedia.source(320, 180, 30, 2, "ts");
    String probe = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
        "-show_entries", "stream=profile,level", "-of", "default=noprint_wrappers=1", clip.toString()), 60);
    int level = Integer.parseInt(probe.lines().filter(l -> l.startsWith("level=")).findFirst().orElseThrow()
        .substring("level=".length()).trim());
    assertThat(probe).contains("profile=High"); // profile_idc 100 = 0x64

    String codecs = HlsCodecs.of(Files.readAllBytes(clip)).orElseThrow();

    assertThat(codecs).isEqualTo(String.format("avc1.6400%02x,mp4a.40.2", level));
  }

  @Test
  void findsNothingInBytesThatAreNotTransportStreams() {
    byte[] junk = new byte[188 * 10];
    new Random(3).nextBytes(junk);
    assertThat(HlsCodecs.of(junk)).isEmpty();
    assertThat(HlsCodecs.of(new byte[0])).isEmpty();
    assertThat(HlsCodecs.of(new byte[200])).isEmpty();
  }
}
