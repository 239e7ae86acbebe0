package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.chain.contracts.Controller;
import io.jlivepeer.chain.contracts.ManagerProxy;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;

/** Runs on a real anvil chain. */
class TxManagerTest {
  static TestAnvil anvil;
  static EthRpc rpc;
  static final TxManager.Config FAST = TxManager.Config.DEFAULTS.withPollInterval(Duration.ofMillis(50));

  @BeforeAll
  static void startChain() throws Exception {
    anvil = TestAnvil.start();
    rpc = EthRpc.connect(anvil.url);
  }

  @AfterAll
  static void stopChain() throws Exception {
    rpc.close();
    anvil.close();
  }

  private static long minedNonce(EthAddress a) {
    return EthRpc.quantity(rpc.call("eth_getTransactionCount", a.hex(), "latest")).longValueExact();
  }

  /** A ManagerProxy whose target is not registered: every call to it reverts with a known string. */
  private static EthAddress unwiredProxy(TxManager tx) {
    EthAddress controller = tx.deploy("deploy Controller", Controller.BINARY);
    String args = FunctionEncoder.encodeConstructor(
        List.of(new Address(controller.hex()), new Bytes32(Hash.sha3("NothingTarget".getBytes(StandardCharsets.US_ASCII)))));
    return tx.deploy("deploy ManagerProxy", ManagerProxy.BINARY + args);
  }

  private static String anyCall() {
    return FunctionEncoder.encode(new Function("bond", List.of(), List.of()));
  }

