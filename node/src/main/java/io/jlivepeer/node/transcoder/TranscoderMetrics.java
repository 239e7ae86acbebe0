package io.jlivepeer.node.transcoder;

import io.jlivepeer.node.LatencyHistogram;
import io.jlivepeer.node.PromText;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * T's figures for {@code GET /metrics}: tasks from O and the three phases of each (input download from O, transcode,
 * results post to O), so the B->O->T->O->B overhead can be split by phase.
 */
final class TranscoderMetrics {
  final LongAdder tasks = new LongAdder();
  final LongAdder transcoded = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder mediaMillis = new LongAdder();
  final LongAdder transcodeNanosSum = new LongAdder();
  final LatencyHistogram transcode = new LatencyHistogram();
  final LatencyHistogram download = new LatencyHistogram();
  final LatencyHistogram post = new LatencyHistogram();
  private final IntSupplier sessions;
  private final int capacity;
  private final IntSupplier connected;

  TranscoderMetrics(IntSupplier sessions, int capacity, IntSupplier connected) {
    this.sessions = sessions;
    this.capacity = capacity;
    this.connected = connected;
  }

  void transcoded(long mediaMs, long nanos) {
    transcoded.increment();
    mediaMillis.add(mediaMs);
    transcodeNanosSum.add(nanos);
    transcode.observeNanos(nanos);
  }

  String render() {
    long media = mediaMillis.sum();
    return new PromText()
        .counter("livepeer_transcoder_tasks_total", "Segments the orchestrator sent (NotifySegment).", tasks.sum())
        .counter("livepeer_transcoder_segments_transcoded_total", "Segments transcoded successfully.",
            transcoded.sum())
        .counter("livepeer_transcoder_segments_failed_total",
            "Segments that failed (download, transcode or post); failures are reported to O when possible.",
            failed.sum())
        .histogram("livepeer_transcoder_transcode_seconds", "Time transcoding a segment.", transcode)
        .histogram("livepeer_transcoder_download_seconds", "Time downloading a segment's input from O.", download)
        .histogram("livepeer_transcoder_post_seconds", "Time posting a segment's renditions to O.", post)
        .gauge("livepeer_transcoder_real_time_ratio",
            "Transcode time / media duration over all transcoded segments (below 1 keeps up with live).",
            media == 0 ? 0 : transcodeNanosSum.sum() / 1e6 / media)
        .gauge("livepeer_transcoder_sessions", "Stream sessions open on this transcoder.", sessions.getAsInt())
        .gauge("livepeer_transcoder_capacity", "Sessions offered to the orchestrator (-maxSessions).", capacity)
        .gauge("livepeer_transcoder_connected", "1 while registered with the orchestrator.", connected.getAsInt())
        .toString();
  }
}
