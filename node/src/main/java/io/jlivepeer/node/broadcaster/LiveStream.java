package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.Counters;
import io.jlivepeer.node.NodeException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's ordered work queue: starts (publishes), segments and ends. A virtual thread lives while the
 * queue is non-empty and does everything for the stream in order, so playlists never see a restart overtake
 * the renditions of the publish before it. The transcode session (decoder and encoders) is kept across
 * segments and reopened at each start. When live segments pile up beyond the configured depth the oldest
 * waiting one is skipped (with a warning) so output stays near the live edge.
 */
final class LiveStream {
  private static final Logger log = LoggerFactory.getLogger(LiveStream.class);

  private sealed interface Event permits Start, Work, End {}

  private record Start(SourceInfo source) implements Event {}

  private record Work(Segment segment, boolean droppable, CompletableFuture<TranscodeResult> done) implements Event {}

  private record End() implements Event {}

  private final String manifestId;
  private final Transcoder transcoder;
  private final List<VideoProfile> profiles;
  private final SegmentOutput output;
  private final Counters counters;
  private final int maxQueued;

  private final ArrayDeque<Event> queue = new ArrayDeque<>();
  private int queuedWork;
  private boolean workerRunning;
  private boolean shutDown;
  // Owned by the worker (only touched in drain()).
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

  /** A publish began; segments submitted after this belong to it. */
  void start(SourceInfo source) {
    enqueue(new Start(source));
  }

  /**
   * Queues a segment. Live (droppable) segments may be skipped when the queue is full; pushed segments
   * wait their turn because their sender waits for the answer.
   */
  CompletableFuture<TranscodeResult> submit(Segment segment, boolean droppable) {
    counters.segmentIn();
    Work work = new Work(segment, droppable, new CompletableFuture<>());
    Optional<Work> dropped = Optional.empty();
    synchronized (this) {
      if (shutDown) {
        work.done().completeExceptionally(new NodeException("the node is shutting down"));
        return work.done();
      }
      if (droppable && queuedWork >= maxQueued) {
        dropped = removeOldestDroppable();
      }
      queuedWork++;
      enqueueLocked(work);
    }
    dropped.ifPresent(d -> {
      counters.segmentDropped();
      log.warn("stream {}: transcoding is slower than real time, skipped segment {}; lower the ladder or"
          + " -maxSessions, or add hardware", manifestId, d.segment().seq());
      d.done().completeExceptionally(new NodeException("segment skipped: transcoding behind real time"));
    });
    return work.done();
  }

  /** The publish ended: finish what is queued, end the playlists, release the transcode session. */
  void end() {
    enqueue(new End());
  }

  /** True while events wait or are being handled. */
  synchronized boolean busy() {
    return workerRunning;
  }

  /**
   * Node shutdown: drops queued segments (their senders get an error), lets the one in the transcoder finish,
   * and waits up to {@code timeoutMillis} for the worker to stop, so nothing writes to closed stores.
   */
  void shutDown(long timeoutMillis) throws InterruptedException {
    java.util.List<Work> dropped = new java.util.ArrayList<>();
    synchronized (this) {
      shutDown = true;
      for (Iterator<Event> it = queue.iterator(); it.hasNext(); ) {
        Event e = it.next();
        if (e instanceof Work w) {
          dropped.add(w);
          it.remove();
          queuedWork--;
        }
      }
    }
    dropped.forEach(w -> w.done().completeExceptionally(new NodeException("the node is shutting down")));
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    synchronized (this) {
      while (workerRunning) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          log.warn("stream {}: still transcoding at shutdown; closing anyway", manifestId);
          return;
        }
        wait(left);
      }
    }
  }

  private synchronized void enqueue(Event event) {
    if (!shutDown || event instanceof End) {
      enqueueLocked(event);
    }
  }

  private void enqueueLocked(Event event) {
    queue.add(event);
    if (!workerRunning) {
      workerRunning = true;
      Thread.ofVirtual().name("stream-" + manifestId).start(this::drain);
    }
  }

  private Optional<Work> removeOldestDroppable() {
    for (Iterator<Event> it = queue.iterator(); it.hasNext(); ) {
      if (it.next() instanceof Work w && w.droppable()) {
        it.remove();
        queuedWork--;
        return Optional.of(w);
      }
    }
    return Optional.empty();
  }

  private void drain() {
    while (true) {
      Event event;
      synchronized (this) {
        event = queue.poll();
        if (event == null) {
          workerRunning = false;
          notifyAll(); // shutDown() may be waiting
          return;
        }
        if (event instanceof Work) {
          queuedWork--;
        }
      }
      try {
        switch (event) {
          case Start s -> {
            closeSession(); // timestamps restart: fresh decoder and encoders
            output.streamStarted(manifestId, s.source());
          }
          case Work w -> transcode(w);
          case End e -> {
            closeSession();
            output.streamEnded(manifestId);
          }
        }
      } catch (RuntimeException e) {
        log.error("stream {}: unexpected error handling {}", manifestId, event.getClass().getSimpleName(), e);
      }
    }
  }

  private void transcode(Work work) {
    Segment segment = work.segment();
    try {
      output.sourceSegment(segment);
    } catch (RuntimeException e) {
      log.warn("stream {} segment {}: could not store the source: {}", manifestId, segment.seq(), e.getMessage());
    }
    long start = System.nanoTime();
    try {
      Transcoder.TranscodeSession s = session.orElseGet(() -> transcoder.open(manifestId, profiles));
      session = Optional.of(s);
      TranscodeResult result = s.transcode(segment);
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      counters.segmentOut(segment.durationMillis(), tookMillis);
      output.renditions(segment, result.renditions());
      log.debug("stream {} segment {}: {} ms of media transcoded in {} ms", manifestId, segment.seq(),
          segment.durationMillis(), tookMillis);
      work.done().complete(result);
    } catch (MediaException e) {
      counters.segmentFailed();
      log.warn("stream {} segment {}: transcode failed: {}", manifestId, segment.seq(), e.getMessage());
      closeSession(); // a decoder that choked may hold bad state
      work.done().completeExceptionally(e);
    } catch (RuntimeException e) {
      counters.segmentFailed();
      log.error("stream {} segment {}: unexpected transcoder error", manifestId, segment.seq(), e);
      closeSession();
      work.done().completeExceptionally(new NodeException("internal transcoder error", e));
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
