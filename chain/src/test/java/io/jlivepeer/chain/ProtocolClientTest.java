package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Wei;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * The typed client against the real contracts on anvil (deployed by {@link ProtocolDeployer}), plus the
 * round watcher, round initializer and reward service driven block by block. Each test uses its own
 * fresh accounts, so the order of tests does not matter.
 */
class ProtocolClientTest {
  private static final long ROUND_LENGTH = 20;
  private static final Executor DIRECT = Runnable::run;
  private static final TxManager.Config FAST = TxManager.Config.DEFAULTS.withPollInterval(Duration.ofMillis(20));

  static TestAnvil anvil;
  static EthRpc rpc;
  static ProtocolDeployer.Deployment deployment;
  static final List<Credentials> keys = new ArrayList<>();
  static int nextKey;
  static final List<TxManager> managers = new ArrayList<>();

  @BeforeAll
  static void deploy() throws Exception {
    anvil = TestAnvil.start();
    rpc = EthRpc.connect(anvil.url);
    List<ProtocolDeployer.Mint> mints = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Credentials c = Credentials.create(Keys.createEcKeyPair());
      keys.add(c);
      mints.add(new ProtocolDeployer.Mint(c.getAddress(), Wei.ofEther("10000").value()));
      rpc.call("anvil_setBalance", c.getAddress(), "0x" + Wei.ofEther("100").value().toString(16));
    }
    Web3j web3j = Web3j.build(new HttpService(anvil.url));
    try {
      deployment = ProtocolDeployer.deploy(web3j, TestAnvil.account(0), rpc.chainId(),
          ProtocolDeployer.Parameters.devDefaults().withRoundLength(ROUND_LENGTH).withInitialMints(mints));
    } finally {
      web3j.shutdown();
    }
  }

  @AfterAll
  static void stop() {
    managers.forEach(TxManager::close);
    rpc.close();
    anvil.close();
  }

  private static synchronized ProtocolClient newAccount() {
    TxManager tx = TxManager.create(rpc, keys.get(nextKey++), FAST);
    managers.add(tx);
    return ProtocolClient.connect(tx, EthAddress.of(deployment.controller()));
  }

  private static ProtocolClient reader() {
    return ProtocolClient.readOnly(rpc, EthAddress.of(deployment.controller()));
  }

  /** Mines to the first block of the next round and initializes it. */
  private static long nextRound(ProtocolClient c) {
    long target = c.currentRoundStartBlock() + ROUND_LENGTH;
    rpc.call("anvil_mine", "0x" + Long.toHexString(target - rpc.blockNumber()));
    initialized(c);
    return c.currentRound();
  }

  private static void initialized(ProtocolClient c) {
    if (!c.currentRoundInitialized()) {
      c.initializeRound();
    }
  }

  @Test
  void resolvesEveryContractThroughTheControllerAndReadsParameters() {
    ProtocolClient c = reader();
    ProtocolClient.Contracts k = c.contracts();
    assertThat(k.bondingManager()).isEqualTo(EthAddress.of(deployment.bondingManager()));
    assertThat(k.roundsManager()).isEqualTo(EthAddress.of(deployment.roundsManager()));
    assertThat(k.minter()).isEqualTo(EthAddress.of(deployment.minter()));
    assertThat(k.ticketBroker()).isEqualTo(EthAddress.of(deployment.ticketBroker()));
    assertThat(k.serviceRegistry()).isEqualTo(EthAddress.of(deployment.serviceRegistry()));
    assertThat(k.livepeerToken()).isEqualTo(EthAddress.of(deployment.livepeerToken()));
    ProtocolClient.ProtocolParameters p = c.protocolParameters();
    ProtocolDeployer.Parameters dev = ProtocolDeployer.Parameters.devDefaults();
    assertThat(p.roundLength()).isEqualTo(ROUND_LENGTH);
    assertThat(p.roundLockAmount()).isEqualTo(dev.roundLockAmount());
    assertThat(p.unbondingPeriod()).isEqualTo(dev.unbondingPeriod());
    assertThat(p.transcoderPoolMaxSize()).isEqualTo(dev.numActiveTranscoders());
    assertThat(p.unlockPeriod()).isEqualTo(dev.unlockPeriod());
    assertThat(p.ticketValidityPeriod()).isEqualTo(dev.ticketValidityPeriod());
    assertThat(p.inflationChange()).isEqualTo(dev.inflationChange());
    assertThat(p.targetBondingRate()).isEqualTo(dev.targetBondingRate());
    assertThat(p.totalSupply().value()).isGreaterThanOrEqualTo(Wei.ofEther("120000").value());
    assertThat(p.paused()).isFalse();
    assertThatThrownBy(c::reward).hasMessage("reward failed: this node has no Ethereum account; start it with -ethKeystorePath");
  }

  @Test
  void wrongControllerAddressIsExplained() {
    EthAddress nothing = EthAddress.of("0x00000000000000000000000000000000000000aa");
    assertThatThrownBy(() -> ProtocolClient.readOnly(rpc, nothing))
        .hasMessageStartingWith("no contract at the Controller address " + nothing)
        .hasMessageContaining("check -ethController");
  }

  @Test
  void bondRevertCarriesTheContractsReasonAndLeavesNoStuckNonce() {
    ProtocolClient c = newAccount();
    initialized(c);
    EthAddress someone = EthAddress.of(keys.getLast().getAddress());
    assertThatThrownBy(() -> c.bond(Wei.ZERO, someone))
        .isInstanceOf(ChainException.class)
        .hasMessage("bond failed: delegation amount must be greater than 0");
    assertThatThrownBy(() -> c.unbond(Wei.of(1))).hasMessage("unbond failed: caller must be bonded");
    // The next transaction goes through straight away.
    c.bond(Wei.ofEther("1"), someone);
    ProtocolClient.Delegator d = c.getDelegator(c.account().orElseThrow());
    assertThat(d.bondedAmount()).isEqualTo(Wei.ofEther("1"));
    assertThat(d.delegateAddress()).isEqualTo(someone);
    assertThat(d.startRound()).isEqualTo(c.currentRound() + 1);
    assertThat(c.delegatorStatus(c.account().orElseThrow())).isEqualTo(ProtocolClient.DelegatorStatus.PENDING);
  }

  @Test
  void depositReserveUnlockAndWithdraw() {
    ProtocolClient b = newAccount();
    EthAddress me = b.account().orElseThrow();
    initialized(b);
    b.fundDepositAndReserve(Wei.ofEther("1"), Wei.ofEther("2"));
    SenderInfo s = b.getSenderInfo(me);
    assertThat(s.deposit()).isEqualTo(Wei.ofEther("1"));
    assertThat(s.reserveFundsRemaining()).isEqualTo(Wei.ofEther("2"));
    assertThat(s.withdrawRound()).isZero();
    assertThatThrownBy(b::withdraw).hasMessage("withdraw failed: account is locked");

    b.unlock();
    long unlockAt = b.currentRound() + b.unlockPeriod();
    assertThat(b.isUnlockInProgress(me)).isTrue();
    assertThat(b.getSenderInfo(me).withdrawRound()).isEqualTo(unlockAt);
    b.cancelUnlock();
    assertThat(b.isUnlockInProgress(me)).isFalse();
    b.unlock();
    unlockAt = b.currentRound() + b.unlockPeriod();
    while (b.currentRound() < unlockAt) {
      nextRound(b);
    }
    Wei ethBefore = rpc.balance(me);
    b.withdraw();
    assertThat(b.getSenderInfo(me)).isEqualTo(new SenderInfo(Wei.ZERO, 0, Wei.ZERO, Wei.ZERO));
    assertThat(rpc.balance(me).value()).isGreaterThan(ethBefore.value().add(Wei.ofEther("2.9").value()));
  }

  @Test
  void watchersInitializeRoundsAndCallRewardOncePerRound() throws Exception {
    ProtocolClient orch = newAccount();
    EthAddress o = orch.account().orElseThrow();
    initialized(orch);
    orch.bond(Wei.ofEther("1000"), o);
    orch.transcoder(250_000, 500_000);
    orch.setServiceURI("https://127.0.0.1:8935");
    assertThat(orch.getServiceURI(o)).isEqualTo("https://127.0.0.1:8935");
    assertThat(orch.isRegisteredTranscoder(o)).isTrue();
    assertThat(orch.transcoderPool()).contains(o);

    ScheduledExecutorService unused = Executors.newSingleThreadScheduledExecutor();
    try {
      BlockWatcher blocks = new BlockWatcher(rpc, Duration.ofSeconds(1), unused);
      RoundWatcher rounds = new RoundWatcher(orch);
      blocks.addListener(rounds);
      RoundInitializer initializer = new RoundInitializer(orch, DIRECT);
      RewardService rewards = new RewardService(orch, DIRECT);
      List<RoundInfo> newRounds = new ArrayList<>();
      rounds.addListener(initializer);
      rounds.addListener(rewards);
      rounds.addListener(new RoundListener() {
        @Override
        public void newRound(RoundInfo info) {
          newRounds.add(info);
        }
      });

      long start = orch.currentRound();
      rpc.call("anvil_mine", "0x" + Long.toHexString(orch.currentRoundStartBlock() + ROUND_LENGTH - rpc.blockNumber()));
      blocks.poll(); // new round seen: not initialized, so the initializer sends initializeRound (directly)
      assertThat(newRounds).extracting(RoundInfo::round).containsExactly(start + 1);
      assertThat(newRounds.getFirst().initialized()).isFalse();
      assertThat(initializer.attemptedRound()).isEqualTo(start + 1);
      assertThat(orch.currentRoundInitialized()).isTrue();

      blocks.poll(); // the initialize transaction made a block: initialized, and o is active -> reward
      assertThat(rounds.current().orElseThrow().initialized()).isTrue();
      assertThat(orch.getTranscoder(o).lastRewardRound()).isEqualTo(start + 1);
      assertThat(rewards.attemptedRound()).isEqualTo(start + 1);
      byte[] stored = orch.blockHashForRound(start + 1);
      assertThat(rounds.current().orElseThrow().lastInitializedBlockHash()).isEqualTo(ProtocolClient.hex(stored));
      assertThat(new BigInteger(1, stored)).isNotZero();

      long nonce = rpc.pendingNonce(o);
      rpc.call("evm_mine");
      blocks.poll(); // same round, already rewarded: nothing sent
      assertThat(rpc.pendingNonce(o)).isEqualTo(nonce);
      assertThat(blocks.latest().orElseThrow().number()).isEqualTo(rpc.blockNumber());
    } finally {
      unused.shutdownNow();
    }
  }

  @Test
  void redeemsAWinningTicketFromTheSendersDeposit() throws Exception {
    ProtocolClient orch = newAccount();
    ProtocolClient broadcaster = newAccount();
    EthAddress o = orch.account().orElseThrow();
    EthAddress b = broadcaster.account().orElseThrow();
    initialized(orch);
    orch.bond(Wei.ofEther("1000"), o);
    orch.transcoder(0, 1_000_000);
    broadcaster.fundDepositAndReserve(Wei.ofEther("1"), Wei.ofEther("1"));
    long round = nextRound(orch);

    BigInteger recipientRand = BigInteger.valueOf(424242);
    byte[] randHash = Hash.sha3(Numeric.toBytesPadded(recipientRand, 32));
    ByteArrayOutputStream aux = new ByteArrayOutputStream();
    aux.write(Numeric.toBytesPadded(BigInteger.valueOf(round), 32));
    aux.write(orch.blockHashForRound(round));
    Wei face = Wei.ofEther("0.25");
    BigInteger always = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
    ProtocolClient.WinningTicket t =
        new ProtocolClient.WinningTicket(o, b, face, always, BigInteger.ONE, randHash, aux.toByteArray());
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    packed.write(o.toBytes());
    packed.write(b.toBytes());
    packed.write(Numeric.toBytesPadded(face.value(), 32));
    packed.write(Numeric.toBytesPadded(always, 32));
    packed.write(Numeric.toBytesPadded(BigInteger.ONE, 32));
    packed.write(randHash);
    packed.write(aux.toByteArray());
    byte[] ticketHash = Hash.sha3(packed.toByteArray());
    Credentials senderKey = keys.stream().filter(k -> EthAddress.of(k.getAddress()).equals(b)).findFirst().orElseThrow();
    Sign.SignatureData sd = Sign.signPrefixedMessage(ticketHash, senderKey.getEcKeyPair());
    ByteArrayOutputStream sig = new ByteArrayOutputStream();
    sig.write(sd.getR());
    sig.write(sd.getS());
    sig.write(sd.getV());

    TxReceipt r = orch.redeemWinningTicket(t, sig.toByteArray(), recipientRand);
    assertThat(r.logs()).isNotEmpty();
    assertThat(orch.usedTickets(ticketHash)).isTrue();
    assertThat(orch.getSenderInfo(b).deposit()).isEqualTo(Wei.ofEther("0.75"));
    assertThatThrownBy(() -> orch.redeemWinningTicket(t, sig.toByteArray(), recipientRand))
        .hasMessage("redeemWinningTicket failed: ticket is used");
  }
}
