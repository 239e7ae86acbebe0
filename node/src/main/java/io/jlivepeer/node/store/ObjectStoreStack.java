package io.jlivepeer.node.store;

import io.jlivepeer.playback.HlsStreams;
import io.jlivepeer.playback.Route;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A broadcaster's object stores as {@link StoreSetup} asks: each with its upload queue, the mirror, the recorder. */
public final class ObjectStoreStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ObjectStoreStack.class);

  private final Optional<UploadQueue> liveQueue;
  private final Optional<UploadQueue> recordQueue;
  private final Optional<LiveMirror> mirror;
  private final Optional<StreamRecorder> recorder;

  private ObjectStoreStack(Optional<UploadQueue> liveQueue, Optional<UploadQueue> recordQueue,
      Optional<LiveMirror> mirror, Optional<StreamRecorder> recorder) {
    this.liveQueue = liveQueue;
    this.recordQueue = recordQueue;
    this.mirror = mirror;
    this.recorder = recorder;
  }

  /**
   * Opens what {@code setup} names.
   *
   * @param baseUrl B's {@code http://host:port}, asked when a recording is ready
   * @throws ObjectStoreException for a malformed URL
   */
  public static ObjectStoreStack open(StoreSetup setup, HlsStreams hls, Supplier<String> baseUrl) {
    // parse both before opening either, so a typo in the second leaves nothing open
    setup.objectStore().ifPresent(ObjectStoreUrl::parse);
    setup.recordObjectStore().ifPresent(ObjectStoreUrl::parse);
    Optional<UploadQueue> live = setup.objectStore().map(url ->
        new UploadQueue(ObjectStore.open(url), setup.queue(), Clock.systemUTC()));
    Optional<UploadQueue> record = setup.recordObjectStore().map(url ->
        new UploadQueue(ObjectStore.open(url), setup.queue(), Clock.systemUTC()));
    live.ifPresent(q -> log.info("copying live HLS to object store {}", q.store().describe()));
    record.ifPresent(q -> log.info("recording streams to object store {}; served under {}", q.store().describe(),
        RecordingsRoute.PATH_PREFIX));
    return new ObjectStoreStack(live, record, live.map(q -> new LiveMirror(q, hls)),
        record.map(q -> new StreamRecorder(q, setup.recordWhen(), setup.listener(), setup.sessionIds(), baseUrl)));
  }

  public boolean any() {
    return liveQueue.isPresent() || recordQueue.isPresent();
  }

  public Optional<LiveMirror> mirror() {
    return mirror;
  }

  public Optional<StreamRecorder> recorder() {
    return recorder;
  }

  /** The live copy's queue ({@code -objectStore}). */
  public Optional<UploadQueue> liveQueue() {
    return liveQueue;
  }

  /** The recordings' queue ({@code -recordObjectStore}). */
  public Optional<UploadQueue> recordQueue() {
    return recordQueue;
  }

  /** {@code /recordings/} when recording. */
  public List<Route> routes() {
    return recordQueue.map(q -> List.of(RecordingsRoute.route(q.store()))).orElse(List.of());
  }

  /** Lets waiting uploads finish (a few seconds at most), then closes the stores. */
  @Override
  public void close() {
    liveQueue.ifPresent(UploadQueue::close);
    recordQueue.ifPresent(UploadQueue::close);
  }
}
