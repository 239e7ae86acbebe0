package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import io.jlivepeer.node.store.StoreSetup;
import io.jlivepeer.p2p.PeerMain;
import io.jlivepeer.p2p.SwarmOrigin;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's acceptance: a live stream on a broadcaster (in this JVM, local transcode of small pushed segments)
 * swarmed to 20 peers, each its own OS process ({@link PeerMain}, 64 MiB heap); one is SIGKILLed mid-stream.
 * Every surviving peer's local HLS must serve the same bytes as B for every segment since it joined (including
 * all after the kill), and origin offload (1 - origin bytes / all chunk bytes the peers received) must be >= 90%.
 */
class PeerSwarmIT {
  private static final int PEERS = 20;
  private static final int SEGMENTS = 16;
  private static final Pattern UP = Pattern.compile("peer up: hls (http://\\S+) udp");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @Test
  void twentyPeerProcessesPlayBsBytesWithNinetyPercentOffload(@TempDir Path dir) throws Exception {
    Path clip = dir.resolve("clip.ts");
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y", "-f",
        "lavfi", "-i", "testsrc2=size=160x90:rate=15", "-t", Integer.toString(2 * SEGMENTS + 2), "-c:v", "libx264",
        "-preset", "veryfast", "-b:v", "150k", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-f", "mpegts",
        clip.toString()), 120);
    List<byte[]> segments = TestMedia.segments(clip, dir.resolve("segs"), 2);
    assertThat(segments).hasSizeGreaterThanOrEqualTo(SEGMENTS);

    // peer logs stay in target/ for a failed run
    Path logDir = Path.of("target", "peer-swarm-it").toAbsolutePath();
    Files.createDirectories(logDir);
    BroadcasterConfig config = BroadcasterConfig.loopback(VideoProfiles.parse("P144p30fps16x9"), dir.resolve("b"));
    List<Process> peers = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    FfmpegTranscoder transcoder = new FfmpegTranscoder();
    try (BroadcasterNode b = BroadcasterNode.start(config, transcoder, StoreSetup.none(),
            Optional.of(SwarmOrigin.create(InetAddress.getLoopbackAddress())))) {
      String base = "http://127.0.0.1:" + b.httpAddress().getPort();
      // FFmpeg's first session is slow to start; take it before 20 JVMs start competing for the CPU
      push(base, "warmup", 0, segments.get(0));
      for (int i = 0; i < PEERS; i++) {
        Path log = logDir.resolve("peer" + i + ".log");
        logs.add(log);
        peers.add(peerProcess(base + "/live1", log));
      }
      // every peer is waiting for the stream before it starts: all join at its first segment
      await(Duration.ofSeconds(120), () -> logs.stream().allMatch(l -> read(l).contains("peer joining")));
      Thread.sleep(3000); // let the peers' JVMs finish starting
      long started = System.nanoTime();
      push(base, "live1", 0, segments.get(0));
      List<String> hls = new ArrayList<>();
      for (Path log : logs) {
        await(Duration.ofSeconds(60), () -> UP.matcher(read(log)).find());
        Matcher m = UP.matcher(read(log));
        assertThat(m.find()).isTrue();
        hls.add(m.group(1));
      }
      int killAfter = SEGMENTS / 3;
      for (int seq = 1; seq < SEGMENTS; seq++) {
        long due = started + seq * 1_000_000_000L; // 2 s segments at twice real time: CPU for 20 JVMs on 2 cores
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000);
        }
        push(base, "live1", seq, segments.get(seq));
        if (seq == killAfter) {
          peers.get(0).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      String mediaSeqLast = Integer.toString(SEGMENTS - 1);
      // survivors must get every segment, including all after the kill
      long origin = 0;
      long fromPeers = 0;
      List<Long> startups = new ArrayList<>();
      for (int i = 1; i < PEERS; i++) {
        String peerHls = hls.get(i).replace(".m3u8", "");
        for (String rendition : List.of("source", "P144p30fps16x9")) {
          await(Duration.ofSeconds(30), () -> get(peerHls + "/" + rendition + "/" + mediaSeqLast + ".ts").isPresent());
          for (int seq = 0; seq < SEGMENTS; seq++) {
            String path = "/" + rendition + "/" + seq + ".ts";
            Optional<byte[]> fromB = get(base + "/stream/live1" + path);
            Optional<byte[]> fromPeer = get(peerHls + path);
            assertThat(fromPeer).as("peer %d %s", i, path).isPresent();
            assertThat(sha256(fromPeer.get())).as("peer %d %s", i, path).isEqualTo(sha256(fromB.orElseThrow()));
          }
        }
        String playlist = new String(get(peerHls + "/source.m3u8").orElseThrow(), StandardCharsets.UTF_8);
        assertThat(playlist).contains("source/" + mediaSeqLast + ".ts");
        String metrics = new String(get(hls.get(i).replaceAll("/stream/.*", "/metrics")).orElseThrow(),
            StandardCharsets.UTF_8);
        long peerOrigin = metric(metrics, "livepeer_peer_p2p_bytes_from_origin_total");
        long peerPeers = metric(metrics, "livepeer_peer_p2p_bytes_from_peers_total");
        System.out.printf("PeerSwarmIT: peer %d origin %d bytes, peers %d bytes, channels %d%n", i, peerOrigin,
            peerPeers, metric(metrics, "livepeer_peer_p2p_channels"));
        origin += peerOrigin;
        fromPeers += peerPeers;
        startups.add((long) (metricDouble(metrics, "livepeer_peer_p2p_startup_seconds") * 1000));
      }
      double offload = 1 - origin / (double) (origin + fromPeers);
      String bMetrics = b.metricsText();
      System.out.printf("PeerSwarmIT: %d surviving peers, origin %d bytes, peers %d bytes, offload %.2f%%,"
          + " startup median %d ms max %d ms; B uploaded %d bytes%n", PEERS - 1, origin, fromPeers, 100 * offload,
          startups.stream().sorted().toList().get(startups.size() / 2), startups.stream().mapToLong(x -> x).max()
              .orElse(0), metric(bMetrics, "livepeer_broadcaster_p2p_bytes_uploaded_total"));
      for (int i = 1; i < PEERS; i++) {
        cpu(peers.get(i)).ifPresent(c -> System.out.printf("PeerSwarmIT: peer cpu %d ms%n", c.toMillis()));
      }
      assertThat(offload).isGreaterThanOrEqualTo(0.90);
      assertThat(bMetrics).contains("livepeer_broadcaster_p2p_peers{stream=\"live1\"}");
    } finally {
      for (Process p : peers) {
        p.destroyForcibly();
      }
    }
  }

  private static Optional<Duration> cpu(Process p) {
    return p.info().totalCpuDuration();
  }

  private static Process peerProcess(String swarm, Path log) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", 
        "-Xshare:auto", "-Dio.netty.eventLoopThreads=1", "-cp", System.getProperty("java.class.path"),
        PeerMain.class.getName(), "-swarm", swarm, "-httpAddr", "127.0.0.1:0", "-joinTimeout", "90"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private void push(String base, String stream, int seq, byte[] segment) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/live/" + stream + "/" + seq + ".ts"))
        .timeout(Duration.ofSeconds(120)).header("Content-Duration", "2000").header("Content-Resolution", "160x90")
        .POST(HttpRequest.BodyPublishers.ofByteArray(segment)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as("push %d", seq).isEqualTo(200);
  }

  private Optional<byte[]> get(String url) {
    try {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static void await(Duration timeout, java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(200);
    }
  }

  private static long metric(String text, String name) {
    return (long) metricDouble(text, name);
  }

  private static double metricDouble(String text, String name) {
    double sum = 0;
    for (String line : text.lines().toList()) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

}
