package io.jlivepeer.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.TestMedia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real HLS client (the bundled ffmpeg's HLS demuxer) reads our playlists and segments over HTTP. */
class HlsPlaybackWithFfmpegTest {
  @TempDir Path work;

  @Test
  void ffmpegPlaysTheMasterPlaylistAcrossARestartDiscontinuity() throws Exception {
    Path clip = TestMedia.source(320, 180, 30, 6, "ts");
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
        "-i", clip.toString(), "-c", "copy", "-f", "segment", "-segment_time", "2", "-segment_time_delta", "0.05", "-segment_format", "mpegts",
        work.resolve("seg%d.ts").toString()), 60);
    List<Path> segments;
    try (Stream<Path> files = Files.list(work)) {
      segments = files.filter(p -> p.getFileName().toString().startsWith("seg")).sorted().toList();
    }
    assertThat(segments).hasSizeGreaterThanOrEqualTo(2);

    HlsStreams streams = new HlsStreams(HlsConfig.defaults(), new InMemorySegmentStore());
    streams.startStream("e2e", List.of(HlsVariant.source(320, 180, 4_200_000, "avc1.64000d,mp4a.40.2", 30)));
    for (int seq = 0; seq < segments.size(); seq++) {
      streams.addSegment("e2e", "source", seq, 2000, Files.readAllBytes(segments.get(seq)));
    }
    streams.startStream("e2e", List.of(HlsVariant.source(320, 180, 4_200_000, "avc1.64000d,mp4a.40.2", 30)));
    streams.addSegment("e2e", "source", 0, 2000, Files.readAllBytes(segments.get(0))); // restarted publisher
    streams.endStream("e2e");

    try (HttpServer server = HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0),
        List.of(new HlsHttpHandler(streams).route()))) {
      String url = "http://127.0.0.1:" + server.port() + "/stream/e2e.m3u8";
      String frames = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error",
          "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets,codec_name,width,height",
          "-of", "default=noprint_wrappers=1", url), 60);

      assertThat(frames).contains("codec_name=h264", "width=320", "height=180");
      // every frame of the clip, then those of the first segment again after the discontinuity
      long expected = videoPackets(clip.toString()) + videoPackets(segments.get(0).toString());
      assertThat(frames).contains("nb_read_packets=" + expected);
    }
  }

  private static long videoPackets(String input) {
    String out = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
        "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", input), 60);
    // MPEG-TS inputs list the stream under the program too: take the first line
    return Long.parseLong(out.strip().lines().findFirst().orElseThrow().trim());
  }
}
