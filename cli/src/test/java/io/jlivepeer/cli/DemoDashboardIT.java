package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.node.dashboard.DashboardBrowser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's browser acceptance on {@code livepeer demo} (one broadcaster transcoding itself, {@code -local}): a real
 * headless Chromium opens B's dashboard, sees the demo stream live, and the stream's player advances
 * {@code video.currentTime} by at least {@value DashboardBrowser#ADVANCE_SECONDS} s; the screenshot is
 * {@code cli/target/dashboard-demo.png}.
 */
class DemoDashboardIT {
  private static final Pattern PLAY_URL = Pattern.compile("Play it:\\s+(http://[^/\\s]+)/stream/(\\S+)\\.m3u8");
  private static final Pattern DASHBOARD_URL = Pattern.compile("(http://\\S+/dashboard/\\S*)");

  @TempDir Path dataDir;

  @Test
  void theDashboardShowsTheDemoStreamLiveAndPlaysIt() throws Exception {
    DashboardBrowser.chromium(); // skip (or fail under CI) before starting the demo when there is no browser
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    CompletableFuture<Integer> exit;
    try {
      exit = CompletableFuture.supplyAsync(() -> Main.commandLine(new FlagSources(Map.of(), Map.of())).execute(
          "demo", "-local", "-source", "640x360", "-transcodingOptions", "P240p30fps16x9", "-duration", "28s",
          "-rtmpAddr", "127.0.0.1:0", "-httpAddr", "127.0.0.1:0", "-dataDir", dataDir.toString()));
      Matcher play = await(captured, PLAY_URL, 60);
      String stream = play.group(2);
      // the dashboard URL the demo prints (with the stream API: #key=<apiKey>), else the page's no-API mode
      String url = find(captured, DASHBOARD_URL).map(m -> m.group(1))
          .orElse(play.group(1) + "/dashboard/#stream=" + stream);
      Path screenshot = Path.of("target", "dashboard-demo.png").toAbsolutePath();
      DashboardBrowser.Result result = DashboardBrowser.check(url, stream, screenshot, dataDir, false);
      assertThat(result.error()).as("browser check of %s: %s", url, result).isEmpty();
      assertThat(result.live()).as("the dashboard showed the demo stream %s live", stream).isTrue();
      assertThat(result.advanced()).as("video.currentTime advance: %s", result)
          .isGreaterThanOrEqualTo(DashboardBrowser.ADVANCE_SECONDS);
      assertThat(screenshot).isNotEmptyFile();
      assertThat(exit.get(90, TimeUnit.SECONDS)).isZero();
      original.printf("DemoDashboardIT: %s; screenshot %s%n", result, screenshot);
    } catch (Exception | AssertionError e) {
      System.err.println("--- what the demo printed ---\n" + captured.toString(StandardCharsets.UTF_8));
      throw e;
    } finally {
      System.setOut(original);
    }
  }

  private static Matcher await(ByteArrayOutputStream out, Pattern p, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Optional<Matcher> m = find(out, p);
      if (m.isPresent()) {
        return m.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the demo printed no line matching " + p + " within " + seconds + " s");
  }

  private static Optional<Matcher> find(ByteArrayOutputStream out, Pattern p) {
    Matcher m = p.matcher(out.toString(StandardCharsets.UTF_8));
    return m.find() ? Optional.of(m) : Optional.empty();
  }
}
