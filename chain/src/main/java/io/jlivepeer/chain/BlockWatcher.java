package io.jlivepeer.chain;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the chain's latest block on an injected scheduler and tells listeners about each new head. Blocks
 * mined between two polls are not replayed one by one: listeners see the newest head, which is all that
 * round tracking and ticket expiry need. A failed poll is logged and retried on the next tick.
 */
public final class BlockWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BlockWatcher.class);

  private final EthRpc rpc;
  private final Duration interval;
  private final ScheduledExecutorService scheduler;
  private final List<Consumer<BlockRef>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<BlockRef> latest = new AtomicReference<>();
  private volatile ScheduledFuture<?> task;
  private volatile String lastError = "";

  /**
   * @param interval time between polls (1 s suits a public chain; anvil dev chains use 100-500 ms)
   */
  public BlockWatcher(EthRpc rpc, Duration interval, ScheduledExecutorService scheduler) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    if (interval.isZero() || interval.isNegative()) {
      throw new ChainException("block poll interval must be positive");
    }
  }

  public void addListener(Consumer<BlockRef> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Starts polling (the first poll runs at once). */
  public synchronized void start() {
    if (task == null) {
      task = scheduler.scheduleWithFixedDelay(this::pollQuietly, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** The newest block seen so far. */
  public Optional<BlockRef> latest() {
    return Optional.ofNullable(latest.get());
  }

  /** Reads the head now and notifies listeners when it is new; returns the head. */
  public BlockRef poll() {
    BlockRef head = rpc.latestBlock();
    BlockRef prev = latest.getAndSet(head);
    if (prev == null || !prev.hash().equals(head.hash())) {
      for (Consumer<BlockRef> l : listeners) {
        try {
          l.accept(head);
        } catch (RuntimeException e) {
          log.warn("block {} listener failed: {}", head.number(), e.toString());
        }
      }
    }
    return head;
  }

  private void pollQuietly() {
    try {
      poll();
      lastError = "";
    } catch (ChainException e) {
      // Log a persisting error once, not on every tick.
      if (!e.getMessage().equals(lastError)) {
        log.warn("watching blocks: {}", e.getMessage());
        lastError = e.getMessage();
      }
    } catch (RuntimeException e) {
      log.error("watching blocks failed", e);
    }
  }

  @Override
  public synchronized void close() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }
}
