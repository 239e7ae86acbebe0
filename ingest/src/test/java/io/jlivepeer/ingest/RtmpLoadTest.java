package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.TestMedia;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Load check, off by default: {@code ./mvnw -B -q -o -pl ingest -am verify -Dtest=RtmpLoadTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Drtmp.load=100 [-Drtmp.load.seconds=20]}. N RtmpPublishers on one
 * two-thread event loop group push a ~2 Mbit/s H.264+AAC clip at real time into one server in the same JVM;
 * reports frames received per stream and whether anything was dropped or fell behind real time.
 */
@EnabledIfSystemProperty(named = "rtmp.load", matches = "\\d+")
class RtmpLoadTest {
  private static final int FPS = 30;

  private static Path clip() {
    Path out = Path.of("target", "test-media", "load_640x360p30_2mbps_10s.flv").toAbsolutePath();
    if (Files.exists(out)) {
      return out;
    }
    // CBR with filler (nal-hrd=cbr) so the synthetic pattern really costs ~2 Mbit/s on the wire.
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=" + FPS, "-f", "lavfi", "-i", "sine=frequency=440",
        "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "60",
        "-b:v", "1900k", "-minrate", "1900k", "-maxrate", "1900k", "-bufsize", "1900k",
        "-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-b:a", "96k", out.toString()), 120);
    return out;
  }

  @Test
  void manyPublishersAtRealTime() throws Exception {
    int publishers = Integer.getInteger("rtmp.load");
    int seconds = Integer.getInteger("rtmp.load.seconds", 20);
    // The AVC end-of-sequence tag carries no frame; leaving it out makes sent and received tags comparable.
    List<FlvReader.Tag> tags = FlvReader.readAll(clip()).stream()
        .filter(t -> !(t.type() == FlvReader.Tag.VIDEO && t.body().length > 1 && t.body()[1] == 2)).toList();
    long clipBytes = tags.stream().mapToLong(t -> t.body().length).sum();
    Map<String, RecordingSink> sinks = new ConcurrentHashMap<>();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    try (RtmpServer server = RtmpServer.start(
        RtmpConfig.defaults().withBindAddress(new InetSocketAddress("127.0.0.1", 0)),
        request -> {
          RecordingSink sink = new RecordingSink(false);
          sinks.put(request.manifestId(), sink);
          return Optional.of(sink);
        })) {
      EventLoopGroup group = new NioEventLoopGroup(2, new DefaultThreadFactory("publisher", true));
      List<RtmpPublisher> running = new ArrayList<>();
      long cpuStart = os.getProcessCpuTime();
      long start = System.nanoTime();
      for (int i = 0; i < publishers; i++) {
        running.add(RtmpPublisher.start(group,
            URI.create("rtmp://127.0.0.1:" + server.localAddress().getPort() + "/live/load" + i), tags,
            new RtmpPublisher.Options(true, true)));
      }
      for (RtmpPublisher p : running) {
        p.publishing().get(30, TimeUnit.SECONDS);
      }
      long connected = System.nanoTime();
      long bytesAtConnect = running.stream().mapToLong(RtmpPublisher::bytesSent).sum();
      long cpuAtConnect = os.getProcessCpuTime();
      Map<String, Long> framesAtConnect = new java.util.HashMap<>();
      sinks.forEach((id, sink) -> framesAtConnect.put(id, sink.videoFrames.get()));
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      // Snapshot before closing: closing takes a while and the streams run on meanwhile.
      LongSummaryStatistics video = sinks.entrySet().stream()
          .mapToLong(e -> e.getValue().videoFrames.get() - framesAtConnect.get(e.getKey())).summaryStatistics();
      double window = (System.nanoTime() - connected) / 1e9;
      long bytesSent = running.stream().mapToLong(RtmpPublisher::bytesSent).sum() - bytesAtConnect;
      double cpu = (os.getProcessCpuTime() - cpuAtConnect) / 1e9;
      double setup = (connected - start) / 1e9;
      double setupCpu = (cpuAtConnect - cpuStart) / 1e9;
      for (RtmpPublisher p : running) {
        p.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sinks.values().stream().anyMatch(s -> s.closeReasons.isEmpty()) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }

      long lost = 0;
      for (int i = 0; i < publishers; i++) {
        RecordingSink s = sinks.get("load" + i);
        long received = s.videoFrames.get() + s.audioFrames.get() + s.metadata.size() + s.videoConfigs.size()
            + s.audioConfigs.size();
        lost += running.get(i).tagsSent() - received;
      }
      String report = String.format(
          "RTMP load: %d publishers x %.2f Mbit/s clip on %d cores, all publishing after %.1f s (CPU %.1f s); "
              + "over the next %.1f s: %.1f Mbit/s total, video frames per stream min %d / avg %.1f / max %d "
              + "(real time: about %d), process CPU %.0f%% of one core (publishers and server in one JVM); "
              + "after close: tags lost %d, streams closed once %d/%d",
          publishers, clipBytes * 8 / 10.0 / 1e6, Runtime.getRuntime().availableProcessors(), setup, setupCpu,
          window, bytesSent * 8 / window / 1e6, video.getMin(), video.getAverage(), video.getMax(),
          Math.round(window * FPS), 100 * cpu / window, lost,
          sinks.values().stream().filter(s -> s.closeReasons.size() == 1).count(), publishers);
      System.out.println(report);
      Files.writeString(Path.of("target", "rtmp-load.txt"), report + System.lineSeparator());

      assertThat(sinks).hasSize(publishers);
      assertThat(lost).isZero();
      assertThat(video.getMin()).as("every stream kept up with real time")
          .isGreaterThanOrEqualTo((long) (0.9 * seconds * FPS));
    }
  }
}
