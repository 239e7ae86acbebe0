package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.TestMedia;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code livepeer demo} end to end, the network (broadcaster, an orchestrator transcoding itself, one with two remote
 * transcoders, all in this JVM): it prints a playback URL per stream, every rendition's playlist of every stream
 * fills, a real HLS client plays what it serves, and every node of the network transcoded some of it (by the nodes'
 * own counters in the progress line).
 */
class DemoIT {
  @TempDir Path dataDir;

  @Test
  void demoPrintsAPlaybackUrlThatFfprobePlays() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    CompletableFuture<Integer> exit;
    try {
      exit = CompletableFuture.supplyAsync(() -> Main.commandLine(new FlagSources(Map.of(), Map.of())).execute(
          "demo", "-duration", "30s", "-rtmpAddr", "127.0.0.1:0", "-httpAddr", "127.0.0.1:0",
          "-dataDir", dataDir.toString()));
      List<String> urls = awaitUrls(captured, 60);
      String url = urls.get(0);
      HttpClient http = HttpClient.newHttpClient();
      // the demo made its streams through the stream API: they are listed there, with the URLs it printed
      String apiKey = awaitMatch(captured, Pattern.compile("API key:\\s+([0-9a-f]{64})"), 10);
      String base = url.substring(0, url.indexOf("/stream/"));
      assertThat(captured.toString(StandardCharsets.UTF_8)).contains("Dashboard: " + base + "/dashboard/#key=" + apiKey);
      HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(base + "/api/stream"))
          .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(listed.statusCode()).isEqualTo(200);
      var streams = new com.fasterxml.jackson.databind.ObjectMapper().readTree(listed.body());
      assertThat(streams.findValuesAsText("name")).contains("demo", "demo2", "demo3");
      assertThat(streams.findValuesAsText("playbackUrl")).containsAll(urls);
      for (String rendition : urls.stream().flatMap(u -> List.of("P240p30fps16x9", "P360p30fps16x9").stream()
          .map(r -> u.replace(".m3u8", "/" + r + ".m3u8"))).toList()) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String playlist = "";
        while (System.nanoTime() < deadline && playlist.split("#EXTINF").length < 4) {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(rendition)).build(),
              HttpResponse.BodyHandlers.ofString());
          playlist = r.statusCode() == 200 ? r.body() : "";
          Thread.sleep(500);
        }
        assertThat(playlist).as("3 segments of %s listed within a minute", rendition)
            .containsPattern("(?s)(#EXTINF.*){3}");
      }
      // ffprobe follows the master playlist like a player does and decodes the first variant
      String probe = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-show_entries",
          "stream=codec_name,width,height", "-of", "csv=p=0", url), 60);
      assertThat(probe).contains("h264").contains("aac");
      assertThat(exit.get(90, TimeUnit.SECONDS)).isZero();
    } catch (Exception | AssertionError e) {
      System.err.println("--- what the demo printed ---\n" + captured.toString(StandardCharsets.UTF_8));
      throw e;
    } finally {
      System.setOut(original);
    }
    String printed = captured.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("orchestrator 1 https://127.0.0.1:").contains("transcodes itself")
        .contains("through 2 remote transcoders");
    assertThat(printed).contains("segments in").contains("real-time ratio");
    // the whole network carried the streams: each orchestrator and each of O2's transcoders, by their /metrics
    Matcher done = Pattern.compile("done; .*by orchestrator: O1 (\\d+) \\(local\\) \\| O2 (\\d+): T1 (\\d+), T2 (\\d+)")
        .matcher(printed);
    assertThat(done.find()).as("the last progress line shows segments per node").isTrue();
    System.out.println("DemoIT: " + done.group());
    assertThat(Integer.parseInt(done.group(1))).as("segments orchestrator 1 transcoded itself").isPositive();
    assertThat(Integer.parseInt(done.group(2))).as("segments orchestrator 2 farmed out").isPositive();
    assertThat(Integer.parseInt(done.group(3))).as("segments remote transcoder T1 transcoded").isPositive();
    assertThat(Integer.parseInt(done.group(4))).as("segments remote transcoder T2 transcoded").isPositive();
    assertThat(Integer.parseInt(done.group(3)) + Integer.parseInt(done.group(4)))
        .as("O2 answers only what its transcoders did").isGreaterThanOrEqualTo(Integer.parseInt(done.group(2)));
    // skipped segments mean a CPU too slow for live; a failed one would mean the network lost it
    assertThat(printed).as("no segment failed").containsPattern("done; .*failed 0,");
  }

  private static String awaitMatch(ByteArrayOutputStream captured, Pattern p, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Matcher m = p.matcher(captured.toString(StandardCharsets.UTF_8));
      if (m.find()) {
        return m.group(1);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the demo printed nothing matching " + p + " within " + seconds + " s");
  }

  /** The playback URLs of the demo's three streams. */
  private static List<String> awaitUrls(ByteArrayOutputStream out, int seconds) throws InterruptedException {
    Pattern p = Pattern.compile("Play it:\\s+(http://\\S+\\.m3u8)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      List<String> urls = p.matcher(out.toString(StandardCharsets.UTF_8)).results().map(m -> m.group(1)).toList();
      if (urls.size() == DemoCommand.NETWORK_STREAMS) {
        return urls;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the demo printed no " + DemoCommand.NETWORK_STREAMS + " playback URLs: "
        + out.toString(StandardCharsets.UTF_8));
  }
}
