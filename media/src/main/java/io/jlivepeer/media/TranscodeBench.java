package io.jlivepeer.media;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark of {@link FfmpegTranscoder} against the bundled ffmpeg program (used by {@code livepeer bench}).
 *
 * <ol>
 *   <li>Cuts the input into MPEG-TS segments (stream copy, not timed).
 *   <li>Transcodes them segment by segment in N concurrent sessions (one platform thread each, every session
 *       transcoding the whole input), printing each segment's transcode time and real-time duration ratio
 *       (transcode time / media duration), then totals.
 *   <li>Runs the ffmpeg program on the same input and ladder in one continuous run per session (N processes at
 *       once): {@code split} + {@code scale} (bicubic) + {@code fps} per rendition, libx264 with the same preset and
 *       capped rate control, keyframes forced where the source has them (where our segments start), audio copied.
 *       Throughput ratio = our media seconds per wall second / the program's.
 *   <li>PSNR (ffmpeg's psnr filter) of our renditions (session 0's segments joined) and of the program's, both
 *       against the source scaled to the rendition size, and their difference in dB.
 * </ol>
 *
 * Run: {@code java -cp <media classpath> io.jlivepeer.media.TranscodeBench <input> [sessions] [segmentSeconds]
 * [ladder]}; ladder is a {@code -transcodingOptions} value or {@code standard} (the default).
 */
public final class TranscodeBench {
  private static final Pattern PSNR = Pattern.compile("\\[psnr@r(\\d+) @ [^\\]]+\\] PSNR .*average:(inf|[0-9.]+)");

  /**
   * @param input source media file (anything the ffmpeg program reads, with H.264 video)
   * @param ladder profiles to transcode to
   * @param sessions concurrent sessions
   * @param segmentSeconds target segment duration (cut at keyframes)
   * @param workDir scratch directory (segments, outputs)
   * @param config transcoder tuning
   * @param compare run the ffmpeg program comparison and PSNR
   */
  public record Options(Path input, List<VideoProfile> ladder, int sessions, double segmentSeconds, Path workDir,
      FfmpegTranscoder.Config config, boolean compare) {
    public Options {
      Objects.requireNonNull(input, "input");
      ladder = List.copyOf(ladder);
      if (sessions < 1 || segmentSeconds <= 0 || ladder.isEmpty()) {
        throw new IllegalArgumentException("need sessions >= 1, segmentSeconds > 0 and a non-empty ladder");
      }
    }

    public static Options of(Path input, List<VideoProfile> ladder, int sessions, double segmentSeconds) {
      return new Options(input, ladder, sessions, segmentSeconds, Path.of("target", "transcode-bench"),
          FfmpegTranscoder.Config.defaults(), true);
    }
  }

  /** One transcoded segment. */
  public record SegmentTiming(int session, long seq, double mediaSeconds, double transcodeSeconds) {
    public double realTimeRatio() {
      return transcodeSeconds / mediaSeconds;
    }
  }

  /** PSNR (dB, luma+chroma average as ffmpeg reports it) of one rendition, ours and the ffmpeg program's. */
  public record Quality(String rendition, double oursDb, double cliDb) {
    public double differenceDb() {
      return oursDb - cliDb;
    }
  }

  /**
   * @param segments every segment's timing, all sessions
   * @param mediaSeconds media duration of the input (one session's worth)
   * @param wallSeconds wall time of our transcoding (all sessions)
   * @param cliWallSeconds wall time of the ffmpeg program runs, 0 when not compared
   * @param quality per rendition PSNR, empty when not compared
   * @param cpuSeconds CPU time (user + system, all threads) this JVM spent during our transcoding
   * @param cliCpuSeconds CPU time the ffmpeg program runs reported ({@code -benchmark}), 0 when not compared
   */
  public record Result(List<SegmentTiming> segments, double mediaSeconds, int sessions, double wallSeconds,
      double cliWallSeconds, List<Quality> quality, double cpuSeconds, double cliCpuSeconds) {
    public Result {
      segments = List.copyOf(segments);
      quality = List.copyOf(quality);
    }

    /** Transcode time / media duration over all segments (the spec's real-time duration ratio, averaged). */
    public double realTimeRatio() {
      double t = segments.stream().mapToDouble(SegmentTiming::transcodeSeconds).sum();
      double m = segments.stream().mapToDouble(SegmentTiming::mediaSeconds).sum();
      return t / m;
    }

    /** Media seconds transcoded per wall second, all sessions together. */
    public double throughput() {
      return mediaSeconds * sessions / wallSeconds;
    }

    /** Our throughput / the ffmpeg program's (> 1: we are faster); NaN when not compared. */
    public double throughputRatio() {
      return cliWallSeconds > 0 ? throughput() / (mediaSeconds * sessions / cliWallSeconds) : Double.NaN;
    }

    /**
     * The program's CPU time / ours for the same work (> 1: we need less CPU). On a machine shared with other
     * work this is the steadier figure: wall time there also measures how the scheduler shares the cores.
     */
    public double cpuEfficiencyRatio() {
      return cliCpuSeconds > 0 ? cliCpuSeconds / cpuSeconds : Double.NaN;
    }
  }

