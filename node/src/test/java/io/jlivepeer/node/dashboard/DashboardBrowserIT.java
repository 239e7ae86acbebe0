package io.jlivepeer.node.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium ({@link DashboardBrowser}): a real B, a real RTMP publish from the
 * bundled ffmpeg; the page finds the stream live and its hls.js player plays it, {@code video.currentTime}
 * advancing by at least {@value DashboardBrowser#ADVANCE_SECONDS} s; the screenshot is
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
    String name = "dashcam";
    try (BroadcasterNode node = BroadcasterNode.start(config, new FfmpegTranscoder())) {
      Process publisher = publish(clip, "rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live/" + name);
      try {
        // Without the stream API the page watches a stream by its name (#stream=); with it, the test creates the
        // stream through POST /api/stream and opens #key=<apiKey> instead (docs/dashboard.md).
        String url = "http://127.0.0.1:" + node.httpAddress().getPort() + "/dashboard/#stream=" + name;
        Path screenshot = Path.of("target", "dashboard-live.png").toAbsolutePath();
        DashboardBrowser.Result result = DashboardBrowser.check(url, name, screenshot, work, false);
        assertThat(result.error()).as("browser check: %s", result).isEmpty();
        assertThat(result.live()).as("the dashboard showed %s live", name).isTrue();
        assertThat(result.advanced()).as("video.currentTime advance: %s", result)
            .isGreaterThanOrEqualTo(DashboardBrowser.ADVANCE_SECONDS);
        assertThat(result.cardText()).contains("LIVE").contains("/stream/" + name + ".m3u8");
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
