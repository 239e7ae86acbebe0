package io.jlivepeer.cli;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.node.NodeStats;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code livepeer demo}: a network on loopback (a broadcaster, an orchestrator transcoding itself and one with two
 * remote transcoders, see {@link DemoNetwork}), or with {@code -local} a single broadcaster transcoding itself;
 * generated test streams published into the broadcaster over RTMP by the bundled ffmpeg (three on the network, so
 * that each orchestrator and each remote transcoder carries one; one with {@code -local}), their playback URLs, and
 * a progress line until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run a broadcaster and two orchestrators (one with two remote transcoders) on loopback, publish"
        + " generated test streams and print their HLS URLs.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = {"-transcodingOptions", "--transcodingOptions"}, defaultValue = "P240p30fps16x9,P360p30fps16x9",
      description = "Renditions. Default: ${DEFAULT-VALUE}")
  String transcodingOptions;

  @Option(names = {"-source", "--source"},
      description = "Size of the generated test picture. Default: 1280x720 for one stream, 640x360 for several (three"
          + " live encodes and their transcodes then fit a 2-core machine)")
  String source;

  @Option(names = {"-streams", "--streams"},
      description = "Test streams to publish, each its own RTMP publisher. Default: 3 (one for orchestrator 1 and"
          + " one for each of orchestrator 2's two transcoders); 1 with -local")
  Integer streams;

  @Option(names = {"-duration", "--duration"}, defaultValue = "0s",
      description = "Stop after this long (0s = run until Ctrl-C). Default: ${DEFAULT-VALUE}")
  String duration;

  @Option(names = {"-rtmpAddr", "--rtmpAddr"}, defaultValue = "127.0.0.1:1935",
      description = "RTMP address (a free port is used if this one is taken). Default: ${DEFAULT-VALUE}")
  String rtmpAddr;

  @Option(names = {"-httpAddr", "--httpAddr"}, defaultValue = "127.0.0.1:9935",
      description = "HLS address (a free port is used if this one is taken). Default: ${DEFAULT-VALUE}")
  String httpAddr;

  @Option(names = {"-dataDir", "--dataDir"}, description = "Data folder. Default: ~/.lpData/demo")
  Path dataDir;

  @Option(names = {"-local", "--local"},
      description = "Run one node that transcodes itself instead of the network.")
  boolean local;

  @Option(names = {"-noChain", "--noChain"},
      description = "Run the network free, without a chain. By default it runs on a local anvil chain with"
          + " probabilistic micropayments (docs/payments.md).")
  boolean noChain;

  @Option(names = {"-v", "--v"}, defaultValue = "3", description = "Log verbosity. Default: ${DEFAULT-VALUE}")
  int verbosity;

  @Override
  public Integer call() throws Exception {
    Main.setVerbosity(verbosity);
    int streamCount = streams != null ? streams : local ? 1 : NETWORK_STREAMS;
    if (streamCount < 1 || streamCount > MAX_STREAMS) {
      throw new CliException("-streams " + streamCount + ": expected 1 to " + MAX_STREAMS);
    }
    String size = source != null ? source : streamCount == 1 ? "1280x720" : "640x360";
    String[] wh = size.toLowerCase().split("x");
    if (wh.length != 2) {
      throw new CliException("-source " + size + ": expected WIDTHxHEIGHT, e.g. 1280x720");
    }
    int width = Integer.parseInt(wh[0]);
    int height = Integer.parseInt(wh[1]);
    Duration runFor = Durations.parse("duration", duration);
    Path dir = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".lpData", "demo");
    BroadcasterConfig config = new BroadcasterConfig(
        freeOrEphemeral(HostPort.parse("rtmpAddr", rtmpAddr)), freeOrEphemeral(HostPort.parse("httpAddr", httpAddr)),
        Main.profiles(transcodingOptions), dir, MAX_STREAMS, Duration.ofSeconds(2),
        BroadcasterConfig.DEFAULT_MAX_QUEUED_SEGMENTS, BroadcasterConfig.DEFAULT_PLAYLIST_WINDOW);

    DemoChain chain = !local && !noChain ? startChain(dir) : null;
    DemoNetwork net;
    try {
      net = local ? null : DemoNetwork.start(dir.resolve("network"), config.profiles(),
          java.util.Optional.ofNullable(chain));
    } catch (RuntimeException | InterruptedException e) {
      if (chain != null) {
        chain.close();
      }
      throw e;
    }
    reporter = chain == null ? () -> "" : chain::report;
    io.jlivepeer.media.Transcoder transcoder = net == null ? new FfmpegTranscoder() : net.broadcasterSide();
    try (chain; net; BroadcasterNode node = BroadcasterNode.start(config, transcoder)) {
      if (net != null) {
        System.out.println();
        net.describe().forEach(System.out::println);
      }
      List<Publisher> publishers = new ArrayList<>();
      try {
        System.out.println();
        for (int i = 0; i < streamCount; i++) {
          String stream = i == 0 ? "demo" : "demo" + (i + 1);
          String rtmpUrl = "rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live/" + stream;
          String hlsUrl = "http://127.0.0.1:" + node.httpAddress().getPort() + "/stream/" + stream + ".m3u8";
          // a tone of its own per stream (440, 550, 660 Hz ...), so a listener can tell them apart
          Process process = startPublisher(width, height, 440 + 110 * i, rtmpUrl);
          publishers.add(new Publisher(stream, process, drain(process.getErrorStream())));
          System.out.println("jlivepeer demo: a " + width + "x" + height + " test stream is being published to "
              + rtmpUrl);
          System.out.println("Play it:  " + hlsUrl);
        }
        String first = "http://127.0.0.1:" + node.httpAddress().getPort() + "/stream/demo.m3u8";
        System.out.println("          (ffplay " + first + "  |  vlc " + first + "  |  any hls.js page)");
        System.out.println("Renditions: " + String.join(", ", config.profiles().stream().map(p -> p.name()).toList())
            + " + source.  Ctrl-C to stop.");
        System.out.println();
        return progress(node, net, publishers, runFor);
      } finally {
        for (Publisher p : publishers) {
          p.process().destroy();
        }
        for (Publisher p : publishers) {
          if (!p.process().waitFor(5, TimeUnit.SECONDS)) {
            p.process().destroyForcibly();
          }
        }
      }
    }
  }

  /** Streams the network demo publishes: orchestrator 1 takes one, orchestrator 2 one per remote transcoder. */
  static final int NETWORK_STREAMS = 1 + DemoNetwork.REMOTE_TRANSCODERS;
  /** The broadcaster's -maxSessions in the demo, and the most -streams accepts. */
  static final int MAX_STREAMS = 8;

  /** One test publisher (the bundled ffmpeg) and the last lines it wrote. */
  private record Publisher(String stream, Process process, ArrayDeque<String> log) {}

  /** The chain's line for the progress output (deposits, fees, tickets); empty without a chain. */
  private java.util.function.Supplier<String> reporter = () -> "";

  private static DemoChain startChain(Path dir) {
    System.out.println("demo: starting a local chain (anvil), deploying the protocol, activating 2 orchestrators and"
        + " funding the broadcaster ...");
    DemoChain chain = DemoChain.start(dir.resolve("chain"), DemoChain.Settings.demo(2));
    System.out.println("demo: " + chain.report());
    return chain;
  }

  private void printChain() {
    String r = reporter.get();
    if (!r.isEmpty()) {
      System.out.println(r);
    }
  }

  private int progress(BroadcasterNode node, DemoNetwork net, List<Publisher> publishers, Duration runFor)
      throws InterruptedException {
    boolean tty = System.console() != null;
    long start = System.nanoTime();
    long lastPrint = 0;
    long lastChainPrint = 0;
    Thread main = Thread.currentThread();
    Thread hook = new Thread(() -> {
      main.interrupt();
      try {
        main.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      while (true) {
        long elapsed = System.nanoTime() - start;
        if (!runFor.isZero() && elapsed >= runFor.toNanos()) {
          System.out.println();
          System.out.println("demo: " + runFor.toSeconds() + " s done; " + line(node.stats(), net, elapsed));
          printChain();
          return 0;
        }
        for (Publisher p : publishers) {
          if (!p.process().isAlive()) {
            System.out.println();
            System.err.println("demo: the test publisher of stream " + p.stream() + " (bundled ffmpeg) stopped with"
                + " exit code " + p.process().exitValue() + ". Its last words:");
            synchronized (p.log()) {
              p.log().forEach(l -> System.err.println("  " + l));
            }
            return 1;
          }
        }
        if (tty) {
          System.out.print("\r" + line(node.stats(), net, elapsed) + "   ");
          System.out.flush();
        } else if (elapsed - lastPrint >= TimeUnit.SECONDS.toNanos(10)) {
          System.out.println(line(node.stats(), net, elapsed));
          lastPrint = elapsed;
        }
        if (elapsed - lastChainPrint >= TimeUnit.SECONDS.toNanos(10)) {
          if (tty) {
            System.out.println();
          }
          printChain();
          lastChainPrint = elapsed;
        }
        Thread.sleep(1000);
      }
    } catch (InterruptedException e) {
      System.out.println();
      System.out.println("demo: stopping.");
      return 0;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting: the hook is running, nothing to remove
      }
    }
  }

  static String line(NodeStats s, DemoNetwork net, long elapsedNanos) {
    String line = String.format(
        "[%4ds] streams %d | segments in %d, transcoded %d, failed %d, skipped %d | real-time ratio %.2f",
        TimeUnit.NANOSECONDS.toSeconds(elapsedNanos), s.liveStreams(), s.segmentsIn(), s.segmentsOut(),
        s.segmentsFailed(), s.segmentsDropped(), s.realTimeRatio());
    return net == null ? line : line + " | by orchestrator: " + net.progress();
  }

  private static Process startPublisher(int width, int height, int toneHz, String rtmpUrl) throws IOException {
    List<String> args = new ArrayList<>(List.of("-hide_banner", "-loglevel", "warning", "-re"));
    args.addAll(TestSource.lavfiInputs(width, height, 30, toneHz));
    // ultrafast: the live test encode must leave the CPU to the transcoder on small machines
    List<String> encoder = new ArrayList<>(TestSource.encoderArgs(30, width >= 1920 ? 4500 : width >= 1280 ? 2500 : 1000));
    encoder.set(encoder.indexOf("veryfast"), "ultrafast");
    args.addAll(encoder);
    args.addAll(List.of("-f", "flv", rtmpUrl));
    return FfmpegBinaries.processBuilder(FfmpegBinaries.ffmpeg(), args).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** Keeps the last lines a child process wrote, for the error message if it dies. */
  private static ArrayDeque<String> drain(InputStream in) {
    ArrayDeque<String> last = new ArrayDeque<>();
    Thread.ofVirtual().name("publisher-log").start(() -> {
      try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          synchronized (last) {
            last.add(line);
            if (last.size() > 20) {
              last.removeFirst();
            }
          }
        }
      } catch (IOException closed) {
        // the publisher went away; its last lines are kept
      }
    });
    return last;
  }

  /** The demo should start even when another node holds the default ports. */
  private static InetSocketAddress freeOrEphemeral(InetSocketAddress wanted) {
    try (var probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(wanted);
      return wanted;
    } catch (IOException taken) {
      System.err.println("demo: " + wanted + " is taken; using a free port instead");
      return new InetSocketAddress(wanted.getAddress(), 0);
    }
  }
}
