package io.jlivepeer.chain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the RoundsManager at every new block (register it on a {@link BlockWatcher}) and keeps the current
 * {@link RoundInfo}; tells listeners about each block's state and about new rounds.
 */
public final class RoundWatcher implements Consumer<BlockRef> {
  private static final Logger log = LoggerFactory.getLogger(RoundWatcher.class);

  private final ProtocolClient client;
  private final List<RoundListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<RoundInfo> current = new AtomicReference<>();

  public RoundWatcher(ProtocolClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  public void addListener(RoundListener l) {
    listeners.add(Objects.requireNonNull(l, "listener"));
  }

  /** The newest round state read, if any. */
  public Optional<RoundInfo> current() {
    return Optional.ofNullable(current.get());
  }

  @Override
  public void accept(BlockRef block) {
    refresh(block.number());
  }

  /** Reads the round state now (at the given block number, for the record) and notifies listeners. */
  public RoundInfo refresh(long blockNumber) {
    long round = client.currentRound();
    long lastInit = client.lastInitializedRound();
    RoundInfo info =
        new RoundInfo(
            round,
            lastInit == round,
            client.currentRoundLocked(),
            client.currentRoundStartBlock(),
            lastInit,
            ProtocolClient.hex(client.blockHashForRound(lastInit)),
            blockNumber);
    RoundInfo prev = current.getAndSet(info);
    boolean isNew = prev == null || prev.round() != info.round();
    if (isNew) {
      log.info("round {} (initialized: {}) at block {}", info.round(), info.initialized(), blockNumber);
    }
    for (RoundListener l : listeners) {
      try {
        if (isNew) {
          l.newRound(info);
        }
        l.roundState(info);
      } catch (RuntimeException e) {
        log.warn("round listener failed at block {}: {}", blockNumber, e.toString());
      }
    }
    return info;
  }
}
