package io.jlivepeer.chain;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/**
 * Sends transactions signed by one local key and waits for their receipts.
 *
 * <p>Thread model: every send runs on its own virtual thread; estimating gas and pricing happen in parallel,
 * while taking a nonce, signing and handing the transaction to the node happen under one lock, so nonces
 * leave the lock in the order the node receives them. A send the node refuses does not consume its nonce
 * (the counter is only advanced after the node accepted the bytes), so a failure never leaves a gap. The
 * nonce is read from the node once ("pending" count) and then tracked here; "nonce too low" and friends
 * make us read it again. Receipts are polled on the injected scheduler; a transaction without a receipt
 * after {@link Config#resendAfter()} is sent again with the same nonce and a bumped fee (it may have been
 * dropped from the pool), at most {@link Config#maxResends()} times.
 */
public final class TxManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TxManager.class);
  private static final BigInteger GWEI = BigInteger.TEN.pow(9);

  /**
   * Settings of the transaction manager.
   *
   * @param pollInterval how often receipts are polled (default 1 s; 100 ms suits anvil)
   * @param receiptTimeout give up waiting for a receipt after this long (default 5 min)
   * @param resendAfter send again with a higher fee when no receipt arrived after this long (default 2 min)
   * @param maxResends how many times one transaction is sent again (default 3)
   * @param gasMarginPercent added to the estimated gas (default 20)
   * @param maxGasPrice the most this node pays per gas, base fee plus tip (default 500 gwei)
   * @param fallbackPriorityFee tip used when the node cannot suggest one (default 1 gwei)
   */
  public record Config(
      Duration pollInterval,
      Duration receiptTimeout,
      Duration resendAfter,
      int maxResends,
      int gasMarginPercent,
      Wei maxGasPrice,
      Wei fallbackPriorityFee) {
    public static final Config DEFAULTS =
        new Config(
            Duration.ofSeconds(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(2),
            3,
            20,
            Wei.of(GWEI.multiply(BigInteger.valueOf(500))),
            Wei.of(GWEI));

    public Config {
      Objects.requireNonNull(pollInterval, "pollInterval");
      Objects.requireNonNull(receiptTimeout, "receiptTimeout");
      Objects.requireNonNull(resendAfter, "resendAfter");
      Objects.requireNonNull(maxGasPrice, "maxGasPrice");
      Objects.requireNonNull(fallbackPriorityFee, "fallbackPriorityFee");
      if (pollInterval.isZero() || pollInterval.isNegative()) {
        throw new ChainException("receipt poll interval must be positive");
      }
      if (gasMarginPercent < 0 || maxResends < 0) {
        throw new ChainException("gas margin and resend count must not be negative");
      }
    }

    public Config withPollInterval(Duration d) {
      return new Config(d, receiptTimeout, resendAfter, maxResends, gasMarginPercent, maxGasPrice, fallbackPriorityFee);
    }

    public Config withResendAfter(Duration d) {
      return new Config(pollInterval, receiptTimeout, d, maxResends, gasMarginPercent, maxGasPrice, fallbackPriorityFee);
    }

    public Config withReceiptTimeout(Duration d) {
      return new Config(pollInterval, d, resendAfter, maxResends, gasMarginPercent, maxGasPrice, fallbackPriorityFee);
    }

    public Config withMaxGasPrice(Wei w) {
      return new Config(pollInterval, receiptTimeout, resendAfter, maxResends, gasMarginPercent, w, fallbackPriorityFee);
    }
  }

  /** The price of gas: legacy (gasPrice only) or EIP-1559 (maxFee with a tip). */
  record Fees(boolean eip1559, BigInteger maxFee, BigInteger tip) {
    Fees bumped(BigInteger cap) {
      // Nodes require a replacement to raise both fees by at least 10%: use 15% (+1 wei against rounding).
      BigInteger fee = maxFee.multiply(BigInteger.valueOf(115)).divide(BigInteger.valueOf(100)).add(BigInteger.ONE).min(cap);
      BigInteger t = tip.multiply(BigInteger.valueOf(115)).divide(BigInteger.valueOf(100)).add(BigInteger.ONE).min(fee);
      return new Fees(eip1559, fee, t);
    }
  }

  /** A transaction handed to the node and waiting for its receipt; resends add hashes. */
  private static final class Pending {
    final TxRequest request;
    final long nonce;
    final long gasLimit;
    final Instant firstSent;
    final List<String> hashes = new ArrayList<>();
    Fees fees;
    Instant lastSent;
    int resends;

    Pending(TxRequest request, long nonce, long gasLimit, Fees fees, String hash, Instant at) {
      this.request = request;
      this.nonce = nonce;
      this.gasLimit = gasLimit;
      this.fees = fees;
      this.hashes.add(hash);
      this.firstSent = at;
      this.lastSent = at;
    }
  }

  private final EthRpc rpc;
  private final Credentials signer;
  private final EthAddress from;
  private final Config config;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tx-", 0).factory());
  private final ReentrantLock nonceLock = new ReentrantLock();
  private long nextNonce = -1; // guarded by nonceLock; -1: read it from the node

  private TxManager(EthRpc rpc, Credentials signer, Config config, ScheduledExecutorService scheduler, boolean owns, Clock clock) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.from = EthAddress.of(signer.getAddress());
    this.config = Objects.requireNonNull(config, "config");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.ownsScheduler = owns;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A manager with its own receipt-polling scheduler and the system clock. */
  public static TxManager create(EthRpc rpc, Credentials signer, Config config) {
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("tx-poll").daemon().factory());
    return new TxManager(rpc, signer, config, s, true, Clock.systemUTC());
  }

  /** A manager polling on the given scheduler and reading time from the given clock (not shut down on close). */
  public static TxManager create(EthRpc rpc, Credentials signer, Config config, ScheduledExecutorService scheduler, Clock clock) {
    return new TxManager(rpc, signer, config, scheduler, false, clock);
  }

  public EthAddress address() {
    return from;
  }

  public EthRpc rpc() {
    return rpc;
  }

  /** Deploys a contract and returns its address. */
  public EthAddress deploy(String action, String initCode) {
    return send(TxRequest.deploy(action, initCode))
        .deployed()
        .orElseThrow(() -> new ChainException(action + " failed: the receipt names no contract address"));
  }

  /** Sends and waits for the receipt; throws {@link ChainException} with the decoded reason on a revert. */
  public TxReceipt send(TxRequest request) {
    return await(submit(request));
  }

  /** Sends on a virtual thread; the future completes with the receipt or a {@link ChainException}. */
  public CompletableFuture<TxReceipt> submit(TxRequest request) {
    CompletableFuture<TxReceipt> result = new CompletableFuture<>();
    workers.execute(
        () -> {
          try {
            Pending p = broadcast(request);
            schedulePoll(p, result);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  /** Waits for a submitted transaction, unwrapping its failure. */
  public static TxReceipt await(CompletableFuture<TxReceipt> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChainException("interrupted while waiting for a transaction", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ChainException ce) {
        // Re-throw the same exception type with the same message, keeping the caller's stack for debugging.
        throw ce;
      }
      throw new ChainException("transaction failed: " + c, c);
    }
  }

  private Pending broadcast(TxRequest req) {
    long gas = req.gasLimit() > 0 ? req.gasLimit() : estimateGas(req);
    Fees fees = fees(req.action());
    nonceLock.lock();
    try {
      for (int attempt = 0; ; attempt++) {
        if (nextNonce < 0) {
          nextNonce = rpc.pendingNonce(from);
        }
        long nonce = nextNonce;
        String raw = sign(req, nonce, gas, fees);
        String hash = Hash.sha3(raw);
        try {
          rpc.call("eth_sendRawTransaction", raw);
        } catch (RpcError e) {
          if (e.messageContains("already known") || e.messageContains("already imported")) {
            // These exact bytes are already in the pool (a retried request): that is our transaction.
            log.debug("{}: node already knows {}", req.action(), hash);
          } else if (attempt < 3
              && (e.messageContains("nonce too low")
                  || e.messageContains("nonce too high")
                  || e.messageContains("replacement transaction underpriced"))) {
            log.info("{}: nonce {} rejected ({}); reading the account nonce again", req.action(), nonce, e.rpcMessage());
            nextNonce = -1;
            continue;
          } else {
            throw rejected(req, e);
          }
        } catch (ChainException e) {
          // Transport failure: the node may or may not have the transaction. Ask it again next time.
          nextNonce = -1;
          throw new ChainException(req.action() + " failed: " + e.getMessage(), e);
        }
        nextNonce = nonce + 1;
        log.debug("{}: sent {} nonce {} gas {}", req.action(), hash, nonce, gas);
        return new Pending(req, nonce, gas, fees, hash, clock.instant());
      }
    } finally {
      nonceLock.unlock();
    }
  }

  private ChainException rejected(TxRequest req, RpcError e) {
    if (e.messageContains("insufficient funds")) {
      return new ChainException(
          req.action() + " failed: account " + from + " has not enough ETH to pay for gas and value; fund it first");
    }
    return RevertReasons.fromRpcError(e)
        .map(r -> ChainException.reverted(req.action(), r))
        .orElseGet(() -> new ChainException(req.action() + " failed: the node rejected the transaction: " + e.rpcMessage(), e));
  }

  private long estimateGas(TxRequest req) {
    JsonNode est;
    try {
      est = rpc.call("eth_estimateGas", callObject(req, 0));
    } catch (RpcError e) {
      if (e.messageContains("insufficient funds")) {
        throw rejected(req, e);
      }
      throw RevertReasons.fromRpcError(e)
          .map(r -> ChainException.reverted(req.action(), r))
          .orElseGet(() -> new ChainException(req.action() + " failed: gas estimation failed: " + e.rpcMessage(), e));
    }
    long gas = EthRpc.quantity(est).longValueExact();
    return gas + gas * config.gasMarginPercent() / 100;
  }

  private Fees fees(String action) {
    BigInteger cap = config.maxGasPrice().value();
    BlockRef latest = rpc.latestBlock();
    if (latest.baseFeePerGas().isPresent()) {
      BigInteger base = latest.baseFeePerGas().get();
      if (base.compareTo(cap) > 0) {
        throw new ChainException(
            action + " failed: the network's base fee (" + base + " wei/gas) is above the maximum gas price of " + cap
                + " wei/gas; wait or raise -maxGasPrice");
      }
      BigInteger tip;
      try {
        tip = EthRpc.quantity(rpc.call("eth_maxPriorityFeePerGas"));
      } catch (RpcError e) {
        tip = config.fallbackPriorityFee().value();
      }
      BigInteger maxFee = base.shiftLeft(1).add(tip).min(cap);
      return new Fees(true, maxFee, tip.min(maxFee.subtract(base)));
    }
    BigInteger price = EthRpc.quantity(rpc.call("eth_gasPrice"));
    if (price.compareTo(cap) > 0) {
      throw new ChainException(
          action + " failed: the network's gas price (" + price + " wei/gas) is above the maximum of " + cap
              + " wei/gas; wait or raise -maxGasPrice");
    }
    return new Fees(false, price, price);
  }

  private String sign(TxRequest req, long nonce, long gas, Fees fees) {
    BigInteger n = BigInteger.valueOf(nonce);
    BigInteger g = BigInteger.valueOf(gas);
    String to = req.contractCreation() ? "" : req.to().hex();
    BigInteger value = req.value().value();
    byte[] signed;
    if (fees.eip1559()) {
      RawTransaction raw = RawTransaction.createTransaction(rpc.chainId(), n, g, to, value, req.data(), fees.tip(), fees.maxFee());
      signed = TransactionEncoder.signMessage(raw, signer);
    } else {
      RawTransaction raw = RawTransaction.createTransaction(n, fees.maxFee(), g, to, value, req.data());
      signed = TransactionEncoder.signMessage(raw, rpc.chainId(), signer);
    }
    return "0x" + HexFormat.of().formatHex(signed);
  }

  private Map<String, Object> callObject(TxRequest req, long gas) {
    Map<String, Object> tx = new LinkedHashMap<>();
    tx.put("from", from.hex());
    if (!req.contractCreation()) {
      tx.put("to", req.to().hex());
    }
    tx.put("data", req.data());
    if (!req.value().isZero()) {
      tx.put("value", EthRpc.hex(req.value().value()));
    }
    if (gas > 0) {
      tx.put("gas", EthRpc.hex(gas));
    }
    return tx;
  }

  private void schedulePoll(Pending p, CompletableFuture<TxReceipt> result) {
    if (workers.isShutdown()) {
      result.completeExceptionally(new ChainException(p.request.action() + " failed: the transaction manager was closed"));
      return;
    }
    scheduler.schedule(
        () -> {
          try {
            workers.execute(() -> poll(p, result));
          } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new ChainException(p.request.action() + " failed: the transaction manager was closed"));
          }
        },
        config.pollInterval().toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private void poll(Pending p, CompletableFuture<TxReceipt> result) {
    try {
      for (int i = p.hashes.size() - 1; i >= 0; i--) {
        JsonNode r = rpc.call("eth_getTransactionReceipt", p.hashes.get(i));
        if (r != null && r.isObject()) {
          result.complete(receipt(p, r));
          return;
        }
      }
      Instant now = clock.instant();
      if (Duration.between(p.firstSent, now).compareTo(config.receiptTimeout()) > 0) {
        throw new ChainException(
            p.request.action() + " failed: no receipt for transaction " + p.hashes.getLast() + " (nonce " + p.nonce + ") after "
                + config.receiptTimeout().toSeconds() + " s; it may still be mined later, check the chain before retrying");
      }
      if (Duration.between(p.lastSent, now).compareTo(config.resendAfter()) >= 0 && p.resends < config.maxResends()) {
        resend(p);
      }
      schedulePoll(p, result);
    } catch (ChainException e) {
      // A transport error while polling is transient: keep polling until the receipt timeout.
      if (e instanceof RpcError || e.getMessage().startsWith("cannot reach")) {
        log.debug("{}: polling {} failed: {}", p.request.action(), p.hashes.getLast(), e.getMessage());
        if (Duration.between(p.firstSent, clock.instant()).compareTo(config.receiptTimeout()) <= 0) {
          schedulePoll(p, result);
          return;
        }
      }
      result.completeExceptionally(e);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private void resend(Pending p) {
    Fees bumped = p.fees.bumped(config.maxGasPrice().value());
    p.lastSent = clock.instant();
    p.resends++;
    if (bumped.maxFee().multiply(BigInteger.TEN).compareTo(p.fees.maxFee().multiply(BigInteger.valueOf(11))) < 0) {
      log.warn("{}: transaction {} still not mined and the fee is at the maximum; waiting", p.request.action(), p.hashes.getLast());
      return;
    }
    String raw = sign(p.request, p.nonce, p.gasLimit, bumped);
    String hash = Hash.sha3(raw);
    try {
      rpc.call("eth_sendRawTransaction", raw);
      p.fees = bumped;
      p.hashes.add(hash);
      log.info("{}: no receipt after {} s; sent again as {} with fee {} wei/gas", p.request.action(),
          config.resendAfter().toSeconds(), hash, bumped.maxFee());
    } catch (RpcError e) {
      // "nonce too low": an earlier copy was mined (its receipt shows up on the next poll).
      // "underpriced"/"already known": the earlier copy is still pending. Keep polling either way.
      log.debug("{}: resend not accepted: {}", p.request.action(), e.rpcMessage());
    }
  }

  private TxReceipt receipt(Pending p, JsonNode r) {
    String hash = r.path("transactionHash").asText();
    long block = EthRpc.quantity(r.get("blockNumber")).longValueExact();
    long gasUsed = EthRpc.quantity(r.get("gasUsed")).longValueExact();
    JsonNode status = r.get("status");
    if (status != null && status.isTextual() && EthRpc.quantity(status).signum() == 0) {
      throw revertedOnChain(p, hash, block, gasUsed);
    }
    List<TxReceipt.EventLog> logs = new ArrayList<>();
    for (JsonNode l : r.path("logs")) {
      List<String> topics = new ArrayList<>();
      l.path("topics").forEach(t -> topics.add(t.asText()));
      logs.add(new TxReceipt.EventLog(EthAddress.of(l.path("address").asText()), topics, l.path("data").asText()));
    }
    JsonNode created = r.get("contractAddress");
    EthAddress contract = created != null && created.isTextual() ? EthAddress.of(created.asText()) : EthAddress.ZERO;
    return new TxReceipt(hash, block, gasUsed, contract, logs);
  }

  /** Replays the failed call at its block to learn why it reverted; receipts carry no reason. */
  private ChainException revertedOnChain(Pending p, String hash, long block, long gasUsed) {
    try {
      rpc.call("eth_call", callObject(p.request, p.gasLimit), EthRpc.hex(block));
    } catch (RpcError e) {
      var reason = RevertReasons.fromRpcError(e);
      if (reason.isPresent()) {
        return ChainException.reverted(p.request.action(), reason.get());
      }
    } catch (ChainException e) {
      log.debug("replaying {} failed: {}", hash, e.getMessage());
    }
    String hint = gasUsed >= p.gasLimit ? " (it used all " + p.gasLimit + " gas: out of gas?)" : "";
    return ChainException.reverted(
        p.request.action(), "transaction " + hash + " reverted in block " + block + " without a reason" + hint);
  }

  /** Makes the next send read the nonce from the node again. */
  public void resyncNonce() {
    nonceLock.lock();
    try {
      nextNonce = -1;
    } finally {
      nonceLock.unlock();
    }
  }

  @Override
  public void close() {
    workers.shutdown();
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }
}
