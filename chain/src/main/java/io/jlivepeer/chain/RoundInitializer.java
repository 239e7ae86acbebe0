package io.jlivepeer.chain;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -initializeRound}: calls RoundsManager.initializeRound() once per round when the round is not
 * initialized yet. One attempt per round, without jitter: when another node wins the race our
 * transaction reverts with "round already initialized", which is logged and otherwise harmless.
 */
public final class RoundInitializer implements RoundListener {
  private static final Logger log = LoggerFactory.getLogger(RoundInitializer.class);

  private final ProtocolClient client;
  private final Executor executor;
  private final AtomicLong attemptedRound = new AtomicLong(-1);

  /** @param executor runs the transaction (virtual threads in the node; a direct executor in tests) */
  public RoundInitializer(ProtocolClient client, Executor executor) {
    this.client = Objects.requireNonNull(client, "client");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  @Override
  public void roundState(RoundInfo info) {
    if (info.initialized()) {
      return;
    }
    long prev = attemptedRound.get();
    if (prev >= info.round() || !attemptedRound.compareAndSet(prev, info.round())) {
      return;
    }
    executor.execute(
        () -> {
          try {
            TxReceipt r = client.initializeRound();
            log.info("initialized round {} (tx {}, gas {})", info.round(), r.transactionHash(), r.gasUsed());
          } catch (ChainException e) {
            log.warn("round {}: {}", info.round(), e.getMessage());
          }
        });
  }

  /** The newest round an attempt was made for, or -1. */
  public long attemptedRound() {
    return attemptedRound.get();
  }
}
