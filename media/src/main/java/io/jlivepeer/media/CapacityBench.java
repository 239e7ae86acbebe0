package io.jlivepeer.media;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Capacity of one node (issue 14, P3): how many live streams of a ladder it transcodes at once, ours (segment by
 * segment, {@link TranscodeBench}'s N concurrent sessions) against the x264 limit of the ffmpeg program (N
 * continuous processes on the same input and ladder) measured in the same run.
 *
 * <p>For each N from 1 to {@code maxStreams}, both run N streams at once over the whole input. Two measures:
 *
 * <ul>
 *   <li><b>capacity</b> (fractional, the headline): the highest aggregate real-time factor over N, i.e. media seconds
 *       transcoded per wall second, all streams together. 1.3 means the node keeps up with 1.3 live streams' worth of
 *       work; on two cores x264 uses both cores for one stream, so this is usually reached at N = 1 or 2.
 *   <li><b>live streams</b> (integer): the largest N at which every stream is live. Ours: the 95th percentile of the
 *       segment transcode times stays at or below the segment duration. The program: each process's media seconds
 *       per wall second is at least 1 (a continuous run has no segment times).
 * </ul>
 *
 * Capacity ratio = ours / the program's; the goal is within 5% (>= 0.95).
 *
 * <p>On a machine shared with other work the wall clock also measures how the scheduler shares the cores, so each
 * step also gives the <b>CPU capacity</b>: the streams' worth the node would sustain with all its cores to itself,
 * cores x media seconds / CPU seconds spent (x264 and FFmpeg run in this process's native threads, and the
 * program reports its own CPU time with {@code -benchmark}).
 */
public final class CapacityBench {
  /** One step of the ramp: N streams at once. */
  public record Step(int streams, double oursThroughput, double oursP95Ratio, double cliThroughput,
      double cliPerStream, double oursCpuCapacity, double cliCpuCapacity) {
    boolean oursLive() {
      return oursP95Ratio <= 1.0;
    }

    boolean cliLive() {
      return cliPerStream >= 1.0;
    }
  }

  /** The ramp and its two measures. */
  public record Result(List<Step> steps) {
    public Result {
      steps = List.copyOf(steps);
    }

    public double oursCapacity() {
      return steps.stream().mapToDouble(Step::oursThroughput).max().orElse(0);
    }

    public double cliCapacity() {
      return steps.stream().mapToDouble(Step::cliThroughput).max().orElse(0);
    }

    public double capacityRatio() {
      return oursCapacity() / cliCapacity();
    }

    public double oursCpuCapacity() {
      return steps.stream().mapToDouble(Step::oursCpuCapacity).max().orElse(0);
    }

    public double cliCpuCapacity() {
      return steps.stream().mapToDouble(Step::cliCpuCapacity).max().orElse(0);
    }

    public int oursLiveStreams() {
      return steps.stream().filter(Step::oursLive).mapToInt(Step::streams).max().orElse(0);
    }

    public int cliLiveStreams() {
      return steps.stream().filter(Step::cliLive).mapToInt(Step::streams).max().orElse(0);
    }
  }

  private CapacityBench() {}

  /**
   * Runs the ramp. {@code base} gives input, ladder, segment length, work dir and tuning; its session count and
   * compare flag are ignored (each step sets its own; PSNR is {@code livepeer bench}'s job, not this one's).
   */
  public static Result run(TranscodeBench.Options base, int maxStreams, PrintStream out) {
    if (maxStreams < 1) {
      throw new IllegalArgumentException("maxStreams must be >= 1");
    }
    List<Step> steps = new ArrayList<>();
    for (int n = 1; n <= maxStreams; n++) {
      var options = new TranscodeBench.Options(base.input(), base.ladder(), n, base.segmentSeconds(),
          base.workDir(), base.config(), false);
      out.printf(Locale.ROOT, "capacity: %d stream(s), ours%n", n);
      TranscodeBench.Result ours = TranscodeBench.run(options, out);
      out.printf(Locale.ROOT, "capacity: %d stream(s), ffmpeg program%n", n);
      double[] cli = TranscodeBench.runCli(options, base.workDir().toAbsolutePath().resolve("cli"));
      double work = ours.mediaSeconds() * n;
      int cores = Runtime.getRuntime().availableProcessors();
      Step step = new Step(n, ours.throughput(), p95(ours.segments()), work / cli[0], ours.mediaSeconds() / cli[0],
          cores * work / ours.cpuSeconds(), cli[1] > 0 ? cores * work / cli[1] : Double.NaN);
      steps.add(step);
      out.printf(Locale.ROOT, "capacity step %d: ours %.3f x real time (p95 segment %.3f of its duration, %.2f s CPU),"
          + " program %.3f x real time (%.3f per stream, %.2f s CPU); CPU capacity ours %.3f, program %.3f%n", n,
          step.oursThroughput(), step.oursP95Ratio(), ours.cpuSeconds(), step.cliThroughput(), step.cliPerStream(),
          cli[1], step.oursCpuCapacity(), step.cliCpuCapacity());
    }
    Result r = new Result(steps);
    out.printf(Locale.ROOT, "capacity: ours %.3f, program %.3f streams' worth (aggregate real-time factor); ratio %.3f"
        + " (goal >= 0.95); live streams ours %d, program %d%n", r.oursCapacity(), r.cliCapacity(),
        r.capacityRatio(), r.oursLiveStreams(), r.cliLiveStreams());
    out.printf(Locale.ROOT, "CPU capacity (all %d cores to itself): ours %.3f, program %.3f; ratio %.3f%n",
        Runtime.getRuntime().availableProcessors(), r.oursCpuCapacity(), r.cliCpuCapacity(),
        r.oursCpuCapacity() / r.cliCpuCapacity());
    out.println("| streams | ours x real time | ours p95 segment / duration | program x real time | program per stream"
        + " | CPU capacity ours / program |");
    out.println("|---:|---:|---:|---:|---:|---|");
    for (Step s : steps) {
      out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %.3f | %.3f / %.3f |%n", s.streams(), s.oursThroughput(),
          s.oursP95Ratio(), s.cliThroughput(), s.cliPerStream(), s.oursCpuCapacity(), s.cliCpuCapacity());
    }
    return r;
  }

  /** Nearest-rank 95th percentile of transcode time / media duration. */
  static double p95(List<TranscodeBench.SegmentTiming> segments) {
    double[] ratios = segments.stream().mapToDouble(TranscodeBench.SegmentTiming::realTimeRatio).sorted().toArray();
    if (ratios.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(0.95 * ratios.length);
    return ratios[Math.max(0, rank - 1)];
  }
}
