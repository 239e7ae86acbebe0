package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.TestMedia;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network as real processes on loopback, each node a {@code java io.jlivepeer.cli.Main} of its own: orchestrator
 * O1 transcodes itself, O2 has two remote transcoders T1 and T2; broadcaster B1 knows O1 and O2, B2 only O2 (so its
 * stream surely goes through the remote transcoders). Test media is published with the bundled ffmpeg in real time
 * ({@code -re}); the HLS playlists are polled over HTTP all along (the live window holds 10 segments) so that every
 * segment of every rendition is seen. The failure cases use signals: SIGKILL (a crash), SIGSTOP/SIGCONT (an
 * orchestrator that answers late). The tests run in order on one network: the kills come last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkProcessesIT {
  static final long SEGMENT_MILLIS = 2_000;
  static final List<String> RENDITIONS = List.of("P144p30fps16x9", "P240p30fps16x9");
  static final Pattern LOG_TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");

  @TempDir static Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Node o1;
  private Node o2;
  private Node t1;
  private Node t2;
  private Node b1;
  private Node b2;
  private String o1Addr;
  private String o2Addr;

  @BeforeAll
  void startNetwork() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    String secret = UUID.randomUUID().toString();
    o1Addr = "127.0.0.1:" + freePort();
    o2Addr = "127.0.0.1:" + freePort();
    try {
      o1 = start("o1", "-orchestrator", "-transcoder", "-serviceAddr", o1Addr, "-orchSecret", secret);
      o2 = start("o2", "-orchestrator", "-serviceAddr", o2Addr, "-orchSecret", secret);
      // the clips are made while the orchestrators start
      TestMedia.source(426, 240, 30, 30, "flv");
      TestMedia.source(426, 240, 30, 16, "flv");
      TestMedia.source(426, 240, 30, 20, "flv");
      await("both orchestrators serving", Duration.ofSeconds(60),
          () -> o1.logged("Orchestrator serving broadcasters at") && o2.logged("Orchestrator serving broadcasters at"));
      t1 = start("t1", "-transcoder", "-orchAddr", o2Addr, "-orchSecret", secret, "-maxSessions", "2");
      t2 = start("t2", "-transcoder", "-orchAddr", o2Addr, "-orchSecret", secret, "-maxSessions", "2");
      b1 = broadcaster("b1", o1Addr + "," + o2Addr);
      b2 = broadcaster("b2", o2Addr);
      await("both remote transcoders registered with O2", Duration.ofSeconds(60),
          () -> o2.count("remote transcoder t\\d+ registered") == 2);
      await("both broadcasters up", Duration.ofSeconds(60), () -> b1.logged("Publish: rtmp://")
          && b2.logged("Publish: rtmp://"));
    } catch (Throwable e) {
      dumpLogs();
      throw e;
    }
  }

  @AfterAll
  void stopNetwork() {
    for (Node n : nodes) {
      n.process.destroy();
    }
    for (Node n : nodes) {
      try {
        if (!n.process.waitFor(10, TimeUnit.SECONDS)) {
          n.process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        n.process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  @Order(1)
  void everySegmentOfEveryRenditionArrivesInOrderOver30Seconds() throws Exception {
    guarded(() -> {
      StreamRun run = stream(b1, "main", 30, progress -> { });
      run.assertComplete();
      assertThat(run.segments).as("30 s of media in 2 s segments").isBetween(14, 16);
      System.out.printf("main: %d segments x %d renditions + source, all in order; served by %s%n", run.segments,
          RENDITIONS.size(), run.servedBy());
    });
  }

  @Test
  @Order(2)
  void killingARemoteTranscoderMidStreamRedispatchesItsWork() throws Exception {
    guarded(() -> {
      Node[] victim = new Node[1];
      int t1Before = t1.lines().size();
      int t2Before = t2.lines().size();
      StreamRun run = stream(b2, "killt", 16, progress -> {
        if (victim[0] == null && progress.renditionSegments() >= 2) {
          if (t1.linesSince(t1Before).stream().anyMatch(l -> l.contains("(stream killt) opened on this transcoder"))) {
            victim[0] = t1;
          } else if (t2.linesSince(t2Before).stream()
              .anyMatch(l -> l.contains("(stream killt) opened on this transcoder"))) {
            victim[0] = t2;
          }
          if (victim[0] != null) {
            victim[0].process.destroyForcibly(); // SIGKILL
          }
        }
      });
      assertThat(victim[0]).as("a remote transcoder was working on the stream and got killed").isNotNull();
      Node survivor = victim[0] == t1 ? t2 : t1;
      int survivorBefore = survivor == t1 ? t1Before : t2Before;
      run.assertComplete();
      assertThat(o2.logged("is gone")).as("O2 noticed the transcoder died").isTrue();
      assertThat(survivor.linesSince(survivorBefore)).as("the other transcoder took the stream over")
          .anyMatch(l -> l.contains("(stream killt) opened on this transcoder"));
      System.out.printf("killt: %s killed mid-stream, %s took over; %d segments, none missing%n", victim[0].name,
          survivor.name, run.segments);
    });
  }

  @Test
  @Order(3)
  void anOrchestratorAnsweringLateLosesTheStream() throws Exception {
    guarded(() -> {
      long freezeMillis = 3 * SEGMENT_MILLIS;
      Node[] frozen = new Node[1];
      long[] frozenAt = new long[1];
      int o1Before = o1.lines().size();
      int o2Before = o2.lines().size();
      int b1Before = b1.lines().size();
      StreamRun run = stream(b1, "slow", 20, progress -> {
        if (frozen[0] == null && progress.renditionSegments() >= 2) {
          frozen[0] = serving(o1, o1Before, o2, o2Before).orElse(null);
          if (frozen[0] != null) {
            signal(frozen[0], "STOP"); // it answers nothing until SIGCONT: a late answer
            frozenAt[0] = System.nanoTime();
          }
        } else if (frozenAt[0] != 0 && System.nanoTime() - frozenAt[0] > freezeMillis * 1_000_000) {
          signal(frozen[0], "CONT");
          frozenAt[0] = 0;
        }
      });
      assertThat(frozen[0]).as("an orchestrator was serving the stream and got frozen").isNotNull();
      if (frozenAt[0] != 0) {
        signal(frozen[0], "CONT");
      }
      String slowAddr = frozen[0] == o1 ? o1Addr : o2Addr;
      String otherAddr = frozen[0] == o1 ? o2Addr : o1Addr;
      List<String> log = b1.linesSince(b1Before);
      assertThat(log).as("B moved the stream from the late orchestrator to the other one")
          .anyMatch(l -> l.contains("stream slow segment") && l.contains("moving from " + slowAddr + " to "
              + otherAddr));
      run.assertComplete();
      String why = log.stream().filter(l -> l.contains("stream slow segment") && l.contains(slowAddr)
              && (l.contains(" took ") || l.contains("failed")))
          .findFirst().map(l -> l.substring(l.indexOf("stream slow segment"))).orElse("(no slow or failed answer logged)");
      System.out.printf("slow: %s frozen %d ms mid-stream; B: %s; moved to %s; %d segments, none missing%n",
          frozen[0].name, freezeMillis, why, otherAddr, run.segments);
    });
  }

  @Test
  @Order(4)
  void killingAnOrchestratorMidStreamLosesNoSegmentAndSwapsWithinASegment() throws Exception {
    guarded(() -> {
      Node[] victim = new Node[1];
      LocalTime[] killedAt = new LocalTime[1];
      int o1Before = o1.lines().size();
      int o2Before = o2.lines().size();
      int b1Before = b1.lines().size();
      StreamRun run = stream(b1, "killo", 16, progress -> {
        if (victim[0] == null && progress.renditionSegments() >= 2) {
          victim[0] = serving(o1, o1Before, o2, o2Before).orElse(null);
          if (victim[0] != null) {
            killedAt[0] = LocalTime.now();
            victim[0].process.destroyForcibly(); // SIGKILL: no goodbye to anyone
          }
        }
      });
      assertThat(victim[0]).as("an orchestrator was serving the stream and got killed").isNotNull();
      String deadAddr = victim[0] == o1 ? o1Addr : o2Addr;
      String otherAddr = victim[0] == o1 ? o2Addr : o1Addr;
      run.assertComplete();
      Pattern move = Pattern.compile("stream killo segment (\\d+): moving from " + Pattern.quote(deadAddr) + " to "
          + Pattern.quote(otherAddr) + " after (\\d+) ms");
      String moved = b1.linesSince(b1Before).stream().filter(l -> move.matcher(l).find()).findFirst()
          .orElseThrow(() -> new AssertionError("B never moved the stream from the killed " + deadAddr));
      Matcher m = move.matcher(moved);
      assertThat(m.find()).isTrue();
      long spentOnDead = Long.parseLong(m.group(2));
      long killToMove = ChronoUnit.MILLIS.between(killedAt[0], logTime(moved));
      System.out.printf("killo: %s killed; B moved segment %s to %s %d ms after the kill (%d ms spent on the dead"
          + " one); %d segments, none missing%n", victim[0].name, m.group(1), otherAddr, killToMove, spentOnDead,
          run.segments);
      // the next segment is cut at most one segment duration after the kill, and fails over at once
      assertThat(killToMove).as("kill -> stream on the other orchestrator, ms").isLessThanOrEqualTo(SEGMENT_MILLIS);
    });
  }

  // ------------------------------------------------------------------------------------------------ streaming

  /** What the playlists showed so far, for a test's mid-stream action. */
  record Progress(int sourceSegments, int renditionSegments) {}

  /** One published stream as B's playlists showed it: per variant, media sequence -> EXTINF duration in ms. */
  final class StreamRun {
    final Node b;
    final String key;
    final int logStart;
    final Map<String, TreeMap<Long, Long>> seen = new LinkedHashMap<>();
    final Map<String, Boolean> ended = new LinkedHashMap<>();
    int segments;

    StreamRun(Node b, String key, int logStart) {
      this.b = b;
      this.key = key;
      this.logStart = logStart;
      for (String v : variants()) {
        seen.put(v, new TreeMap<>());
        ended.put(v, false);
      }
    }

    List<String> variants() {
      List<String> v = new ArrayList<>(RENDITIONS);
      v.add("source");
      return v;
    }

    Progress progress() {
      int renditions = RENDITIONS.stream().mapToInt(r -> seen.get(r).size()).min().orElse(0);
      return new Progress(seen.get("source").size(), renditions);
    }

    void poll() throws Exception {
      for (String v : variants()) {
        HttpResponse<String> r;
        try {
          r = http.send(HttpRequest.newBuilder(URI.create(b.httpBase() + "/stream/" + key + "/" + v + ".m3u8"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
          continue; // a busy machine: the next poll comes in a moment
        }
        if (r.statusCode() != 200) {
          continue;
        }
        long duration = -1;
        long previous = -1;
        for (String line : r.body().split("\n")) {
          if (line.startsWith("#EXTINF:")) {
            String value = line.substring(8, line.indexOf(','));
            duration = Math.round(Double.parseDouble(value) * 1000);
          } else if (line.startsWith("#EXT-X-ENDLIST")) {
            ended.put(v, true);
          } else if (!line.startsWith("#") && !line.isBlank()) {
            long seq = Long.parseLong(line.substring(line.lastIndexOf('/') + 1, line.length() - 3));
            assertThat(seq).as("%s playlist of %s lists segments in order", v, key).isGreaterThan(previous);
            previous = seq;
            Long before = seen.get(v).put(seq, duration);
            assertThat(before == null || before == duration).as("segment %d of %s/%s kept its duration", seq, key, v)
                .isTrue();
          }
        }
      }
    }

    boolean done() {
      OptionalInt cut = cutCount();
      return ended.values().stream().allMatch(e -> e) && cut.isPresent()
          && seen.values().stream().allMatch(s -> s.size() >= cut.getAsInt());
    }

    OptionalInt cutCount() {
      Pattern p = Pattern.compile("stream " + Pattern.quote(key) + ": publish ended .*; (\\d+) segments cut");
      for (String l : b.linesSince(logStart)) {
        Matcher m = p.matcher(l);
        if (m.find()) {
          return OptionalInt.of(Integer.parseInt(m.group(1)));
        }
      }
      return OptionalInt.empty();
    }

    /** Every segment B cut is in every variant, numbered 0..n-1 with no gap, each rendition segment as long as its source. */
    void assertComplete() {
      OptionalInt cut = cutCount();
      assertThat(cut).as("B logged how many segments it cut from %s", key).isPresent();
      segments = cut.getAsInt();
      TreeMap<Long, Long> source = seen.get("source");
      List<Long> all = new ArrayList<>();
      for (long i = 0; i < segments; i++) {
        all.add(i);
      }
      for (String v : variants()) {
        assertThat(seen.get(v).keySet()).as("segments of %s/%s seen in the playlists", key, v)
            .containsExactlyElementsOf(all);
        assertThat(seen.get(v)).as("%s/%s segment durations match the source's, in order", key, v)
            .isEqualTo(source);
      }
      assertThat(b.linesSince(logStart)).as("B neither skipped nor failed a segment of %s", key)
          .noneMatch(l -> l.contains("stream " + key + ":") && l.contains("skipped segment"))
          .noneMatch(l -> l.contains("stream " + key + " segment") && l.contains("transcode failed"));
    }

    String servedBy() {
      return "O1 " + o1.count("transcode session \\w+ opened") + " sessions, O2 "
          + o2.count("transcode session \\w+ opened") + " sessions";
    }
  }

  /**
   * Publishes a {@code seconds}-long clip to {@code b} as stream {@code key} in real time, polling the playlists
   * every 500 ms and calling {@code during} after each poll, until every variant ended and held every segment cut.
   */
  private StreamRun stream(Node b, String key, int seconds, ThrowingConsumer<Progress> during) throws Exception {
    Path clip = TestMedia.source(426, 240, 30, seconds, "flv");
    StreamRun run = new StreamRun(b, key, b.lines().size());
    Path log = dir.resolve("publisher-" + key + ".log");
    Process publisher = FfmpegBinaries.processBuilder(FfmpegBinaries.ffmpeg(), List.of("-hide_banner", "-loglevel",
            "warning", "-re", "-i", clip.toString(), "-c", "copy", "-f", "flv", b.rtmpUrl(key)))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 45L);
      while (!run.done()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("stream " + key + " did not complete: seen " + run.seen.values().stream()
              .map(s -> s.keySet().toString()).toList() + ", ended " + run.ended + ", cut " + run.cutCount()
              + "; publisher: " + Files.readString(log));
        }
        run.poll();
        during.accept(run.progress());
        Thread.sleep(500);
      }
    } finally {
      publisher.destroy();
      if (!publisher.waitFor(5, TimeUnit.SECONDS)) {
        publisher.destroyForcibly();
      }
    }
    return run;
  }

  @FunctionalInterface
  interface ThrowingConsumer<T> {
    void accept(T value) throws Exception;
  }

  /** Which orchestrator opened a transcode session since the given log lines. */
  private static Optional<Node> serving(Node a, int aBefore, Node b, int bBefore) {
    if (a.linesSince(aBefore).stream().anyMatch(l -> l.contains("transcode session") && l.contains("opened"))) {
      return Optional.of(a);
    }
    if (b.linesSince(bBefore).stream().anyMatch(l -> l.contains("transcode session") && l.contains("opened"))) {
      return Optional.of(b);
    }
    return Optional.empty();
  }

  private static void signal(Node n, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(n.process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s %s", signal, n.name).isTrue();
  }

  static LocalTime logTime(String line) {
    Matcher m = LOG_TIME.matcher(line);
    if (!m.find()) {
      throw new AssertionError("log line without a time: " + line);
    }
    return LocalTime.parse(m.group(1));
  }

  // ------------------------------------------------------------------------------------------------ processes

  /** One node process: its output (stdout and stderr) goes to a file that the test reads. */
  static final class Node {
    final String name;
    final Process process;
    final Path log;
    final String[] args;

    Node(String name, Process process, Path log, String[] args) {
      this.name = name;
      this.process = process;
      this.log = log;
      this.args = args;
    }

    List<String> lines() {
      try {
        // decoded leniently: a line being written may end in half a character
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    List<String> linesSince(int from) {
      List<String> all = lines();
      return from >= all.size() ? List.of() : all.subList(from, all.size());
    }

    boolean logged(String text) {
      return lines().stream().anyMatch(l -> l.contains(text));
    }

    int count(String regex) {
      Pattern p = Pattern.compile(regex);
      return (int) lines().stream().filter(l -> p.matcher(l).find()).count();
    }

    String arg(String flag) {
      for (int i = 0; i < args.length - 1; i++) {
        if (args[i].equals(flag)) {
          return args[i + 1];
        }
      }
      throw new IllegalStateException(name + " has no " + flag);
    }

    String httpBase() {
      return "http://" + arg("-httpAddr");
    }

    String rtmpUrl(String key) {
      return "rtmp://" + arg("-rtmpAddr") + "/live/" + key;
    }

    String tail(int n) {
      List<String> all = lines();
      return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }
  }

  private Node broadcaster(String name, String orchAddrs) throws IOException {
    return start(name, "-broadcaster", "-orchAddr", orchAddrs, "-rtmpAddr", "127.0.0.1:" + freePort(), "-httpAddr",
        "127.0.0.1:" + freePort(), "-transcodingOptions", String.join(",", RENDITIONS));
  }

  private Node start(String name, String... flags) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow"); // as the root pom's jdk23+ profile does for test JVMs
    }
    // a 2-core machine runs six of these: small heaps, one GC thread, C1 only (little time spent compiling)
    cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    List<String> args = new ArrayList<>(List.of(flags));
    args.addAll(List.of("-dataDir", dir.resolve(name).toString()));
    cmd.addAll(args);
    Path log = dir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Node n = new Node(name, p, log, args.toArray(String[]::new));
    nodes.add(n);
    return n;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      for (Node n : nodes) {
        if (!n.process.isAlive() && n.process.exitValue() != 137) {
          throw new AssertionError(n.name + " exited with " + n.process.exitValue() + " while waiting for " + what);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /** Runs a test body; on failure prints the end of every process's log first. */
  private void guarded(Body body) throws Exception {
    try {
      body.run();
    } catch (Exception | AssertionError e) {
      dumpLogs();
      throw e;
    }
  }

  private void dumpLogs() {
    for (Node n : nodes) {
      System.err.println("----- " + n.name + " (" + (n.process.isAlive() ? "running" : "exited "
          + n.process.exitValue()) + "), last lines of " + n.log + " -----\n" + n.tail(40));
    }
  }
}
