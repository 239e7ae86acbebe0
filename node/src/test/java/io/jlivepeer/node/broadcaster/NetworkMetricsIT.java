package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.MetricsServer;
import io.jlivepeer.node.PromParser;
import io.jlivepeer.node.PromText;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import io.jlivepeer.node.transcoder.TranscoderConfig;
import io.jlivepeer.node.transcoder.TranscoderNode;
import io.jlivepeer.wire.WireClients;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each role's {@code GET /metrics} during a real stream B -> O -> remote T: scraped over HTTP(S) like Prometheus
 * would, parsed strictly, and the counters must agree with the playlist B published.
 */
class NetworkMetricsIT {
  private static final List<VideoProfile> LADDER = RemoteTranscoderTest.LADDER;
  private static final HttpClient HTTP = HttpClient.newBuilder().sslContext(WireClients.trustAllSslContext())
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void natives() {
    FfmpegBinaries.usePlatformExtension();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  @Test
  void everyRoleCountsTheSegmentsOfAStreamInItsMetrics() throws Exception {
    Transcoder noLocal = (id, profiles) -> {
      throw new AssertionError("O must not transcode locally here");
    };
    OrchestratorNode o = OrchestratorNode.start(OrchestratorConfig.defaults("127.0.0.1", 0, dir.resolve("o"), "s3cret")
        .withLocalTranscoding(false), noLocal);
    toClose.add(o);
    FfmpegTranscoder ffmpeg = new FfmpegTranscoder();
    TranscoderNode t = TranscoderNode.start(TranscoderConfig.of(RemoteTranscoderTest.addr(o), "s3cret", 3), ffmpeg);
    toClose.add(t);
    MetricsServer tMetrics = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), t::metricsText);
    toClose.add(tMetrics);
    waitFor(() -> o.metricsText().contains("livepeer_orchestrator_remote_transcoders 1"), "T registered");

    RemoteTranscoder remote = RemoteTranscoder.start(RemoteConfig.defaults(List.of(RemoteTranscoderTest.addr(o)),
        dir.resolve("b")), LADDER);
    toClose.add(remote);
    BroadcasterNode b = BroadcasterNode.start(new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), LADDER, dir.resolve("hls"), 4, Duration.ofSeconds(2), 1000, 50),
        remote);
    toClose.add(b);
    String bMetrics = "http://127.0.0.1:" + b.httpAddress().getPort() + "/metrics";
    String oMetrics = "https://127.0.0.1:" + o.serviceAddress().getPort() + "/metrics";
    String tMetricsUrl = "http://127.0.0.1:" + tMetrics.address().getPort() + "/metrics";
    assertThat(value(scrape(bMetrics), "livepeer_broadcaster_segments_emerged_total")).isZero();

    String url = "rtmp://127.0.0.1:" + b.rtmpAddress().getPort() + "/live/m";
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-re", "-i",
        TestMedia.source(320, 180, 30, 6, "flv").toString(), "-c", "copy", "-f", "flv", url), 120);
    String playlist = "http://127.0.0.1:" + b.httpAddress().getPort() + "/stream/m/" + LADDER.getLast().name()
        + ".m3u8";
    waitFor(() -> get(playlist).contains("#EXT-X-ENDLIST"), "the stream to end");
    long segments = get(playlist).lines().filter(l -> l.endsWith(".ts")).count();
    assertThat(segments).isGreaterThanOrEqualTo(3);

    Map<String, Double> bm = scrape(bMetrics);
    assertThat(value(bm, "livepeer_broadcaster_segments_emerged_total")).isEqualTo(segments);
    assertThat(value(bm, "livepeer_broadcaster_segments_transcoded_total")).isEqualTo(segments);
    assertThat(value(bm, "livepeer_broadcaster_segments_failed_total")).isZero();
    assertThat(value(bm, "livepeer_broadcaster_transcode_seconds_count")).isEqualTo(segments);
    assertThat(value(bm, "livepeer_broadcaster_round_trip_seconds_count")).isEqualTo(segments);
    assertThat(value(bm, "livepeer_broadcaster_round_trip_seconds_sum")).isPositive();
    assertThat(value(bm, "livepeer_broadcaster_segment_requests_total")).isEqualTo(segments);
    assertThat(value(bm, "livepeer_broadcaster_orchestrator_swaps_total")).isZero();
    assertThat(value(bm, "livepeer_broadcaster_orchestrators")).isEqualTo(1);
    assertThat(value(bm, "livepeer_broadcaster_orchestrators_trusted")).isEqualTo(1);
    assertThat(value(bm, "livepeer_broadcaster_real_time_ratio")).isPositive();

    Map<String, Double> om = scrape(oMetrics);
    assertThat(value(om, "livepeer_orchestrator_segments_received_total")).isEqualTo(segments);
    assertThat(value(om, "livepeer_orchestrator_segments_transcoded_total")).isEqualTo(segments);
    assertThat(value(om, "livepeer_orchestrator_transcode_seconds_count")).isEqualTo(segments);
    assertThat(value(om, "livepeer_orchestrator_remote_transcoders")).isEqualTo(1);
    assertThat(value(om, "livepeer_orchestrator_remote_transcoder_capacity")).isEqualTo(3);

    Map<String, Double> tm = scrape(tMetricsUrl);
    assertThat(value(tm, "livepeer_transcoder_tasks_total")).isEqualTo(segments);
    assertThat(value(tm, "livepeer_transcoder_segments_transcoded_total")).isEqualTo(segments);
    assertThat(value(tm, "livepeer_transcoder_segments_failed_total")).isZero();
    assertThat(value(tm, "livepeer_transcoder_download_seconds_count")).isEqualTo(segments);
    assertThat(value(tm, "livepeer_transcoder_post_seconds_count")).isEqualTo(segments);
    assertThat(value(tm, "livepeer_transcoder_transcode_seconds_count")).isEqualTo(segments);
    assertThat(value(tm, "livepeer_transcoder_real_time_ratio")).isPositive();
    assertThat(value(tm, "livepeer_transcoder_capacity")).isEqualTo(3);
    assertThat(value(tm, "livepeer_transcoder_connected")).isEqualTo(1);
    // T's transcode time is part of O's, which is part of B's round trip
    assertThat(value(tm, "livepeer_transcoder_transcode_seconds_sum"))
        .isLessThan(value(om, "livepeer_orchestrator_transcode_seconds_sum"));
    assertThat(value(om, "livepeer_orchestrator_transcode_seconds_sum"))
        .isLessThan(value(bm, "livepeer_broadcaster_round_trip_seconds_sum"));
  }

  private static double value(Map<String, Double> samples, String name) {
    return PromParser.value(samples, name);
  }

  private static Map<String, Double> scrape(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(PromText.CONTENT_TYPE);
    return PromParser.parse(r.body());
  }

  private static String get(String url) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "";
    } catch (Exception e) {
      return "";
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
