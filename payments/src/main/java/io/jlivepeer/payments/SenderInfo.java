package io.jlivepeer.payments;

import java.util.Objects;

/** TicketBroker.getSenderInfo: deposit, unlock state and reserve. withdrawRound 0: no unlock in progress. */
public record SenderInfo(Wei deposit, long withdrawRound, Wei reserveFundsRemaining, Wei reserveClaimedInCurrentRound) {
  public static final SenderInfo NONE = new SenderInfo(Wei.ZERO, 0, Wei.ZERO, Wei.ZERO);

  public SenderInfo {
    Objects.requireNonNull(deposit, "deposit");
    Objects.requireNonNull(reserveFundsRemaining, "reserveFundsRemaining");
    Objects.requireNonNull(reserveClaimedInCurrentRound, "reserveClaimedInCurrentRound");
  }

  public boolean unlockInProgress() {
    return withdrawRound > 0;
  }
}
