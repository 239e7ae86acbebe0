package io.jlivepeer.node;

import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's transcode queue. Segments are transcoded one at a time, in order, on a virtual thread that
 * lives while the queue is non-empty; the stream's transcode session (decoder and encoders) is kept across
 * segments and reopened after a discontinuity. When live segments pile up beyond the configured depth the
 * oldest waiting one is dropped (its source stays playable) so output stays near the live edge.
 */
final class LiveStream {
  private static final Logger log = LoggerFactory.getLogger(LiveStream.class);

  private record Job(Segment segment, boolean discontinuity, boolean droppable, CompletableFuture<TranscodeResult> done) {}

  private final String manifestId;
  private final Transcoder transcoder;
  private final List<VideoProfile> profiles;
  private final SegmentOutput output;
  private final Counters counters;
  private final int maxQueued;

  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private boolean workerRunning;
  private boolean closeRequested;
  // Owned by the worker thread (only touched inside drain()).
  private Optional<Transcoder.TranscodeSession> session = Optional.empty();

  LiveStream(String manifestId, Transcoder transcoder, List<VideoProfile> profiles, SegmentOutput output,
      Counters counters, int maxQueued) {
    this.manifestId = manifestId;
    this.transcoder = transcoder;
    this.profiles = List.copyOf(profiles);
    this.output = output;
    this.counters = counters;
    this.maxQueued = maxQueued;
  }

  String manifestId() {
    return manifestId;
  }

  /**
   * Queues a segment for transcoding. Live (droppable) segments may be dropped when the queue is full;
   * pushed segments wait their turn because their sender waits for the answer.
   */
  CompletableFuture<TranscodeResult> submit(Segment segment, boolean discontinuity, boolean droppable) {
    counters.segmentIn();
    output.sourceSegment(segment, discontinuity);
    Job job = new Job(segment, discontinuity, droppable, new CompletableFuture<>());
    Optional<Job> dropped = Optional.empty();
    synchronized (this) {
      if (droppable && queue.size() >= maxQueued) {
        dropped = removeOldestDroppable();
      }
      queue.add(job);
      if (!workerRunning) {
        workerRunning = true;
        Thread.ofVirtual().name("transcode-" + manifestId).start(this::drain);
      }
    }
    dropped.ifPresent(d -> {
      counters.segmentDropped();
      log.warn("stream {}: transcoding is slower than real time, skipped segment {} (its source stays playable);"
          + " lower the ladder or -maxSessions, or add hardware", manifestId, d.segment().seq());
      d.done().completeExceptionally(new NodeException("segment skipped: transcoding behind real time"));
    });
    return job.done();
  }

  /** After the last segment: finish the queue, then release the transcode session. */
  void close() {
    synchronized (this) {
      closeRequested = true;
      if (!workerRunning) {
        workerRunning = true;
        Thread.ofVirtual().name("transcode-" + manifestId).start(this::drain);
      }
    }
  }

  /** True while segments wait or are being transcoded. */
  synchronized boolean busy() {
    return workerRunning;
  }

  private Optional<Job> removeOldestDroppable() {
    for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
      Job j = it.next();
      if (j.droppable()) {
        it.remove();
        return Optional.of(j);
      }
    }
    return Optional.empty();
  }

  private void drain() {
    while (true) {
      Job job;
      synchronized (this) {
        job = queue.poll();
        if (job == null) {
          if (closeRequested) {
            closeRequested = false;
            closeSession();
          }
          workerRunning = false;
          return;
        }
      }
      run(job);
    }
  }

  private void run(Job job) {
    Segment segment = job.segment();
    if (job.discontinuity()) {
      closeSession(); // timestamps restart: fresh decoder/encoders
    }
    long start = System.nanoTime();
    try {
      Transcoder.TranscodeSession s = session.orElseGet(() -> transcoder.open(manifestId, profiles));
      session = Optional.of(s);
      TranscodeResult result = s.transcode(segment);
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      counters.segmentOut(segment.durationMillis(), tookMillis);
      output.renditions(segment, job.discontinuity(), result.renditions());
      log.debug("stream {} segment {}: {} ms media transcoded in {} ms", manifestId, segment.seq(),
          segment.durationMillis(), tookMillis);
      job.done().complete(result);
    } catch (MediaException e) {
      counters.segmentFailed();
      log.warn("stream {} segment {}: transcode failed: {}", manifestId, segment.seq(), e.getMessage());
      closeSession(); // a decoder that choked may hold bad state
      job.done().completeExceptionally(e);
    } catch (RuntimeException e) {
      counters.segmentFailed();
      log.error("stream {} segment {}: unexpected transcoder error", manifestId, segment.seq(), e);
      closeSession();
      job.done().completeExceptionally(new NodeException("internal transcoder error", e));
    }
  }

  private void closeSession() {
    session.ifPresent(s -> {
      try {
        s.close();
      } catch (RuntimeException e) {
        log.warn("stream {}: closing the transcode session failed: {}", manifestId, e.toString());
      }
    });
    session = Optional.empty();
  }
}
