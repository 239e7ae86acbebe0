package io.jlivepeer.node.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to one {@link ObjectStore} off the caller's thread, so the segment path (transcoding, live HLS) never waits
 * for a store. A bounded number of uploads may wait ({@link Config#capacity}); beyond it new ones are dropped with
 * a warning instead of growing memory. A failed upload is retried with exponential backoff until
 * {@link Config#giveUpAfter}; the first failure of an outage is a warning that says what failed and what to do, and
 * the store coming back is logged too.
 *
 * <p>Threads: {@link Config#workers} platform threads {@code objectstore-upload-*} do the blocking calls; one
 * scheduler thread only re-queues uploads when their backoff is over.
 */
public final class UploadQueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UploadQueue.class);

  /** While a store keeps failing, a reminder is logged this often. */
  static final Duration REMINDER_EVERY = Duration.ofSeconds(30);

  /**
   * @param capacity uploads waiting or in progress at most (default 2048, about 10 minutes of a 4-rendition
   *     stream's segments and playlists)
   * @param workers concurrent requests to the store (default 4)
   * @param firstRetry backoff after the first failure, doubled per attempt (default 500 ms)
   * @param maxRetry longest backoff (default 15 s)
   * @param giveUpAfter an upload that has failed for this long is abandoned (default 15 minutes)
   * @param drainOnClose how long {@link #close} waits for waiting uploads (default 10 s)
   */
  public record Config(int capacity, int workers, Duration firstRetry, Duration maxRetry, Duration giveUpAfter,
      Duration drainOnClose) {
    public Config {
      if (capacity < 1 || workers < 1) {
        throw new IllegalArgumentException("upload queue needs capacity >= 1 and workers >= 1");
      }
      Objects.requireNonNull(firstRetry, "firstRetry");
      Objects.requireNonNull(maxRetry, "maxRetry");
      Objects.requireNonNull(giveUpAfter, "giveUpAfter");
      Objects.requireNonNull(drainOnClose, "drainOnClose");
    }

    public static Config defaults() {
      return new Config(2048, 4, Duration.ofMillis(500), Duration.ofSeconds(15), Duration.ofMinutes(15),
          Duration.ofSeconds(10));
    }

    public Config withRetry(Duration first, Duration max) {
      return new Config(capacity, workers, first, max, giveUpAfter, drainOnClose);
    }

    public Config withCapacity(int newCapacity) {
      return new Config(newCapacity, workers, firstRetry, maxRetry, giveUpAfter, drainOnClose);
    }
  }

  /** The latest bytes of a key written with {@link #putLatest}; one upload of it at a time. */
  private static final class Latest {
    byte[] data;
    String contentType;
    boolean queued;
  }

  private final ObjectStore store;
  private final Config config;
  private final Clock clock;
  private final ExecutorService workers;
  private final ScheduledExecutorService retries;
  private final Semaphore room;
  private final Object idle = new Object();
  private final Map<String, Latest> latest = new ConcurrentHashMap<>();
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong lastReminderMillis = new AtomicLong();
  private final AtomicLong lastDropWarningMillis = new AtomicLong(Long.MIN_VALUE / 2);
  private final AtomicLong uploaded = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();

  public UploadQueue(ObjectStore store, Config config, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.room = new Semaphore(config.capacity());
    this.workers = Executors.newFixedThreadPool(config.workers(),
        Thread.ofPlatform().name("objectstore-upload-", 0).daemon().factory());
    this.retries = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("objectstore-retry").daemon().factory());
  }

  public ObjectStore store() {
    return store;
  }

  /**
   * Queues one object. Never blocks.
   *
   * @return completes when the object is in the store; fails when the queue was full, the queue closed, or the
   *     store kept failing for {@link Config#giveUpAfter}
   */
  public CompletableFuture<Void> put(String key, byte[] data, String contentType) {
    ObjectStore.requireKey(key, store.describe());
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!admit(key)) {
      done.completeExceptionally(new ObjectStoreException("upload queue of " + store.describe()
          + " is full or closed; " + key + " was not written"));
      return done;
    }
    submit(new Attempt(key, () -> new Payload(data, contentType), done, clock.millis()));
    return done;
  }

  /**
   * Queues an object that is rewritten often (a live playlist): when an upload of the key is still waiting, it
   * takes these bytes instead, so only the newest version is sent and versions never overtake each other.
   */
  public void putLatest(String key, byte[] data, String contentType) {
    ObjectStore.requireKey(key, store.describe());
    Latest l = latest.computeIfAbsent(key, k -> new Latest());
    synchronized (l) {
      l.data = data;
      l.contentType = contentType;
      if (l.queued) {
        return;
      }
      if (!admit(key)) {
        return;
      }
      l.queued = true;
    }
    submit(new Attempt(key, () -> takeLatest(l), new CompletableFuture<>(), clock.millis(), l));
  }

  /** Uploads waiting or in progress. */
  public int pending() {
    return config.capacity() - room.availablePermits();
  }

  /** Whether the last attempt succeeded (true before the first one). */
  public boolean healthy() {
    return !failing.get();
  }

  public long uploaded() {
    return uploaded.get();
  }

  public long failedAttempts() {
    return failedAttempts.get();
  }

  /** Uploads refused because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Uploads given up after {@link Config#giveUpAfter}. */
  public long abandoned() {
    return abandoned.get();
  }

  /** Waits until nothing is pending; false when {@code timeout} passed first. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (pending() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
    }
    return true;
  }

  /** Waits up to {@link Config#drainOnClose} for waiting uploads, then stops; the store is closed too. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (!awaitIdle(config.drainOnClose())) {
        log.warn("object store {}: {} uploads were still waiting at shutdown and are lost; the store was slow or "
            + "unreachable (see the warnings above)", store.describe(), pending());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    retries.shutdownNow();
    workers.shutdownNow();
    try {
      // an upload still in flight finishes or fails before its client goes away
      workers.awaitTermination(S3ObjectStore.CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }

  private record Payload(byte[] data, String contentType) {}

  private interface PayloadSource {
    Payload take();
  }

  private final class Attempt implements Runnable {
    final String key;
    final PayloadSource source;
    final CompletableFuture<Void> done;
    final long firstMillis;
    final Latest latestSlot;
    int attempts;
    Payload payload;

    Attempt(String key, PayloadSource source, CompletableFuture<Void> done, long firstMillis) {
      this(key, source, done, firstMillis, null);
    }

    Attempt(String key, PayloadSource source, CompletableFuture<Void> done, long firstMillis, Latest latestSlot) {
      this.key = key;
      this.source = source;
      this.done = done;
      this.firstMillis = firstMillis;
      this.latestSlot = latestSlot;
    }

    @Override
    public void run() {
      // a rewritten key sends its newest bytes, also on a retry
      if (payload == null || latestSlot != null) {
        Payload fresh = source.take();
        if (fresh != null) {
          payload = fresh;
        }
      }
      attempts++;
      try {
        store.put(key, payload.data(), payload.contentType());
      } catch (RuntimeException e) {
        failed(this, e);
        return;
      }
      uploaded.incrementAndGet();
      if (failing.compareAndSet(true, false)) {
        log.info("object store {} is reachable again: uploads resumed ({} waiting)", store.describe(),
            pending() - 1);
      }
      finish(this, null);
    }
  }

  private boolean admit(String key) {
    if (closed.get()) {
      return false;
    }
    if (room.tryAcquire()) {
      return true;
    }
    dropped.incrementAndGet();
    long now = clock.millis();
    long last = lastDropWarningMillis.get();
    if (now - last >= REMINDER_EVERY.toMillis() && lastDropWarningMillis.compareAndSet(last, now)) {
      log.warn("object store {}: upload queue full ({} waiting), dropping {} and further objects; the store is too "
          + "slow or unreachable. Live HLS is not affected. Check the store, or its network.", store.describe(),
          config.capacity(), key);
    }
    return false;
  }

  private void submit(Attempt attempt) {
    try {
      workers.execute(attempt);
    } catch (RejectedExecutionException e) {
      finish(attempt, new ObjectStoreException("upload queue of " + store.describe() + " is closed; "
          + attempt.key + " was not written"));
    }
  }

  private Payload takeLatest(Latest l) {
    synchronized (l) {
      if (l.data == null) {
        return null;
      }
      Payload p = new Payload(l.data, l.contentType);
      l.data = null;
      return p;
    }
  }

  private void failed(Attempt attempt, RuntimeException e) {
    failedAttempts.incrementAndGet();
    long now = clock.millis();
    long waited = now - attempt.firstMillis;
    String reason = e.getMessage();
    if (closed.get()) {
      log.debug("object store {}: {} not written, the queue is closing: {}", store.describe(), attempt.key, reason);
      finish(attempt, e instanceof ObjectStoreException ose ? ose
          : new ObjectStoreException("could not write " + attempt.key + " to " + store.describe(), e));
      return;
    }
    if (waited >= config.giveUpAfter().toMillis()) {
      abandoned.incrementAndGet();
      log.error("object store {}: gave up writing {} after {} attempts over {} s: {}. That object is missing from "
          + "the store.", store.describe(), attempt.key, attempt.attempts, waited / 1000, reason);
      finish(attempt, e instanceof ObjectStoreException ose ? ose
          : new ObjectStoreException("could not write " + attempt.key + " to " + store.describe(), e));
      return;
    }
    long backoff = Math.min(config.maxRetry().toMillis(),
        config.firstRetry().toMillis() << Math.min(20, attempt.attempts - 1));
    String what = e instanceof ObjectStoreException ? reason
        : "object store " + store.describe() + ": writing " + attempt.key + " failed: " + reason;
    boolean first = false;
    if (!failing.get()) {
      // the time before the flag: an upload thread that then finds the flag set also finds this time, and does not
      // take the outage for one that has lasted since the last reminder (two warnings for one outage, CI saw it)
      lastReminderMillis.set(now);
      first = failing.compareAndSet(false, true);
    }
    if (first) {
      log.warn("{}. Retrying with backoff (every {} s at most) for up to {} min; live HLS and transcoding go on "
          + "meanwhile, and uploads resume by themselves once the store answers.", what,
          String.format(java.util.Locale.ROOT, "%.1f", config.maxRetry().toMillis() / 1000.0),
          config.giveUpAfter().toMinutes());
    } else {
      long last = lastReminderMillis.get();
      if (now - last >= REMINDER_EVERY.toMillis() && lastReminderMillis.compareAndSet(last, now)) {
        log.warn("object store {} still failing ({} uploads waiting): {}", store.describe(), pending(), reason);
      } else {
        log.debug("object store {}: attempt {} of {} failed: {}", store.describe(), attempt.attempts, attempt.key,
            reason);
      }
    }
    try {
      retries.schedule(() -> submit(attempt), backoff, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      finish(attempt, e instanceof ObjectStoreException ose ? ose
          : new ObjectStoreException("could not write " + attempt.key + " to " + store.describe(), e));
    }
  }

  private void finish(Attempt attempt, RuntimeException error) {
    if (attempt.latestSlot != null) {
      Latest l = attempt.latestSlot;
      synchronized (l) {
        if (l.data != null && error == null && !closed.get()) {
          // newer bytes came while this one was sent: send them with the same slot of the queue
          Attempt next = new Attempt(attempt.key, () -> takeLatest(l), attempt.done, clock.millis(), l);
          submit(next);
          return;
        }
        l.queued = false;
      }
    }
    room.release();
    synchronized (idle) {
      idle.notifyAll();
    }
    if (error == null) {
      attempt.done.complete(null);
    } else {
      attempt.done.completeExceptionally(error);
    }
  }
}
