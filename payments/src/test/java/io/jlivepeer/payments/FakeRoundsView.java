package io.jlivepeer.payments;

/** Rounds and blocks that tests set. */
final class FakeRoundsView implements RoundsView {
  volatile long latestBlock = 1000;
  volatile TicketExpirationParams round = new TicketExpirationParams(10, Bytes32.fromHex("ab".repeat(32)));
  volatile Wei gasPrice = Wei.of(1_000_000); // 0.001 gwei, an L2-like price
  volatile boolean reachable = true;

  @Override
  public TicketExpirationParams lastInitializedRound() {
    check();
    return round;
  }

  @Override
  public long latestBlock() {
    check();
    return latestBlock;
  }

  @Override
  public Wei gasPrice() {
    check();
    return gasPrice;
  }

  private void check() {
    if (!reachable) {
      throw new BrokerUnavailableException("fake chain is down");
    }
  }
}
