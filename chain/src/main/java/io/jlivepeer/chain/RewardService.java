package io.jlivepeer.chain;

import io.jlivepeer.payments.EthAddress;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -reward}: calls BondingManager.reward() once per initialized round while this node's account is an
 * active transcoder that has not called it yet this round. Reads that fail (node unreachable) are retried at
 * the next block; the transaction itself is attempted once per round.
 */
public final class RewardService implements RoundListener {
  private static final Logger log = LoggerFactory.getLogger(RewardService.class);

  private final ProtocolClient client;
  private final EthAddress self;
  private final Executor executor;
  private final AtomicLong attemptedRound = new AtomicLong(-1);

  public RewardService(ProtocolClient client, Executor executor) {
    this.client = Objects.requireNonNull(client, "client");
    this.self = client.account().orElseThrow(() -> new ChainException("-reward needs an Ethereum account (-ethKeystorePath)"));
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  @Override
  public void roundState(RoundInfo info) {
    long prev = attemptedRound.get();
    if (!info.initialized() || prev >= info.round()) {
      return;
    }
    boolean due;
    try {
      due = client.isActiveTranscoder(self) && client.getTranscoder(self).lastRewardRound() < info.round();
    } catch (ChainException e) {
      log.debug("reward check for round {} failed, retrying at the next block: {}", info.round(), e.getMessage());
      return;
    }
    if (!attemptedRound.compareAndSet(prev, info.round()) || !due) {
      return;
    }
    executor.execute(
        () -> {
          try {
            TxReceipt r = client.reward();
            log.info("called reward for round {} (tx {}, gas {})", info.round(), r.transactionHash(), r.gasUsed());
          } catch (ChainException e) {
            log.warn("reward for round {}: {}", info.round(), e.getMessage());
          }
        });
  }

  /** The newest round reward was considered for, or -1. */
  public long attemptedRound() {
    return attemptedRound.get();
  }
}
