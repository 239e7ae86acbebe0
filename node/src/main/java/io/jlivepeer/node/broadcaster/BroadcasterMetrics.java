package io.jlivepeer.node.broadcaster;

import io.jlivepeer.node.Counters;
import io.jlivepeer.node.NodeStats;
import io.jlivepeer.node.PromText;
import java.util.Optional;

/** B's {@code GET /metrics} (Prometheus text 0.0.4): stream counters, plus the network figures in remote mode. */
final class BroadcasterMetrics {
  private final Counters counters;
  private final Optional<RemoteTranscoder> remote;

  BroadcasterMetrics(Counters counters, Optional<RemoteTranscoder> remote) {
    this.counters = counters;
    this.remote = remote;
  }

  String render() {
    NodeStats s = counters.snapshot();
    PromText out = new PromText()
        .counter("livepeer_broadcaster_segments_emerged_total", "Source segments cut from RTMP or pushed over HTTP.",
            s.segmentsIn())
        .counter("livepeer_broadcaster_segments_transcoded_total", "Segments with every rendition back.",
            s.segmentsOut())
        .counter("livepeer_broadcaster_segments_failed_total", "Segments whose transcode failed.",
            s.segmentsFailed())
        .counter("livepeer_broadcaster_segments_dropped_total",
            "Segments skipped because transcoding fell behind real time.", s.segmentsDropped())
        .histogram("livepeer_broadcaster_transcode_seconds",
            "Per transcoded segment: the transcode call (with orchestrators: the whole round trip, retries included).",
            counters.transcodeLatency)
        .gauge("livepeer_broadcaster_real_time_ratio",
            "Transcode time / media duration over all transcoded segments (below 1 keeps up with live).",
            s.realTimeRatio())
        .gauge("livepeer_broadcaster_live_streams", "Streams with a publisher now.", s.liveStreams());
    remote.ifPresent(r -> {
      OrchestratorPool.Counts pool = r.pool().counts();
      out.histogram("livepeer_broadcaster_round_trip_seconds",
              "Per successful attempt: segment POST to O through the last rendition downloaded and verified.",
              r.roundTrips)
          .histogram("livepeer_broadcaster_rendition_download_seconds",
              "Per successful attempt: O's answer to the last rendition downloaded.", r.renditionDownloads)
          .counter("livepeer_broadcaster_segment_requests_total", "Segment POSTs to orchestrators (every attempt).",
              r.segmentRequests())
          .counter("livepeer_broadcaster_orchestrator_swaps_total", "Times a stream moved to another orchestrator.",
              r.swaps())
          .gauge("livepeer_broadcaster_orchestrators", "Orchestrators in the pool (-orchAddr and webhook).",
              pool.total())
          .gauge("livepeer_broadcaster_orchestrators_trusted", "Trusted orchestrators in the pool.", pool.trusted())
          .gauge("livepeer_broadcaster_orchestrators_suspended",
              "Orchestrators suspended after failures (used only when no other is left) or for good after a failed"
                  + " verification.", pool.suspended())
          // the reference node's names for its verification counters
          .counter("livepeer_fast_verification_done", "Sampled segments whose renditions were verified.",
              r.verification().verified())
          .counter("livepeer_fast_verification_failed", "Verified segments whose renditions failed (tampered).",
              r.verification().failedVerifications())
          .histogram("livepeer_broadcaster_verification_seconds",
              "Per verified segment: decoding and comparing the renditions (the trusted re-transcode included).",
              r.verification().cost);
    });
    return out.toString();
  }
}
