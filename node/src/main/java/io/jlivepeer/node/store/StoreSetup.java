package io.jlivepeer.node.store;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a broadcaster writes to object stores.
 *
 * @param objectStore {@code -objectStore}: every live segment and playlist is copied there (see {@link LiveMirror})
 * @param recordObjectStore {@code -recordObjectStore}: recorded sessions become VOD HLS there (see
 *     {@link StreamRecorder}) and B serves them under {@code /recordings/}
 * @param recordWhen which manifest ids are recorded (default: all)
 * @param listener hears of finished recordings
 * @param sessionIds names each recorded session (default: random UUIDs)
 * @param queue the upload queue of each store
 */
public record StoreSetup(
    Optional<String> objectStore,
    Optional<String> recordObjectStore,
    Predicate<String> recordWhen,
    RecordingListener listener,
    Function<String, String> sessionIds,
    UploadQueue.Config queue) {

  public StoreSetup {
    Objects.requireNonNull(objectStore, "objectStore");
    Objects.requireNonNull(recordObjectStore, "recordObjectStore");
    Objects.requireNonNull(recordWhen, "recordWhen");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(sessionIds, "sessionIds");
    Objects.requireNonNull(queue, "queue");
  }

  /** No stores. */
  public static StoreSetup none() {
    return new StoreSetup(Optional.empty(), Optional.empty(), id -> true, RecordingListener.NONE,
        StreamRecorder.randomSessionIds(), UploadQueue.Config.defaults());
  }

  public boolean any() {
    return objectStore.isPresent() || recordObjectStore.isPresent();
  }

  /** Copies live HLS to the store at {@code url} (checked when B starts). */
  public StoreSetup withObjectStore(String url) {
    return new StoreSetup(Optional.of(url), recordObjectStore, recordWhen, listener, sessionIds, queue);
  }

  /** Records streams into the store at {@code url} (checked when B starts). */
  public StoreSetup withRecordObjectStore(String url) {
    return new StoreSetup(objectStore, Optional.of(url), recordWhen, listener, sessionIds, queue);
  }

  public StoreSetup withRecordWhen(Predicate<String> newRecordWhen) {
    return new StoreSetup(objectStore, recordObjectStore, newRecordWhen, listener, sessionIds, queue);
  }

  public StoreSetup withListener(RecordingListener newListener) {
    return new StoreSetup(objectStore, recordObjectStore, recordWhen, newListener, sessionIds, queue);
  }

  public StoreSetup withSessionIds(Function<String, String> newSessionIds) {
    return new StoreSetup(objectStore, recordObjectStore, recordWhen, listener, newSessionIds, queue);
  }

  public StoreSetup withQueue(UploadQueue.Config newQueue) {
    return new StoreSetup(objectStore, recordObjectStore, recordWhen, listener, sessionIds, newQueue);
  }

  /** Shows the URLs without credentials. */
  @Override
  public String toString() {
    return "StoreSetup[objectStore=" + objectStore.map(ObjectStoreUrl::redactCredentials).orElse("none")
        + ", recordObjectStore=" + recordObjectStore.map(ObjectStoreUrl::redactCredentials).orElse("none") + "]";
  }
}
