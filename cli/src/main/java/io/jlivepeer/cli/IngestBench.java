package io.jlivepeer.cli;

import io.jlivepeer.ingest.FlvReader;
import io.jlivepeer.ingest.PublishListener;
import io.jlivepeer.ingest.RtmpConfig;
import io.jlivepeer.ingest.RtmpPublisher;
import io.jlivepeer.ingest.RtmpServer;
import io.jlivepeer.ingest.StreamSink;
import io.jlivepeer.media.EsFrame;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.Segmenter;
import io.jlivepeer.media.SegmenterConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RTMP ingest with segmenting only: N publishers (our RtmpPublisher, one shared event loop group) replay a
 * ~2 Mbit/s clip at real time into an RtmpServer whose every stream is cut into MPEG-TS segments. Reports
 * frames received per stream against real time, segments cut, publishers dropped, and CPU used.
 */
final class IngestBench {
  record Result(int publishers, int seconds, double mbpsPerPublisher, long minFrames, double avgFrames, long maxFrames,
      long expectedFrames, long segments, int dropped, double cpuCoresUsed) {}

  private static final class CountingSink implements StreamSink {
    final AtomicLong videoFrames = new AtomicLong();
    final AtomicLong segments = new AtomicLong();
    volatile boolean closed;
    final Segmenter segmenter;

    CountingSink(String id) {
      segmenter = new Segmenter(id, SegmenterConfig.defaults(), 0, s -> segments.incrementAndGet());
    }

    @Override
    public void onMetadata(Map<String, Object> metadata) {}

    @Override
    public void onVideoConfig(byte[] record) {
      segmenter.onVideoConfig(record);
    }

    @Override
    public void onAudioConfig(byte[] config) {
      segmenter.onAudioConfig(config);
    }

    @Override
    public void onFrame(EsFrame frame) {
      if (frame.kind() == EsFrame.Kind.VIDEO) {
        videoFrames.incrementAndGet();
      }
      segmenter.onFrame(frame);
    }

    @Override
    public void onClose(String reason) {
      closed = true;
    }
  }

  private IngestBench() {}

  static Result run(int publishers, int seconds, Path workDir, PrintStream out) throws Exception {
    int fps = 30;
    Path clip = clip(workDir, fps);
    List<FlvReader.Tag> tags = FlvReader.readAll(clip);
    double clipSeconds = tags.stream().mapToLong(FlvReader.Tag::timestampMillis).max().orElse(1) / 1000.0;
    double mbps = tags.stream().mapToLong(t -> t.body().length).sum() * 8 / clipSeconds / 1e6;
    Map<String, CountingSink> sinks = new ConcurrentHashMap<>();
    PublishListener listener = request -> {
      CountingSink sink = new CountingSink(request.manifestId());
      sinks.put(request.manifestId(), sink);
      return Optional.of(sink);
    };
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    RtmpConfig config = RtmpConfig.defaults().withBindAddress(new InetSocketAddress("127.0.0.1", 0))
        .withMaxStreams(publishers + 10).withMaxConnections(publishers + 10);
    EventLoopGroup clients = new NioEventLoopGroup(1);
    try (RtmpServer server = RtmpServer.start(config, listener)) {
      out.printf("ingest bench: %d publishers x %.2f Mbit/s for %d s into %s (segmenting only)%n", publishers, mbps,
          seconds, server.localAddress());
      List<RtmpPublisher> running = new ArrayList<>();
      for (int i = 0; i < publishers; i++) {
        URI url = URI.create("rtmp://127.0.0.1:" + server.localAddress().getPort() + "/live/bench" + i);
        running.add(RtmpPublisher.start(clients, url, tags, new RtmpPublisher.Options(true, true)));
      }
      for (RtmpPublisher p : running) {
        p.publishing().get(60, TimeUnit.SECONDS);
      }
      // Frames counted over a fixed window once everyone publishes, so slow starts don't skew the figure.
      Map<String, Long> startFrames = new java.util.HashMap<>();
      sinks.forEach((id, s) -> startFrames.put(id, s.videoFrames.get()));
      long cpuStart = os.getProcessCpuTime();
      long wallStart = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double cores = (os.getProcessCpuTime() - cpuStart) / (double) (System.nanoTime() - wallStart);
      long min = Long.MAX_VALUE;
      long max = 0;
      long sum = 0;
      long segments = 0;
      int dropped = 0;
      for (var e : sinks.entrySet()) {
        long frames = e.getValue().videoFrames.get() - startFrames.getOrDefault(e.getKey(), 0L);
        min = Math.min(min, frames);
        max = Math.max(max, frames);
        sum += frames;
        segments += e.getValue().segments.get();
        if (e.getValue().closed) {
          dropped++;
        }
      }
      dropped += publishers - sinks.size();
      running.forEach(RtmpPublisher::close);
      Result r = new Result(publishers, seconds, mbps, min, sum / (double) Math.max(1, sinks.size()), max,
          (long) fps * seconds, segments, dropped, cores);
      out.printf("video frames per stream in %d s: min %d, avg %.1f, max %d (real time: %d)%n", seconds, r.minFrames(),
          r.avgFrames(), r.maxFrames(), r.expectedFrames());
      out.printf("segments cut: %d; publishers dropped: %d; CPU used: %.2f cores (client and server in this process)%n",
          r.segments(), r.dropped(), r.cpuCoresUsed());
      return r;
    } finally {
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** A 10 s 640x360 clip at ~2 Mbit/s CBR (filler NALs keep the synthetic pattern at its nominal rate). */
  private static Path clip(Path dir, int fps) throws Exception {
    Path out = dir.resolve("ingest_640x360p30_2mbps_10s.flv");
    if (Files.exists(out)) {
      return out;
    }
    Files.createDirectories(dir);
    Path tmp = dir.resolve("ingest.part.flv");
    List<String> args = new ArrayList<>(List.of("-hide_banner", "-loglevel", "error", "-y"));
    args.addAll(TestSource.lavfiInputs(640, 360, fps));
    args.addAll(List.of("-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "60",
        "-b:v", "1900k", "-minrate", "1900k", "-maxrate", "1900k", "-bufsize", "1900k", "-x264-params", "nal-hrd=cbr",
        "-c:a", "aac", "-b:a", "96k", "-f", "flv", tmp.toString()));
    Process p = FfmpegBinaries.processBuilder(FfmpegBinaries.ffmpeg(), args).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new CliException("could not make the ingest bench clip: " + log.strip());
    }
    Files.move(tmp, out);
    return out;
  }
}
