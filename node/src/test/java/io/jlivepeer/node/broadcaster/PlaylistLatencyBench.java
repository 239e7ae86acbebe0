package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.ingest.FlvReader;
import io.jlivepeer.ingest.RtmpPublisher;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.NodeStats;
import io.jlivepeer.node.PromParser;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import io.jlivepeer.node.transcoder.TranscoderConfig;
import io.jlivepeer.node.transcoder.TranscoderNode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, P6: from a segment being complete at B to all its renditions in the playlists, as a fraction of the
 * segment duration, with B's local x264 transcoder. A real {@link BroadcasterNode}; our RTMP client publishes a clip
 * at real time (looping) for {@code -Dlatency.bench.seconds} (default 60); the figures are B's own
 * {@code livepeer_broadcaster_playlist_latency_*} metrics, read at the end. Options: {@code -Dlatency.bench.source=WxH}
 * (default 1280x720, 30 fps), {@code -Dlatency.bench.ladder} (default: the node's default ladder; {@code standard}
 * for the standard ladder, then use a 1920x1080 source), {@code -Dlatency.bench.remote=true}: B's transcoder is the
 * network, an orchestrator without local transcoding and one remote transcoder in this JVM (loopback TLS).
 */
@EnabledIfSystemProperty(named = "latency.bench", matches = "true")
class PlaylistLatencyBench {
  @TempDir Path dataDir;

  @Test
  void segmentCompleteToAllRenditionsInThePlaylists() throws Exception {
    int seconds = Integer.getInteger("latency.bench.seconds", 60);
    String[] size = System.getProperty("latency.bench.source", "1280x720").split("x");
    String ladderOption = System.getProperty("latency.bench.ladder", "default");
    List<VideoProfile> ladder = switch (ladderOption) {
      case "default" -> VideoProfiles.defaultLadder();
      case "standard" -> VideoProfiles.standardLadder();
      default -> VideoProfiles.parse(ladderOption);
    };
    Path clip = TestMedia.source(Integer.parseInt(size[0]), Integer.parseInt(size[1]), 30, 20, "flv");
    List<FlvReader.Tag> tags = FlvReader.readAll(clip);
    BroadcasterConfig config = new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), ladder, dataDir, 4, Duration.ofSeconds(2), 1000, 20);
    EventLoopGroup clients = new NioEventLoopGroup(1);
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean();
    boolean remote = Boolean.getBoolean("latency.bench.remote");
    Transcoder noLocal = (id, profiles) -> {
      throw new AssertionError("O must hand the work to T");
    };
    List<AutoCloseable> network = new ArrayList<>();
    Transcoder transcoder = new FfmpegTranscoder();
    if (remote) { // B -> O (no local transcoding) -> T, loopback TLS, as in NetworkOverheadBench
      FfmpegBinaries.usePlatformExtension();
      OrchestratorNode o = OrchestratorNode.start(OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o"),
          "bench").withLocalTranscoding(false), noLocal);
      network.add(o);
      network.add(0, TranscoderNode.start(TranscoderConfig.of(RemoteTranscoderTest.addr(o), "bench", 1),
          new FfmpegTranscoder()));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!o.metricsText().contains("livepeer_orchestrator_remote_transcoders 1")) {
        assertThat(System.nanoTime()).as("T registered").isLessThan(deadline);
        Thread.sleep(50);
      }
      RemoteTranscoder b = RemoteTranscoder.start(RemoteConfig.defaults(List.of(RemoteTranscoderTest.addr(o)),
          dataDir.resolve("b")), ladder);
      network.add(0, b);
      transcoder = b;
    }
    try (BroadcasterNode node = BroadcasterNode.start(config, transcoder)) {
      RtmpPublisher publisher = RtmpPublisher.start(clients,
          URI.create("rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live/latency"), tags,
          new RtmpPublisher.Options(true, true));
      publisher.publishing().get(10, TimeUnit.SECONDS);
      double load0 = os.getSystemLoadAverage();
      Thread.sleep(seconds * 1000L);
      publisher.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (node.busy() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Map<String, Double> m = PromParser.parse(node.metricsText());
      double count = PromParser.value(m, "livepeer_broadcaster_playlist_latency_seconds_count");
      double sum = PromParser.value(m, "livepeer_broadcaster_playlist_latency_seconds_sum");
      double p50 = PromParser.value(m, "livepeer_broadcaster_playlist_latency_p50_ratio");
      double p95 = PromParser.value(m, "livepeer_broadcaster_playlist_latency_p95_ratio");
      NodeStats stats = node.stats();
      System.out.printf(Locale.ROOT, "playlist latency bench (%s): source %sx%s p30, ladder %s, %d s published, load "
          + "average %.1f -> %.1f%n", remote ? "B -> O -> T" : "local transcoder", size[0], size[1], ladder.stream().map(VideoProfile::name).toList(), seconds,
          load0, os.getSystemLoadAverage());
      System.out.printf(Locale.ROOT, "segments %d in, %d out, %d dropped; transcode real-time ratio %.3f%n",
          stats.segmentsIn(), stats.segmentsOut(), stats.segmentsDropped(), stats.realTimeRatio());
      System.out.printf(Locale.ROOT, "segment complete -> all renditions in the playlists: mean %.0f ms; p50 %.3f,"
          + " p95 %.3f of the 2 s segment duration (goal: below 1)%n", sum / count * 1000, p50, p95);
      assertThat(count).isPositive();
    } finally {
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      for (AutoCloseable c : network) {
        c.close();
      }
    }
  }
}
