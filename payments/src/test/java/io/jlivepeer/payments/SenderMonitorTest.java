package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SenderMonitorTest {
  private static final EthAddress ME = EthAddress.of("0x" + "0a".repeat(20));
  private static final EthAddress SENDER = EthAddress.of("0x" + "0b".repeat(20));

  /** Pending face values set by the test. */
  private static final class Pending implements WinningTickets {
    final Map<EthAddress, Wei> pending = new HashMap<>();

    @Override
    public void add(WinningTicket ticket) {
      pending.merge(ticket.ticket().sender(), ticket.ticket().faceValue(), Wei::plus);
    }

    @Override
    public Wei pendingFaceValue(EthAddress sender) {
      return pending.getOrDefault(sender, Wei.ZERO);
    }
  }

  private static SenderInfo info(long deposit, long reserve, long claimedThisRound) {
    return new SenderInfo(Wei.of(deposit), 0, Wei.of(reserve), Wei.of(claimedThisRound));
  }

  @Test
  void maxFloatIsTheReserveShareWhenNothingIsPending() {
    assertThat(SenderMonitor.maxFloat(info(100, 1000, 200), 4, Wei.ZERO, Wei.ZERO)).isEqualTo(Wei.of(300));
  }

  @Test
  void maxFloatSubtractsWhatThisOrchestratorAlreadyClaimed() {
    assertThat(SenderMonitor.maxFloat(info(100, 1000, 200), 4, Wei.of(50), Wei.ZERO)).isEqualTo(Wei.of(250));
  }

  @Test
  void maxFloatIgnoresPendingWhenDepositCoversItThreeTimes() {
    assertThat(SenderMonitor.maxFloat(info(300, 1000, 0), 2, Wei.ZERO, Wei.of(100))).isEqualTo(Wei.of(500));
  }

  @Test
  void maxFloatSubtractsPendingWhenDepositIsThin() {
    assertThat(SenderMonitor.maxFloat(info(299, 1000, 0), 2, Wei.ZERO, Wei.of(100))).isEqualTo(Wei.of(400));
  }

  @Test
  void maxFloatNeverGoesNegative() {
    assertThat(SenderMonitor.maxFloat(info(0, 100, 0), 1, Wei.of(500), Wei.ZERO)).isEqualTo(Wei.ZERO);
    assertThat(SenderMonitor.maxFloat(info(0, 100, 0), 0, Wei.ZERO, Wei.ZERO)).isEqualTo(Wei.ZERO);
  }

  @Test
  void maxFloatUsesChainStateAndQueuedTickets() {
    FakeTicketBroker broker = new FakeTicketBroker().fund(SENDER, 100, 1000);
    broker.poolSize = 2;
    broker.claimed.put(ME, Wei.of(100));
    Pending pending = new Pending();
    pending.pending.put(SENDER, Wei.of(50)); // 100 / 50 < 3: subtracted
    SenderMonitor m = new SenderMonitor(ME, broker, pending, new MutableClock(), Duration.ofSeconds(30));
    assertThat(m.maxFloat(SENDER)).isEqualTo(Wei.of(1000 / 2 - 100 - 50));
  }

  @Test
  void cachesSenderInfoForItsTtlAndServesStaleWhileTheChainIsDown() {
    FakeTicketBroker broker = new FakeTicketBroker().fund(SENDER, 100, 1000);
    MutableClock clock = new MutableClock();
    SenderMonitor m = new SenderMonitor(ME, broker, new Pending(), clock, Duration.ofSeconds(30));
    m.senderInfo(SENDER);
    m.senderInfo(SENDER);
    assertThat(broker.viewCalls).isEqualTo(1);
    clock.advance(Duration.ofSeconds(31));
    broker.fund(SENDER, 7, 1000);
    assertThat(m.senderInfo(SENDER).deposit()).isEqualTo(Wei.of(7));
    broker.reachable = false;
    clock.advance(Duration.ofMinutes(5));
    assertThat(m.senderInfo(SENDER).deposit()).isEqualTo(Wei.of(7));
    EthAddress unknown = EthAddress.of("0x" + "0c".repeat(20));
    assertThatThrownBy(() -> m.senderInfo(unknown)).isInstanceOf(BrokerUnavailableException.class);
  }
}
