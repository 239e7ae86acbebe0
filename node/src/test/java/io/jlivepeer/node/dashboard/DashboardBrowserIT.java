package io.jlivepeer.node.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium ({@link DashboardBrowser}): a real B, a stream created through
 * {@code POST /api/stream}, a real RTMP publish from the
 * bundled ffmpeg to its stream key; the page (opened with {@code #key=<apiKey>}) finds the stream live and its hls.js
 * player plays it, {@code video.currentTime} advancing by at least {@value DashboardBrowser#ADVANCE_SECONDS} s; the screenshot is
 * {@code target/dashboard-live.png}.
 */
class DashboardBrowserIT {
  @TempDir Path work;

  @Test
  void dashboardShowsTheStreamLiveAndItsPlayerPlaysIt() throws Exception {
    DashboardBrowser.chromium(); // skip (or fail under CI) before the media work when there is no browser
    Path clip = TestMedia.source(640, 360, 30, 40, "flv");
    BroadcasterConfig config = new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), List.of(VideoProfiles.preset("P240p30fps16x9").orElseThrow()),
        work.resolve("data"), 4, Duration.ofSeconds(2), BroadcasterConfig.DEFAULT_MAX_QUEUED_SEGMENTS,
        BroadcasterConfig.DEFAULT_PLAYLIST_WINDOW);
    try (BroadcasterNode node = BroadcasterNode.start(config, new FfmpegTranscoder())) {
      String base = "http://127.0.0.1:" + node.httpAddress().getPort();
      String apiKey = node.studio().createApiKey("dashboard test");
      HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(base + "/api/stream")).header("Authorization", "Bearer " + apiKey)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Dash cam\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as("POST /api/stream: %s", created.body()).isEqualTo(201);
      JsonNode stream = new ObjectMapper().readTree(created.body());
      String streamKey = stream.path("streamKey").asText();
      String playbackId = stream.path("playbackId").asText();
      Process publisher = publish(clip, "rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live/" + streamKey);
      try {
        Path screenshot = Path.of("target", "dashboard-live.png").toAbsolutePath();
        DashboardBrowser.Result result = DashboardBrowser.check(base + "/dashboard/#key=" + apiKey, "Dash cam",
            screenshot, work, false);
        assertThat(result.error()).as("browser check: %s", result).isEmpty();
        assertThat(result.live()).as("the dashboard showed the stream live").isTrue();
        assertThat(result.advanced()).as("video.currentTime advance: %s", result)
            .isGreaterThanOrEqualTo(DashboardBrowser.ADVANCE_SECONDS);
        assertThat(result.cardText()).contains("LIVE").contains("/stream/" + playbackId + ".m3u8")
            .contains("rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live").doesNotContain(streamKey);
        assertThat(result.pageText()).doesNotContain(apiKey);
        assertThat(screenshot).isNotEmptyFile();
        System.out.printf("DashboardBrowserIT: %s; screenshot %s%n", result, screenshot);
      } finally {
        publisher.destroy();
        publisher.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The bundled ffmpeg publishing {@code clip} in real time ({@code -re}), as a live encoder does. */
  static Process publish(Path clip, String rtmpUrl) throws IOException {
    return FfmpegBinaries.processBuilder(FfmpegBinaries.ffmpeg(), List.of("-hide_banner", "-loglevel", "error", "-re",
            "-i", clip.toString(), "-c", "copy", "-f", "flv", rtmpUrl))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }
}
