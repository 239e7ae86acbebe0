package io.jlivepeer.node.orchestrator;

import io.jlivepeer.node.Counters;
import io.jlivepeer.node.LatencyHistogram;
import io.jlivepeer.node.PromText;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** Counters behind O's Prometheus-style {@code GET /metrics} (text exposition format 0.0.4). */
final class OrchestratorMetrics {
  final LongAdder segmentsReceived = new LongAdder();
  final LongAdder segmentsTranscoded = new LongAdder();
  final LongAdder segmentsFailed = new LongAdder();
  final LongAdder segmentsRejected = new LongAdder();
  final LongAdder segmentsBusy = new LongAdder();
  final LatencyHistogram transcodeLatency = new LatencyHistogram();
  final LongAdder sessionsCapped = new LongAdder();
  final LongAdder uploadNanos = new LongAdder();
  final LongAdder uploads = new LongAdder();
  final LongAdder handlingNanos = new LongAdder();
  final LongAdder handled = new LongAdder();
  private final IntSupplier sessions;
  private final int maxSessions;
  private final LongSupplier storedBytes;
  private volatile java.util.function.Supplier<long[]> remoteTranscoders = () -> new long[3];

  OrchestratorMetrics(IntSupplier sessions, int maxSessions, LongSupplier storedBytes) {
    this.sessions = sessions;
    this.maxSessions = maxSessions;
    this.storedBytes = storedBytes;
  }

  void transcoded(long nanos) {
    segmentsTranscoded.increment();
    transcodeLatency.observeNanos(nanos);
  }

  /** A segment body arrived: from its request head to its last byte. */
  void uploaded(long nanos) {
    uploads.increment();
    uploadNanos.add(nanos);
  }

  /** A segment was answered: from its last body byte to the answer (checks, queue wait, transcode, signing). */
  void answered(long nanos) {
    handled.increment();
    handlingNanos.add(nanos);
  }

  /** Where the remote transcoder gauges come from: {count, total capacity, total load}. */
  void remoteTranscoders(java.util.function.Supplier<long[]> totals) {
    this.remoteTranscoders = totals;
  }

  String render() {
    PromText out = new PromText();
    out.counter("livepeer_orchestrator_segments_received_total", "Segments posted to /segment.",
            segmentsReceived.sum())
        .counter("livepeer_orchestrator_segments_transcoded_total", "Segments transcoded successfully.",
            segmentsTranscoded.sum())
        .counter("livepeer_orchestrator_segments_failed_total", "Segments whose transcode failed.",
            segmentsFailed.sum())
        .counter("livepeer_orchestrator_segments_rejected_total",
            "Segments refused with a 4xx status (credentials, hash, size, capacity).", segmentsRejected.sum())
        .counter("livepeer_orchestrator_segments_busy_total", "Segments answered OrchestratorBusy.",
            segmentsBusy.sum())
        .counter("livepeer_orchestrator_sessions_capped_total", "New sessions refused with OrchestratorCapped.",
            sessionsCapped.sum())
        .histogram("livepeer_orchestrator_transcode_seconds",
            "Time spent transcoding a segment (locally or on a remote transcoder, including its transfers).",
            transcodeLatency)
        .summary("livepeer_orchestrator_segment_upload_seconds",
            "Time from a segment request's head to its last body byte.", uploadNanos.sum() / 1e9, uploads.sum())
        .summary("livepeer_orchestrator_segment_handling_seconds",
            "Time from a segment's last body byte to O's answer (checks, queue, transcode, signing).",
            handlingNanos.sum() / 1e9, handled.sum())
        .gauge("livepeer_orchestrator_sessions", "Open transcode sessions.", sessions.getAsInt())
        .gauge("livepeer_orchestrator_max_sessions", "Session limit (-maxSessions).", maxSessions)
        .gauge("livepeer_orchestrator_stored_rendition_bytes", "Rendition bytes held for download.",
            storedBytes.getAsLong());
    long[] remote = remoteTranscoders.get();
    out.gauge("livepeer_orchestrator_remote_transcoders", "Remote transcoders registered.", remote[0])
        .gauge("livepeer_orchestrator_remote_transcoder_capacity",
            "Sessions the registered remote transcoders offer in all.", remote[1])
        .gauge("livepeer_orchestrator_remote_transcoder_load",
            "Stream sessions assigned to remote transcoders now.", remote[2])
        .gauge("livepeer_orchestrator_remote_transcoder_load_ratio",
            "Load / capacity over the registered remote transcoders (0 when none).",
            remote[1] == 0 ? 0 : (double) remote[2] / remote[1]);
    return out.toString();
  }
}
