package io.jlivepeer.cli;

import io.jlivepeer.media.CapacityBench;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TranscodeBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code livepeer bench} (the reference's livepeer_bench): transcodes an input segment by segment in N
 * concurrent sessions, prints per-segment times and the real-time ratio, and runs the bundled ffmpeg CLI on
 * the same input and ladder for comparison (throughput and PSNR).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmark the transcoder against the bundled FFmpeg CLI on the same input and ladder.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = {"-in", "--in"}, description = "Input video file (H.264). Default: a generated 20 s 1080p30 clip.")
  Path in;

  @Option(names = {"-transcodingOptions", "--transcodingOptions"}, defaultValue = "standard",
      description = "Ladder: 'standard' (720p/480p/360p/240p), profile names or a JSON file. Default: ${DEFAULT-VALUE}")
  String transcodingOptions;

  @Option(names = {"-concurrentSessions", "--concurrentSessions"}, defaultValue = "1",
      description = "Sessions transcoding at once. Default: ${DEFAULT-VALUE}")
  int sessions;

  @Option(names = {"-segLen", "--segLen"}, defaultValue = "2s", description = "Segment length. Default: ${DEFAULT-VALUE}")
  String segLen;

  @Option(names = {"-noCompare", "--noCompare"}, description = "Skip the FFmpeg CLI run and the PSNR comparison.")
  boolean noCompare;

  @Option(names = {"-workDir", "--workDir"}, defaultValue = "bench-work",
      description = "Scratch folder for segments and outputs. Default: ${DEFAULT-VALUE}")
  Path workDir;

  @Option(names = {"-rtmpPublishers", "--rtmpPublishers"}, paramLabel = "N",
      description = "Instead of transcoding: benchmark RTMP ingest with segmenting only, N publishers at ~2 Mbit/s.")
  int rtmpPublishers;

  @Option(names = {"-seconds", "--seconds"}, defaultValue = "20",
      description = "Measurement window of the ingest benchmark. Default: ${DEFAULT-VALUE}")
  int seconds;

  @Option(names = {"-rampStep", "--rampStep"}, paramLabel = "S",
      description = "With -rtmpPublishers N: ramp from S to N publishers, S more per step, measuring each step, until"
          + " something breaks (dropped publisher or a stream below real time).")
  int rampStep;

  @Option(names = {"-capacity", "--capacity"}, paramLabel = "N",
      description = "Instead of one run: ramp 1..N concurrent streams, ours against N ffmpeg program runs, and report"
          + " the node's capacity (aggregate real-time factor) as a ratio of the program's.")
  int capacity;

  @Override
  public Integer call() throws Exception {
    if (rtmpPublishers > 0) {
      Main.setVerbosity(1); // one line per publish start/end would drown the figures
      if (rampStep > 0) {
        IngestBench.ramp(rampStep, rtmpPublishers, seconds, workDir, System.out);
        return 0;
      }
      IngestBench.Result r = IngestBench.run(rtmpPublishers, seconds, workDir, System.out);
      return r.dropped() == 0 && r.minFrames() >= r.expectedFrames() * 95 / 100 ? 0 : 1;
    }
    Path input = in != null ? in : TestSource.clip(workDir, 1920, 1080, 30, 20, 6000);
    double seconds = Durations.parse("segLen", segLen).toMillis() / 1000.0;
    var options = new TranscodeBench.Options(input, Main.profiles(transcodingOptions), sessions, seconds, workDir,
        FfmpegTranscoder.Config.defaults(), !noCompare);
    if (capacity > 0) {
      CapacityBench.Result r = CapacityBench.run(options, capacity, System.out);
      return r.capacityRatio() >= 0.95 ? 0 : 1;
    }
    TranscodeBench.run(options, System.out);
    return 0;
  }
}
