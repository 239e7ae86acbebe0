package io.jlivepeer.node.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.BroadcasterConfig;
import io.jlivepeer.node.BroadcasterNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium (Debian's chromium driven by playwright-core from npm): a real B, a
 * real RTMP publish from the bundled ffmpeg, the page finds the stream live and its hls.js player plays it, its
 * {@code video.currentTime} advancing by at least {@value #ADVANCE_SECONDS} s; the screenshot goes to
 * {@code target/dashboard-live.png}.
 *
 * <p>Chromium: {@code /usr/bin/chromium} or {@code LIVEPEER_CHROMIUM}. Without it the test is skipped with the
 * command that installs it, except under {@code CI=true}, where it fails (.ci/run installs it).
 */
class DashboardBrowserIT {
  private static final int ADVANCE_SECONDS = 4;
  private static final Path MODULES = Path.of("src", "main", "dashboard", "node_modules").toAbsolutePath();
  private static final Path SCRIPT = Path.of("src", "test", "dashboard", "check-dashboard.js").toAbsolutePath();

  @TempDir Path work;

  @Test
  void dashboardShowsTheStreamLiveAndItsPlayerPlaysIt() throws Exception {
    Path chromium = chromium();
    assertThat(MODULES.resolve("playwright-core")).as("playwright-core from npm (the node module's build runs npm ci"
        + " in src/main/dashboard: ./mvnw -pl node -am generate-resources)").isDirectory();
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
        JsonNode result = runBrowser(chromium, url, name, screenshot, false);
        assertThat(result.path("error").asText("")).as("browser check failed; console: %s", result.path("console"))
            .isEmpty();
        assertThat(result.path("live").asBoolean()).as("the dashboard showed %s live", name).isTrue();
        assertThat(result.path("advanced").asDouble())
            .as("video.currentTime from %s to %s", result.path("startTime"), result.path("endTime"))
            .isGreaterThanOrEqualTo(ADVANCE_SECONDS);
        assertThat(result.path("text").asText()).contains("LIVE").contains("/stream/" + name + ".m3u8");
        assertThat(screenshot).isNotEmptyFile();
        System.out.printf("DashboardBrowserIT: currentTime %.2f -> %.2f s (+%.2f s); screenshot %s%n",
            result.path("startTime").asDouble(), result.path("endTime").asDouble(), result.path("advanced").asDouble(),
            screenshot);
      } finally {
        publisher.destroy();
        publisher.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Chromium, or the reason it is not there and what to install. */
  static Path chromium() {
    String configured = System.getenv("LIVEPEER_CHROMIUM");
    Path path = Path.of(configured != null && !configured.isBlank() ? configured : "/usr/bin/chromium");
    if (Files.isExecutable(path)) {
      return path;
    }
    String message = "the dashboard's browser test needs headless Chromium at " + path + ", which is missing: install"
        + " it with `apt-get install -y chromium` (Debian/Ubuntu, as root) or point LIVEPEER_CHROMIUM at a Chromium"
        + " or Chrome binary";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(message + " (.ci/run installs it; under CI=true this test does not skip)");
    }
    Assumptions.abort(message);
    throw new AssertionError(message); // not reached
  }

  /** The bundled ffmpeg publishing {@code clip} in real time ({@code -re}), as a live encoder does. */
  static Process publish(Path clip, String rtmpUrl) throws IOException {
    return FfmpegBinaries.processBuilder(FfmpegBinaries.ffmpeg(), List.of("-hide_banner", "-loglevel", "error", "-re",
            "-i", clip.toString(), "-c", "copy", "-f", "flv", rtmpUrl))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Runs check-dashboard.js with a fresh Chromium profile; its one RESULT line as JSON. */
  JsonNode runBrowser(Path chromium, String url, String stream, Path screenshot, boolean recording)
      throws Exception {
    Files.createDirectories(screenshot.getParent());
    List<String> cmd = new ArrayList<>(List.of("node", SCRIPT.toString(), "--modules", MODULES.toString(),
        "--chromium", chromium.toString(), "--url", url, "--stream", stream, "--advance",
        Integer.toString(ADVANCE_SECONDS), "--timeout", "60", "--screenshot", screenshot.toString(), "--profile",
        Files.createTempDirectory(work, "chromium-profile").toString()));
    if (recording) {
      cmd.add("--recording");
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the browser check did not finish within 90 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    String line = text.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("the browser check printed no result (exit " + p.exitValue() + "):\n"
            + text));
    return new ObjectMapper().readTree(line.substring("RESULT ".length()));
  }
}
