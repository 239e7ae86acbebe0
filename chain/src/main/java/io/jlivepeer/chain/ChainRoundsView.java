package io.jlivepeer.chain;

import io.jlivepeer.payments.BrokerUnavailableException;
import io.jlivepeer.payments.RoundsView;
import io.jlivepeer.payments.TicketExpirationParams;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * payments' {@link RoundsView} port on the watchers. It is read on the path of every payment, so it answers only
 * from what the {@link BlockWatcher} and {@link RoundWatcher} last saw and never calls the node itself; the one
 * extra read, eth_gasPrice, runs once per new block on the watcher's thread. While the node is down the last known
 * values stay (tickets keep expiring by the last block seen); before anything was ever seen it throws {@link
 * BrokerUnavailableException}.
 */
public final class ChainRoundsView implements RoundsView {
  private static final Logger log = LoggerFactory.getLogger(ChainRoundsView.class);

  private final EthRpc rpc;
  private final BlockWatcher blocks;
  private final RoundWatcher rounds;
  private final AtomicReference<BigInteger> gasPrice = new AtomicReference<>();

  private ChainRoundsView(EthRpc rpc, BlockWatcher blocks, RoundWatcher rounds) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
    this.blocks = Objects.requireNonNull(blocks, "blocks");
    this.rounds = Objects.requireNonNull(rounds, "rounds");
  }

  /**
   * A view on the given watchers; it registers itself on {@code blocks} to refresh the gas price once per block.
   * The caller registers {@code rounds} on {@code blocks} (or refreshes it) as usual.
   */
  public static ChainRoundsView attach(EthRpc rpc, BlockWatcher blocks, RoundWatcher rounds) {
    ChainRoundsView view = new ChainRoundsView(rpc, blocks, rounds);
    blocks.addListener(b -> view.refreshGasPrice());
    return view;
  }

  @Override
  public TicketExpirationParams lastInitializedRound() {
    RoundInfo r = rounds.current()
        .orElseThrow(() -> new BrokerUnavailableException(
            "the round is not known yet: the Ethereum node has not answered since start; check -ethUrl"));
    return PaymentsTypes.expirationParams(r);
  }

  @Override
  public long latestBlock() {
    return blocks.latest()
        .orElseThrow(() -> new BrokerUnavailableException(
            "no block seen yet: the Ethereum node has not answered since start; check -ethUrl"))
        .number();
  }

  @Override
  public Wei gasPrice() {
    BigInteger known = gasPrice.get();
    if (known != null) {
      return Wei.of(known);
    }
    // Until eth_gasPrice answered once, the head's base fee is the best lower bound we have without a call.
    return blocks.latest()
        .flatMap(BlockRef::baseFeePerGas)
        .map(Wei::of)
        .orElseThrow(() -> new BrokerUnavailableException(
            "the gas price is not known yet: the Ethereum node has not answered since start; check -ethUrl"));
  }

  /** Reads eth_gasPrice; on failure the previous value stays. Runs on the block watcher's thread. */
  void refreshGasPrice() {
    try {
      gasPrice.set(EthRpc.quantity(rpc.call("eth_gasPrice")));
    } catch (ChainException e) {
      log.debug("eth_gasPrice failed, keeping {}: {}", gasPrice.get(), e.getMessage());
    }
  }
}