  private TranscodeBench() {}

  public static Result run(Options o, PrintStream out) {
    Path work = o.workDir().toAbsolutePath();
    List<Segment> segments = FfmpegCli.cut(o.input(), o.segmentSeconds(), work.resolve("segments"), "bench");
    if (segments.isEmpty()) {
      throw new MediaException("cutting " + o.input() + " gave no segments");
    }
    double media = segments.stream().mapToLong(Segment::durationMillis).sum() / 1000.0;
    out.printf(Locale.ROOT, "input %s: %d segments, %.2f s; ladder %s; %d session(s)%n", o.input(), segments.size(),
        media, o.ladder().stream().map(VideoProfile::name).toList(), o.sessions());

    FfmpegTranscoder transcoder = new FfmpegTranscoder(o.config());
    // untimed warm-up on one segment: a node is a long-running process, so the JIT and first-touch costs of a
    // fresh JVM are not part of what a segment costs
    try (var warm = transcoder.open("bench-warmup", o.ladder())) {
      warm.transcode(segments.get(0));
    }
    List<List<List<byte[]>>> outputs = Collections.synchronizedList(new ArrayList<>());
    List<SegmentTiming> timings = Collections.synchronizedList(new ArrayList<>());
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(o.sessions())) {
      List<Future<?>> futures = new ArrayList<>();
      for (int s = 0; s < o.sessions(); s++) {
        int session = s;
        futures.add(pool.submit(() -> {
          List<List<byte[]>> mine = new ArrayList<>();
          try (var ts = transcoder.open("bench-" + session, o.ladder())) {
            for (Segment segment : segments) {
              long t0 = System.nanoTime();
              TranscodeResult r = ts.transcode(segment);
              SegmentTiming timing = new SegmentTiming(session, segment.seq(), segment.durationMillis() / 1000.0,
                  (System.nanoTime() - t0) / 1e9);
              timings.add(timing);
              out.printf(Locale.ROOT, "session %d segment %d: %.3f s for %.3f s of media, ratio %.3f%n", session,
                  segment.seq(), timing.transcodeSeconds(), timing.mediaSeconds(), timing.realTimeRatio());
              if (session == 0) {
                mine.add(r.renditions().stream().map(Rendition::data).toList());
              }
            }
          }
          if (session == 0) {
            outputs.add(mine);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("benchmark interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof MediaException me ? me : new MediaException("benchmark failed: " + e.getCause(), e);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    double cpu = (processCpuNanos() - cpuStart) / 1e9;
    List<SegmentTiming> sorted = timings.stream()
        .sorted((a, b) -> a.session() != b.session() ? Integer.compare(a.session(), b.session())
            : Long.compare(a.seq(), b.seq())).toList();
    Result partial = new Result(sorted, media, o.sessions(), wall, 0, List.of(), cpu, 0);
    out.printf(Locale.ROOT, "ours: %.3f s wall, %.3f s CPU for %d x %.2f s of media: throughput %.3f x real time, "
        + "real-time duration ratio %.3f%n", wall, cpu, o.sessions(), media, partial.throughput(),
        partial.realTimeRatio());
    if (!o.compare()) {
      return partial;
    }

    List<Path> ours = writeJoined(work.resolve("ours"), o.ladder(), outputs.get(0));
    double[] cliCost = runCli(o, work.resolve("cli"));
    double cliWall = cliCost[0];
    List<Path> cli = new ArrayList<>();
    for (int i = 0; i < o.ladder().size(); i++) {
      cli.add(work.resolve("cli").resolve("s0-r" + i + ".ts"));
    }
    Result withCli = new Result(sorted, media, o.sessions(), wall, cliWall, List.of(), cpu, cliCost[1]);
    out.printf(Locale.ROOT, "ffmpeg program: %.3f s wall, %.3f s CPU; throughput ratio ours/program %.3f, "
        + "CPU efficiency ratio program/ours %.3f%n", cliWall, cliCost[1], withCli.throughputRatio(),
        withCli.cpuEfficiencyRatio());

    List<int[]> sizes = new ArrayList<>();
    int[] source = probeSize(o.input());
    for (VideoProfile p : o.ladder()) {
      sizes.add(RenditionEncoder.fit(source[0], source[1], p.width(), p.height()));
    }
    double[] oursPsnr = psnr(o.input(), ours, sizes);
    double[] cliPsnr = psnr(o.input(), cli, sizes);
    List<Quality> quality = new ArrayList<>();
    for (int i = 0; i < o.ladder().size(); i++) {
      Quality q = new Quality(o.ladder().get(i).name(), oursPsnr[i], cliPsnr[i]);
      quality.add(q);
      out.printf(Locale.ROOT, "PSNR %s: ours %.3f dB, program %.3f dB, difference %+.3f dB%n", q.rendition(),
          q.oursDb(), q.cliDb(), q.differenceDb());
    }
    return new Result(sorted, media, o.sessions(), wall, cliWall, quality, cpu, cliCost[1]);
  }

  private static List<Path> writeJoined(Path dir, List<VideoProfile> ladder, List<List<byte[]>> segments) {
    try {
      Files.createDirectories(dir);
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < ladder.size(); i++) {
        Path f = dir.resolve("r" + i + ".ts");
        try (var os = Files.newOutputStream(f)) {
          for (List<byte[]> segment : segments) {
            os.write(segment.get(i)); // TS segments concatenate into one playable stream
          }
        }
        files.add(f);
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  private static final Pattern BENCH = Pattern.compile("bench: utime=([0-9.]+)s stime=([0-9.]+)s");

  /** The comparable ffmpeg program run(s); returns {wall seconds of all together, CPU seconds summed}. */
  static double[] runCli(Options o, Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] source = probeSize(o.input());
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(o.sessions())) {
      List<Future<String>> futures = new ArrayList<>();
      for (int s = 0; s < o.sessions(); s++) {
        List<String> args = cliArgs(o, source, dir, "s" + s);
        futures.add(pool.submit(() -> FfmpegCli.ffmpeg(args, 3600)));
      }
      double cpu = 0;
      for (Future<String> f : futures) {
        Matcher m = BENCH.matcher(f.get());
        if (m.find()) {
          cpu += Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2));
        }
      }
      return new double[] {(System.nanoTime() - start) / 1e9, cpu};
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("benchmark interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof MediaException me ? me : new MediaException("ffmpeg program failed", e);
    }
  }

  static List<String> cliArgs(Options o, int[] source, Path dir, String prefix) {
    int n = o.ladder().size();
    StringBuilder graph = new StringBuilder("[0:v]split=" + n);
    for (int i = 0; i < n; i++) {
      graph.append("[v").append(i).append(']');
    }
    for (int i = 0; i < n; i++) {
      VideoProfile p = o.ladder().get(i);
      int[] size = RenditionEncoder.fit(source[0], source[1], p.width(), p.height());
      graph.append(";[v").append(i).append("]scale=").append(size[0]).append(':').append(size[1])
          .append(":flags=bicubic");
      if (p.fps() > 0) {
        graph.append(",fps=").append(p.fps()).append('/').append(p.fpsDen());
      }
      graph.append("[o").append(i).append(']');
    }
    List<String> args = new ArrayList<>(List.of("-hide_banner", "-loglevel", "info", "-nostats", "-benchmark", "-y", "-i",
        o.input().toString(), "-filter_complex", graph.toString()));
    for (int i = 0; i < n; i++) {
      VideoProfile p = o.ladder().get(i);
      String rate = Integer.toString(p.bitrateBps());
      args.addAll(List.of("-map", "[o" + i + "]", "-map", "0:a?", "-c:v", "libx264", "-preset",
          o.config().x264Preset(), "-b:v", rate, "-minrate", rate, "-maxrate", rate, "-bufsize", rate,
          "-force_key_frames", "source", "-c:a", "copy", "-f", "mpegts",
          dir.resolve(prefix + "-r" + i + ".ts").toString()));
    }
    return args;
  }

  private static int[] probeSize(Path input) {
    String s = FfmpegCli.ffprobe(List.of("-v", "error", "-select_streams", "v:0", "-show_entries",
        "stream=width,height", "-of", "csv=p=0", input.toString()), 60).strip();
    String[] f = s.split("\\R")[0].split(","); // MPEG-TS lists the stream again under its program
    try {
      return new int[] {Integer.parseInt(f[0].strip()), Integer.parseInt(f[1].strip())};
    } catch (RuntimeException e) {
      throw new MediaException("could not read the video size of " + input + ": " + s, e);
    }
  }

  /** PSNR of each rendition file against the source scaled (bicubic) to its size, one ffmpeg run for all. */
  static double[] psnr(Path source, List<Path> renditions, List<int[]> sizes) {
    int n = renditions.size();
    List<String> args = new ArrayList<>(List.of("-hide_banner", "-nostats", "-loglevel", "info", "-i",
        source.toString()));
    for (Path r : renditions) {
      args.addAll(List.of("-i", r.toString()));
    }
    StringBuilder graph = new StringBuilder("[0:v]setpts=PTS-STARTPTS,split=" + n);
    for (int i = 0; i < n; i++) {
      graph.append("[s").append(i).append(']');
    }
    for (int i = 0; i < n; i++) {
      graph.append(";[s").append(i).append("]scale=").append(sizes.get(i)[0]).append(':').append(sizes.get(i)[1])
          .append(":flags=bicubic[ref").append(i).append("];[").append(i + 1).append(":v]setpts=PTS-STARTPTS[d")
          .append(i).append("];[d").append(i).append("][ref").append(i).append("]psnr@r").append(i).append("[q")
          .append(i).append(']');
    }
    args.addAll(List.of("-filter_complex", graph.toString()));
    for (int i = 0; i < n; i++) {
      args.addAll(List.of("-map", "[q" + i + "]", "-f", "null", "-"));
    }
    String log = FfmpegCli.ffmpeg(args, 3600);
    double[] out = new double[n];
    java.util.Arrays.fill(out, Double.NaN);
    Matcher m = PSNR.matcher(log);
    while (m.find()) {
      int i = Integer.parseInt(m.group(1));
      out[i] = m.group(2).equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
    }
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(out[i])) {
        throw new MediaException("ffmpeg printed no PSNR for " + renditions.get(i) + ":\n" + log);
      }
    }
    return out;
  }

  /** {@code TranscodeBench <input> [sessions] [segmentSeconds] [ladder: standard | -transcodingOptions value]}. */
  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: TranscodeBench <input> [sessions=1] [segmentSeconds=2] [ladder=standard]");
      System.exit(2);
    }
    int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 2;
    List<VideoProfile> ladder = args.length > 3 && !args[3].equals("standard") ? VideoProfiles.parse(args[3])
        : VideoProfiles.standardLadder();
    // A/B switches: -Dbench.compare=false (ours only), -Dbench.preopen=false, -Dbench.carryQp=false,
    // -Dbench.threads=dec,enc,scale
    var config = FfmpegTranscoder.Config.defaults()
        .withPreopenEncoders(Boolean.parseBoolean(System.getProperty("bench.preopen", "true")))
        .withCarryQp(Boolean.parseBoolean(System.getProperty("bench.carryQp", "true")));
    String threads = System.getProperty("bench.threads");
    if (threads != null) {
      String[] t = threads.split(",");
      config = config.withThreads(Integer.parseInt(t[0]), Integer.parseInt(t[1]), Integer.parseInt(t[2]));
    }
    var options = new Options(Path.of(args[0]), ladder, sessions, seconds, Path.of("target", "transcode-bench"),
        config, Boolean.parseBoolean(System.getProperty("bench.compare", "true")));
    Result r = run(options, System.out);
    System.out.printf(Locale.ROOT, "throughput ratio %.3f, real-time ratio %.3f%n", r.throughputRatio(),
        r.realTimeRatio());
  }
}