  @Test
  void twentyConcurrentSendsGetConsecutiveNoncesWithoutGap() throws Exception {
    try (TxManager tx = TxManager.create(rpc, TestAnvil.account(1), FAST)) {
      long start = minedNonce(tx.address());
      EthAddress to = EthAddress.of(TestAnvil.account(2).getAddress());
      List<CompletableFuture<TxReceipt>> sends = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        sends.add(tx.submit(new TxRequest("transfer " + i, to, "0x", Wei.of(1 + i), 0)));
      }
      Set<Long> nonces = new HashSet<>();
      for (CompletableFuture<TxReceipt> f : sends) {
        TxReceipt r = f.get(60, TimeUnit.SECONDS);
        nonces.add(EthRpc.quantity(rpc.call("eth_getTransactionByHash", r.transactionHash()).get("nonce")).longValueExact());
      }
      Set<Long> expected = new HashSet<>();
      for (long n = start; n < start + 20; n++) {
        expected.add(n);
      }
      assertThat(nonces).isEqualTo(expected);
      assertThat(minedNonce(tx.address())).isEqualTo(start + 20);
      assertThat(rpc.pendingNonce(tx.address())).isEqualTo(start + 20);
    }
  }

  @Test
  void revertFoundWhileEstimatingCarriesTheExactStringAndUsesNoNonce() {
    try (TxManager tx = TxManager.create(rpc, TestAnvil.account(0), FAST)) {
      EthAddress proxy = unwiredProxy(tx);
      long before = rpc.pendingNonce(tx.address());
      assertThatThrownBy(() -> tx.send(TxRequest.of("bond", proxy, anyCall())))
          .isInstanceOf(ChainException.class)
          .hasMessage("bond failed: target contract must be registered")
          .satisfies(e -> assertThat(((ChainException) e).revertReason()).contains("target contract must be registered"));
      assertThat(rpc.pendingNonce(tx.address())).isEqualTo(before);
      // The nonce was not consumed: the next send goes through at once.
      TxReceipt ok = tx.send(new TxRequest("transfer", EthAddress.of(TestAnvil.account(3).getAddress()), "0x", Wei.of(1), 0));
      assertThat(ok.blockNumber()).isPositive();
      assertThat(minedNonce(tx.address())).isEqualTo(before + 1);
    }
  }

  @Test
  void revertOfMinedTransactionIsDecodedByReplayAndLeavesNoStuckNonce() {
    try (TxManager tx = TxManager.create(rpc, TestAnvil.account(0), FAST)) {
      EthAddress proxy = unwiredProxy(tx);
      long before = minedNonce(tx.address());
      // A fixed gas limit skips estimation, so the transaction is mined and fails on chain.
      assertThatThrownBy(() -> tx.send(TxRequest.of("bond", proxy, anyCall()).withGasLimit(200_000)))
          .isInstanceOf(ChainException.class)
          .hasMessage("bond failed: target contract must be registered");
      assertThat(minedNonce(tx.address())).isEqualTo(before + 1);
      TxReceipt next = tx.send(new TxRequest("transfer", EthAddress.of(TestAnvil.account(3).getAddress()), "0x", Wei.of(1), 0));
      assertThat(next.blockNumber()).isPositive();
      assertThat(rpc.pendingNonce(tx.address())).isEqualTo(minedNonce(tx.address())).isEqualTo(before + 2);
    }
  }

  @Test
  void readsTheNonceAgainWhenAnotherSenderUsedIt() {
    Credentials key = TestAnvil.account(2);
    EthAddress to = EthAddress.of(TestAnvil.account(3).getAddress());
    try (TxManager ours = TxManager.create(rpc, key, FAST); TxManager other = TxManager.create(rpc, key, FAST)) {
      ours.send(new TxRequest("first", to, "0x", Wei.of(1), 0)); // caches the nonce
      other.send(new TxRequest("elsewhere", to, "0x", Wei.of(1), 0)); // same account, behind our back
      TxReceipt r = ours.send(new TxRequest("second", to, "0x", Wei.of(1), 0));
      assertThat(r.blockNumber()).isPositive();
      assertThat(rpc.pendingNonce(ours.address())).isEqualTo(minedNonce(ours.address()));
    }
  }

  @Test
  void resendsADroppedTransactionWithAHigherFee() throws Exception {
    TxManager.Config cfg = FAST.withResendAfter(Duration.ofMillis(300)).withReceiptTimeout(Duration.ofSeconds(20));
    try (TestAnvil chain = TestAnvil.start(); EthRpc local = EthRpc.connect(chain.url);
        TxManager tx = TxManager.create(local, TestAnvil.account(1), cfg)) {
      local.call("evm_setAutomine", false);
      CompletableFuture<TxReceipt> f = tx.submit(new TxRequest("transfer", EthAddress.of(TestAnvil.account(2).getAddress()), "0x", Wei.of(5), 0));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (EthRpc.quantity(local.call("txpool_status").get("pending")).signum() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      String firstHash = local.call("eth_getBlockByNumber", "pending", false).path("transactions").get(0).asText();
      local.call("anvil_dropAllTransactions");
      assertThat(EthRpc.quantity(local.call("txpool_status").get("pending")).signum()).isZero();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (EthRpc.quantity(local.call("txpool_status").get("pending")).signum() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      local.call("evm_mine");
      TxReceipt r = f.get(10, TimeUnit.SECONDS);
      assertThat(r.transactionHash()).isNotEqualTo(firstHash);
      BigInteger firstFee = BigInteger.ZERO;
      assertThat(EthRpc.quantity(local.call("eth_getTransactionByHash", r.transactionHash()).get("maxFeePerGas"))).isGreaterThan(firstFee);
    }
  }

  @Test
  void accountWithoutEthGetsAClearMessage() throws Exception {
    Credentials broke = Credentials.create(org.web3j.crypto.Keys.createEcKeyPair());
    try (TxManager tx = TxManager.create(rpc, broke, FAST)) {
      assertThatThrownBy(() -> tx.send(new TxRequest("transfer", EthAddress.of(TestAnvil.account(2).getAddress()), "0x", Wei.of(1), 0)))
          .isInstanceOf(ChainException.class)
          .hasMessageStartingWith("transfer failed: account " + tx.address() + " has not enough ETH");
    }
  }

  @Test
  void refusesToPayMoreThanTheMaximumGasPrice() {
    try (TxManager tx = TxManager.create(rpc, TestAnvil.account(3), FAST.withMaxGasPrice(Wei.of(1)))) {
      assertThatThrownBy(() -> tx.send(new TxRequest("transfer", EthAddress.of(TestAnvil.account(2).getAddress()), "0x", Wei.of(1), 0)))
          .isInstanceOf(ChainException.class)
          .hasMessageContaining("above the maximum gas price of 1 wei/gas");
    }
  }
}
