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

  /** One step of {@link #ramp}: the publishers connected so far, measured over the window. */
  record Step(int publishers, long minFrames, double avgFrames, long expectedFrames, int dropped, double cpuCores,
      long heapBytes, long segments) {}

  /**
   * Ingest ramp (issue 14, P5): one server, publishers added {@code step} at a time up to {@code max}; after each
   * step every publisher's frames are counted over a {@code seconds} window, with CPU (client and server, this
   * process) and the heap in use after a GC. Stops at the first step where a publisher dropped, a publisher did
   * not get to publish within 60 s, or the slowest stream fell below 95% of real time: that is what broke first.
   */
  static List<Step> ramp(int step, int max, int seconds, Path workDir, PrintStream out) throws Exception {
    int fps = 30;
    List<FlvReader.Tag> tags = FlvReader.readAll(clip(workDir, fps));
    double clipSeconds = tags.stream().mapToLong(FlvReader.Tag::timestampMillis).max().orElse(1) / 1000.0;
    double mbps = tags.stream().mapToLong(t -> t.body().length).sum() * 8 / clipSeconds / 1e6;
    Map<String, CountingSink> sinks = new ConcurrentHashMap<>();
    PublishListener listener = request -> {
      CountingSink sink = new CountingSink(request.manifestId());
      sinks.put(request.manifestId(), sink);
      return Optional.of(sink);
    };
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    var memory = ManagementFactory.getMemoryMXBean();
    RtmpConfig config = RtmpConfig.defaults().withBindAddress(new InetSocketAddress("127.0.0.1", 0))
        .withMaxStreams(max + 10).withMaxConnections(max + 10);
    EventLoopGroup clients = new NioEventLoopGroup(1, new io.netty.util.concurrent.DefaultThreadFactory("bench-client"));
    List<Step> steps = new ArrayList<>();
    List<RtmpPublisher> running = new ArrayList<>();
    try (RtmpServer server = RtmpServer.start(config, listener)) {
      System.gc();
      long baseHeap = memory.getHeapMemoryUsage().getUsed();
      out.printf("ingest ramp: +%d publishers x %.2f Mbit/s per step up to %d, %d s windows, into %s%n", step, mbps,
          max, seconds, server.localAddress());
      out.println("| publishers | frames per stream min / avg (real time) | dropped | CPU cores | CPU per publisher"
          + " | heap per publisher |");
      out.println("|---:|---|---:|---:|---:|---:|");
      String broke = "nothing up to " + max;
      while (running.size() < max) {
        List<RtmpPublisher> added = new ArrayList<>();
        for (int i = 0; i < step && running.size() < max; i++) {
          URI url = URI.create("rtmp://127.0.0.1:" + server.localAddress().getPort() + "/live/ramp" + running.size());
          RtmpPublisher p = RtmpPublisher.start(clients, url, tags, new RtmpPublisher.Options(true, true));
          running.add(p);
          added.add(p);
        }
        try {
          for (RtmpPublisher p : added) {
            p.publishing().get(60, TimeUnit.SECONDS);
          }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          broke = "at " + running.size() + " publishers a new publisher could not start publishing: " + e;
          out.println(broke);
          break;
        }
        Map<String, Long> startFrames = new java.util.HashMap<>();
        sinks.forEach((id, s) -> startFrames.put(id, s.videoFrames.get()));
        long cpuStart = os.getProcessCpuTime();
        long[] loopsStart = loopCpuNanos();
        long wallStart = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long wall = System.nanoTime() - wallStart;
        double cores = (os.getProcessCpuTime() - cpuStart) / (double) wall;
        long[] loopsEnd = loopCpuNanos();
        double serverLoops = (loopsEnd[0] - loopsStart[0]) / (double) wall;
        double clientLoop = (loopsEnd[1] - loopsStart[1]) / (double) wall;
        long min = Long.MAX_VALUE;
        long sum = 0;
        long segments = 0;
        int dropped = running.size() - sinks.size();
        for (var e : sinks.entrySet()) {
          long frames = e.getValue().videoFrames.get() - startFrames.getOrDefault(e.getKey(), 0L);
          min = Math.min(min, frames);
          sum += frames;
          segments += e.getValue().segments.get();
          dropped += e.getValue().closed ? 1 : 0;
        }
        System.gc();
        long heap = memory.getHeapMemoryUsage().getUsed() - baseHeap;
        int n = running.size();
        Step s = new Step(n, min, sum / (double) Math.max(1, sinks.size()), (long) fps * seconds, dropped, cores, heap,
            segments);
        steps.add(s);
        out.printf(java.util.Locale.ROOT, "| %d | %d / %.1f (%d) | %d | %.2f | %.4f | %.0f KiB |%n", n, s.minFrames(),
            s.avgFrames(), s.expectedFrames(), s.dropped(), s.cpuCores(), s.cpuCores() / n,
            s.heapBytes() / 1024.0 / n);
        out.printf(java.util.Locale.ROOT, "  of the CPU: server event loops %.2f cores, client event loop %.2f cores%n",
            serverLoops, clientLoop);
        if (s.dropped() > 0) {
          broke = "at " + n + " publishers: " + s.dropped() + " dropped";
          break;
        }
        if (s.minFrames() < s.expectedFrames() * 95 / 100) {
          broke = "at " + n + " publishers: the slowest stream got " + s.minFrames() + " of " + s.expectedFrames()
              + " frames (below 95% of real time; CPU " + String.format(java.util.Locale.ROOT, "%.2f", cores)
              + " cores of " + Runtime.getRuntime().availableProcessors() + ")";
          break;
        }
      }
      out.println("first to break: " + broke);
      return steps;
    } finally {
      running.forEach(RtmpPublisher::close);
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** CPU time so far of the server's event loops ("rtmp-io-*") and of the load generator's ("bench-client-*"). */
  private static long[] loopCpuNanos() {
    var threads = ManagementFactory.getThreadMXBean();
    long server = 0;
    long client = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      if (info.getThreadName().startsWith("rtmp-io")) {
        server += cpu;
      } else if (info.getThreadName().startsWith("bench-client")) {
        client += cpu;
      }
    }
    return new long[] {server, client};
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
