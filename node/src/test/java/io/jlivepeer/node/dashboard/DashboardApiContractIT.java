package io.jlivepeer.node.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import io.jlivepeer.playback.HttpServer;
import io.jlivepeer.playback.HttpServerConfig;
import io.jlivepeer.playback.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's API mode in a real headless Chromium, against issue 11's /api contract: a real B serves the HLS (a
 * live RTMP publish, and an ended stream standing in for a recording, both real x264 output), while a small
 * in-memory server here answers the contract's JSON (streams, health, sessions, network) next to the dashboard's
 * files. It proves the page reads the contract's fields: the key from {@code #key=}, the stream live and playing,
 * the ingest URL with the key, health, orchestrators with price and score, B's deposit and reserve, and a ready
 * recording that plays; a wrong key brings the key box back with the API's reason. The real API (helper {@code api}, io.jlivepeer.node.studio) replaces this server in
 * {@link DashboardBrowserIT} once it is on B.
 */
class DashboardApiContractIT {
  private static final String KEY = "k3y-for-the-dashboard-test";
  private static final ObjectMapper json = new ObjectMapper();

  @TempDir Path work;

  @Test
  void apiModeShowsTheContractsStreamHealthNetworkAndRecording() throws Exception {
    DashboardBrowser.chromium();
    BroadcasterConfig config = new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), List.of(VideoProfiles.preset("P240p30fps16x9").orElseThrow()),
        work.resolve("data"), 4, Duration.ofSeconds(2), BroadcasterConfig.DEFAULT_MAX_QUEUED_SEGMENTS,
        BroadcasterConfig.DEFAULT_PLAYLIST_WINDOW);
    try (BroadcasterNode node = BroadcasterNode.start(config, new FfmpegTranscoder())) {
      String hls = "http://127.0.0.1:" + node.httpAddress().getPort() + "/stream/";
      String rtmp = "rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live";
      // the "recording": a finished 6 s stream, whose playlists carry #EXT-X-ENDLIST like a VOD
      Process done = DashboardBrowserIT.publish(TestMedia.source(640, 360, 30, 6, "flv"), rtmp + "/rec0rdedplayback");
      assertThat(done.waitFor(60, TimeUnit.SECONDS)).isTrue();
      awaitEnded(hls + "rec0rdedplayback/P240p30fps16x9.m3u8");
      Process live = DashboardBrowserIT.publish(TestMedia.source(640, 360, 30, 40, "flv"), rtmp + "/abcd1234efgh5678");
      try (HttpServer api = HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0),
          List.of(DashboardRoute.route(), contractApi(hls, rtmp)))) {
        String base = "http://127.0.0.1:" + api.port();
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(base + "/api/stream")).header("Authorization", "Bearer wrong").build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as("the fake keeps the contract's 401").isEqualTo(401);

        Path screenshot = Path.of("target", "dashboard-api.png").toAbsolutePath();
        DashboardBrowser.Result result = DashboardBrowser.check(base + "/dashboard/#key=" + KEY, "My show",
            screenshot, work, true);
        assertThat(result.error()).as("browser check: %s", result).isEmpty();
        assertThat(result.live()).isTrue();
        assertThat(result.advanced()).as("video.currentTime advance: %s", result)
            .isGreaterThanOrEqualTo(DashboardBrowser.ADVANCE_SECONDS);
        assertThat(result.recordingTime()).as("the recording's player: %s", result).isGreaterThanOrEqualTo(2);
        assertThat(result.cardText()).contains("LIVE").contains(rtmp).doesNotContain("2bd4-7e6f-a1b2-c3d4") // the key stays masked
            .contains(hls + "abcd1234efgh5678.m3u8").contains("12 / 11").contains("0.42 (keeps up)")
            .contains("https://127.0.0.1:8935").contains("Recordings").contains("ready");
        assertThat(result.pageText()).contains("https://127.0.0.1:8936").contains("0xabcdef0123456789abcdef0123456789abcdef01")
            .contains("1200").contains("0.875").contains("suspended").contains("Deposit").contains("1.5 ETH")
            .contains("Reserve").contains("0.25 ETH").doesNotContain(KEY);
        System.out.printf("DashboardApiContractIT: %s; screenshot %s%n", result, screenshot);

        DashboardBrowser.Result refusedKey = DashboardBrowser.refusedKey(base + "/dashboard/#key=not-" + KEY,
            Path.of("target", "dashboard-refused-key.png").toAbsolutePath(), work);
        assertThat(refusedKey.error()).as("browser check: %s", refusedKey).isEmpty();
        assertThat(refusedKey.keyPrompt()).contains("refused this key").contains("invalid or missing API key")
            .contains("livepeer cli apikey");
        assertThat(refusedKey.pageText()).doesNotContain("My show");
      } finally {
        live.destroy();
        live.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The contract's read endpoints for one stream, in memory, behind the Bearer key. */
  private static Route contractApi(String hls, String rtmp) {
    long now = System.currentTimeMillis();
    Map<String, Object> stream = Map.ofEntries(Map.entry("id", "6f1c0a52-93c4-4b1e-8d2a-0c5b7e9f1a23"),
        Map.entry("kind", "stream"), Map.entry("name", "My show"), Map.entry("createdAt", now - 60_000),
        Map.entry("lastSeen", now), Map.entry("isActive", true), Map.entry("record", true),
        Map.entry("suspended", false), Map.entry("streamKey", "2bd4-7e6f-a1b2-c3d4"),
        Map.entry("playbackId", "abcd1234efgh5678"),
        Map.entry("profiles", List.of(Map.of("name", "P240p30fps16x9", "width", 426, "height", 240, "bitrate",
            250_000, "fps", 30))),
        Map.entry("sourceSegments", 12), Map.entry("transcodedSegments", 11),
        Map.entry("sourceSegmentsDuration", 24.0), Map.entry("transcodedSegmentsDuration", 22.0),
        Map.entry("sourceBytes", 1_000_000), Map.entry("transcodedBytes", 400_000), Map.entry("ingest", rtmp),
        Map.entry("playbackUrl", hls + "abcd1234efgh5678.m3u8"));
    Map<String, Object> health = Map.of("isActive", true, "segmentsIn", 12, "segmentsOut", 11, "failures", 1,
        "realTimeRatio", 0.42, "orchestrator", "https://127.0.0.1:8935", "lastSegmentAt", now - 1_000);
    Map<String, Object> session = Map.ofEntries(Map.entry("id", "0d9e8f7a-1111-4222-8333-944455556666"),
        Map.entry("parentId", stream.get("id")), Map.entry("createdAt", now - 3_600_000),
        Map.entry("lastSeen", now - 3_594_000), Map.entry("isActive", false), Map.entry("record", true),
        Map.entry("recordingStatus", "ready"), Map.entry("recordingUrl", hls + "rec0rdedplayback.m3u8"),
        Map.entry("sourceSegments", 3), Map.entry("transcodedSegments", 3), Map.entry("sourceSegmentsDuration", 6.0));
    Map<String, Object> network = Map.of(
        "orchestrators", List.of(
            Map.of("uri", "https://127.0.0.1:8935", "address", "0x1111111111111111111111111111111111111111",
                "pricePerPixel", "1200", "score", 0.875, "sessions", 1, "suspended", false),
            Map.of("uri", "https://127.0.0.1:8936", "address", "0x2222222222222222222222222222222222222222",
                "pricePerPixel", "900", "score", 0.1, "sessions", 0, "suspended", true)),
        "broadcaster", Map.of("address", "0xabcdef0123456789abcdef0123456789abcdef01",
            "deposit", "1500000000000000000", "reserve", "250000000000000000", "onChain", true));
    String id = (String) stream.get("id");
    Map<String, Object> routes = Map.of("/api/stream", List.of(stream), "/api/stream/" + id, stream,
        "/api/stream/" + id + "/health", health, "/api/stream/" + id + "/sessions", List.of(session),
        "/api/network", network);
    return Route.of("/api", request -> CompletableFuture.completedFuture(answer(request, routes)), HttpMethod.GET);
  }

  private static FullHttpResponse answer(FullHttpRequest request, Map<String, Object> routes) {
    try {
      if (!("Bearer " + KEY).equals(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
        return reply(HttpResponseStatus.UNAUTHORIZED, Map.of("errors", List.of("invalid or missing API key")));
      }
      String path = URI.create(request.uri()).getPath();
      Object body = routes.get(path);
      return body == null ? reply(HttpResponseStatus.NOT_FOUND, Map.of("errors", List.of("not found")))
          : reply(HttpResponseStatus.OK, body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static FullHttpResponse reply(HttpResponseStatus status, Object body) throws Exception {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(json.writeValueAsBytes(body)));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return r;
  }

  private static void awaitEnded(String url) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && r.body().contains("#EXT-X-ENDLIST")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no #EXT-X-ENDLIST in " + url);
  }
}
