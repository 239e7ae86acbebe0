package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.media.VideoProfile.CodecProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoProfilesTest {
  @Test
  void presetTableMatchesTheSpec() {
    assertThat(VideoProfiles.presets()).hasSize(13);
    assertThat(VideoProfiles.preset("P720p60fps16x9")).contains(VideoProfile.of("P720p60fps16x9", 1280, 720, 6_000_000, 60));
    assertThat(VideoProfiles.preset("P720p30fps4x3")).contains(VideoProfile.of("P720p30fps4x3", 960, 720, 3_500_000, 30));
    assertThat(VideoProfiles.preset("P576p25fps16x9")).contains(VideoProfile.of("P576p25fps16x9", 1024, 576, 1_500_000, 25));
    assertThat(VideoProfiles.preset("P360p30fps4x3")).contains(VideoProfile.of("P360p30fps4x3", 480, 360, 1_000_000, 30));
    assertThat(VideoProfiles.preset("P240p30fps16x9")).contains(VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30));
    assertThat(VideoProfiles.preset("P144p30fps16x9")).contains(VideoProfile.of("P144p30fps16x9", 256, 144, 400_000, 30));
    assertThat(VideoProfiles.preset("P1080p")).isEmpty();
  }

  @Test
  void defaultAndStandardLadders() {
    assertThat(VideoProfiles.defaultLadder()).extracting(VideoProfile::name).containsExactly("P240p30fps16x9", "P360p30fps16x9");
    assertThat(VideoProfiles.standardLadder()).extracting(p -> p.width() + "x" + p.height() + "@" + p.bitrateBps())
        .containsExactly("1280x720@3000000", "854x480@1600000", "640x360@800000", "426x240@250000");
  }

  @Test
  void parsesACommaListOfPresetNames() {
    assertThat(VideoProfiles.parse(" P240p30fps16x9, P720p30fps16x9 ")).extracting(VideoProfile::name)
        .containsExactly("P240p30fps16x9", "P720p30fps16x9");
  }

  @Test
  void rejectsUnknownPresetNamesListingTheKnownOnes() {
    assertThatThrownBy(() -> VideoProfiles.parse("P240p30fps16x9,P999p"))
        .isInstanceOf(MediaException.class).hasMessageContaining("'P999p'").hasMessageContaining("P144p30fps16x9");
    assertThatThrownBy(() -> VideoProfiles.parse("  ")).isInstanceOf(MediaException.class);
  }

  @Test
  void parsesAJsonProfileFileLeniently(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("profiles.json");
    Files.writeString(file, """
        [{"name":"a720","width":1280,"height":720,"bitrate":"3000k","fps":30,"fpsDen":1,"profile":"H264High","gop":"2","encoder":"H264"},
         {"name":"b","width":"640","height":360,"bitrate":1200000,"fps":30000,"fpsDen":1001,"profile":"H264ConstrainedHigh","gop":"intra"},
         {"name":"c","bitrate":"1.5M","profile":"H264Baseline","gop":0.5},
         {"name":"d","width":426,"height":240,"bitrate":"250000","profile":"main"}]
        """);
    List<VideoProfile> p = VideoProfiles.parse(file.toString());
    assertThat(p).containsExactly(
        new VideoProfile("a720", 1280, 720, 3_000_000, 30, 1, CodecProfile.H264_HIGH, 2000),
        new VideoProfile("b", 640, 360, 1_200_000, 30000, 1001, CodecProfile.H264_CONSTRAINED_HIGH, VideoProfile.GOP_INTRA),
        new VideoProfile("c", 0, 0, 1_500_000, 0, 1, CodecProfile.H264_BASELINE, 500),
        new VideoProfile("d", 426, 240, 250_000, 0, 1, CodecProfile.H264_MAIN, 0));
  }

  @Test
  void rejectsBadJsonWithTheReason(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> VideoProfiles.parseJson("[{\"name\":", "f.json"))
        .isInstanceOf(MediaException.class).hasMessageContaining("f.json is not valid JSON");
    assertThatThrownBy(() -> VideoProfiles.parseJson("{}", "f.json"))
        .isInstanceOf(MediaException.class).hasMessageContaining("non-empty JSON array");
    assertThatThrownBy(() -> VideoProfiles.parseJson("[{\"name\":\"x\",\"bitrate\":\"fast\"}]", "f.json"))
        .isInstanceOf(MediaException.class).hasMessageContaining("profile #0 (x)").hasMessageContaining("bitrate 'fast'");
    assertThatThrownBy(() -> VideoProfiles.parseJson("[{\"name\":\"x\"}]", "f.json"))
        .isInstanceOf(MediaException.class).hasMessageContaining("\"bitrate\" is required");
    assertThatThrownBy(() -> VideoProfiles.parseJson("[{\"name\":\"x\",\"bitrate\":1,\"bitRate\":2}]", "f.json"))
        .isInstanceOf(MediaException.class).hasMessageContaining("unknown key 'bitRate'");
    assertThatThrownBy(() -> VideoProfiles.parseJson("[{\"name\":\"x\",\"bitrate\":1,\"profile\":\"H265Main\"}]", "f"))
        .isInstanceOf(MediaException.class).hasMessageContaining("unknown profile 'H265Main'");
    assertThatThrownBy(() -> VideoProfiles.parseJson("[{\"name\":\"x\",\"bitrate\":1,\"encoder\":\"VP9\"}]", "f"))
        .isInstanceOf(MediaException.class).hasMessageContaining("only H264");
    assertThatThrownBy(() -> VideoProfiles.parseJson("[{\"name\":\"x\",\"bitrate\":1,\"gop\":\"often\"}]", "f"))
        .isInstanceOf(MediaException.class).hasMessageContaining("gop 'often'");
    assertThatThrownBy(() -> VideoProfiles.parseJson("[{\"name\":\"a b\",\"bitrate\":1}]", "f"))
        .isInstanceOf(MediaException.class).hasMessageContaining("printable ASCII");
    assertThatThrownBy(() -> VideoProfiles.parse(dir.resolve("missing.json").toString()))
        .isInstanceOf(MediaException.class).hasMessageContaining("cannot read");
  }
}
