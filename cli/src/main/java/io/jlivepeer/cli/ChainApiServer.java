package io.jlivepeer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jlivepeer.chain.ChainException;
import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.chain.ProtocolClient.Delegator;
import io.jlivepeer.chain.ProtocolClient.Transcoder;
import io.jlivepeer.chain.RoundInfo;
import io.jlivepeer.chain.RoundWatcher;
import io.jlivepeer.chain.TxReceipt;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.payments.Wei;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local CLI HTTP API for staking and ticket-broker operations, bound to loopback only (it moves
 * the node's money). Parameters come as query parameters or an urlencoded form body, named like the
 * reference node's; answers are JSON. Errors are JSON {@code {"error": "..."}}: 400 for a bad parameter,
 * 422 when the contract rejected the transaction (with its revert reason), 405 for a wrong method, 404 for an
 * unknown path, 502 when the Ethereum node cannot be reached. Each request runs on its own virtual thread.
 *
 * <p>Amounts are wei (base units) by default; a suffix reads them as whole tokens ("1.5LPT", "0.1ETH").
 * Percentages (blockRewardCut, feeShare) are percent, like the reference node ("10" is 10%).
 */
final class ChainApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChainApiServer.class);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;

  /** The operations, with the HTTP method each accepts. */
  static final Map<String, String> ENDPOINTS = new LinkedHashMap<>();

  static {
    for (String p : List.of("bond", "unbond", "rebond", "withdrawStake", "withdrawFees", "claimEarnings",
        "activateOrchestrator", "setServiceURI", "reward", "initializeRound", "fundDepositAndReserve", "unlock",
        "cancelUnlock", "withdraw")) {
      ENDPOINTS.put(p, "POST");
    }
    for (String p : List.of("delegatorInfo", "transcoderInfo", "senderInfo", "protocolParameters",
        "registeredOrchestrators", "currentRound", "ethAddr", "contractAddresses", "faults")) {
      ENDPOINTS.put(p, "GET");
    }
  }

  private interface Handler {
    Object handle(Params p);
  }

  private final ProtocolClient client;
  private final RoundWatcher rounds;
  private final EthAddress self;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cli-api-", 0).factory());
  private final Map<String, Handler> handlers = new LinkedHashMap<>();

  ChainApiServer(ProtocolClient client, RoundWatcher rounds, InetSocketAddress bind) {
    this.client = client;
    this.rounds = rounds;
    this.self = client.account().orElseThrow(() -> new ChainUsageException("the CLI API needs an Ethereum account"));
    if (!bind.getAddress().isLoopbackAddress()) {
      throw new ChainUsageException("-cliAddr must be a loopback address (127.0.0.1 or ::1): the API moves this node's funds");
    }
    register();
    try {
      server = HttpServer.create(bind, 64);
    } catch (IOException e) {
      throw new ChainUsageException("cannot listen on -cliAddr " + bind + ": " + e.getMessage());
    }
    server.setExecutor(executor);
    server.createContext("/", this::exchange);
    server.start();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  /** {@code GET /faults}: a broadcaster's verification faults (FaultLog JSON), once a broadcaster serves them. */
  void serveFaults(java.util.function.Supplier<String> json) {
    handlers.put("faults", p -> {
      try {
        return JSON.readTree(json.get());
      } catch (IOException e) {
        throw new IllegalStateException("the fault log is not JSON", e);
      }
    });
  }

  private void register() {
    handlers.put("faults", p -> {
      throw new ChainUsageException("this node verifies no orchestrators' work: faults are listed by a broadcaster"
          + " started with -orchAddr and -verificationFreq");
    });
    handlers.put("bond", p -> tx(client.bond(p.amount("amount"), p.address("toAddr"))));
    handlers.put("unbond", p -> tx(client.unbond(p.amount("amount"))));
    handlers.put(
        "rebond",
        p -> p.optional("toAddr").isPresent()
            ? tx(client.rebondFromUnbonded(p.address("toAddr"), p.number("unbondingLockId")))
            : tx(client.rebond(p.number("unbondingLockId"))));
    handlers.put("withdrawStake", p -> tx(client.withdrawStake(p.number("unbondingLockId"))));
    handlers.put(
        "withdrawFees",
        p -> {
          EthAddress to = p.optional("recipient").isPresent() ? p.address("recipient") : self;
          Wei amount = p.optional("amount").isPresent() ? p.amount("amount") : client.getDelegator(self).fees();
          return tx(client.withdrawFees(to, amount));
        });
    handlers.put(
        "claimEarnings",
        p -> tx(client.claimEarnings(p.optional("endRound").isPresent() ? p.number("endRound") : client.currentRound())));
    handlers.put("activateOrchestrator", this::activateOrchestrator);
    handlers.put("setServiceURI", p -> tx(client.setServiceURI(p.required("serviceURI"))));
    handlers.put("reward", p -> tx(client.reward()));
    handlers.put("initializeRound", p -> tx(client.initializeRound()));
    handlers.put(
        "fundDepositAndReserve", p -> tx(client.fundDepositAndReserve(p.amount("depositAmount"), p.amount("reserveAmount"))));
    handlers.put("unlock", p -> tx(client.unlock()));
    handlers.put("cancelUnlock", p -> tx(client.cancelUnlock()));
    handlers.put("withdraw", p -> tx(client.withdraw()));
    handlers.put("delegatorInfo", p -> delegatorInfo(p.optional("addr").isPresent() ? p.address("addr") : self));
    handlers.put("transcoderInfo", p -> transcoderInfo(p.optional("addr").isPresent() ? p.address("addr") : self));
    handlers.put("senderInfo", p -> senderInfo(p.optional("addr").isPresent() ? p.address("addr") : self));
    handlers.put("protocolParameters", p -> protocolParameters());
    handlers.put("registeredOrchestrators", p -> registeredOrchestrators());
    handlers.put("currentRound", p -> currentRound());
    handlers.put("ethAddr", p -> Map.of("address", self.toString()));
    handlers.put("contractAddresses", p -> client.contractMap());
  }

  private Object activateOrchestrator(Params p) {
    long rewardCut = p.percent("blockRewardCut");
    long feeShare = p.percent("feeShare");
    String uri = p.required("serviceURI");
    Wei amount = p.optional("amount").isPresent() ? p.amount("amount") : Wei.ZERO;
    List<Object> txs = new ArrayList<>();
    if (amount.isZero() && client.getDelegator(self).bondedAmount().isZero()) {
      throw new ChainUsageException("amount: this account has no stake yet; give the amount to bond to itself");
    }
    List<String> done = new ArrayList<>();
    try {
      if (!amount.isZero()) {
        txs.add(tx(client.bond(amount, self)));
        done.add("bond");
      }
      txs.add(tx(client.transcoder(rewardCut, feeShare)));
      done.add("transcoder");
      txs.add(tx(client.setServiceURI(uri)));
    } catch (ChainException e) {
      if (done.isEmpty()) {
        throw e;
      }
      // Say what already happened so that a retry does not bond twice.
      throw new ChainException(String.join(" and ", done) + " done, then " + e.getMessage()
          + (done.contains("bond") ? "; retry without amount" : "; retry"), e);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("orchestrator", self.toString());
    m.put("rewardCut", rewardCut);
    m.put("feeShare", feeShare);
    m.put("serviceURI", uri);
    m.put("transactions", txs);
    return m;
  }

  private Map<String, Object> delegatorInfo(EthAddress addr) {
    Delegator d = client.getDelegator(addr);
    long round = client.currentRound();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", addr.toString());
    m.put("status", client.delegatorStatus(addr).name());
    m.put("bondedAmount", d.bondedAmount().toString());
    m.put("fees", d.fees().toString());
    m.put("delegateAddress", d.delegateAddress().toString());
    m.put("delegatedAmount", d.delegatedAmount().toString());
    m.put("startRound", d.startRound());
    m.put("lastClaimRound", d.lastClaimRound());
    m.put("nextUnbondingLockId", d.nextUnbondingLockId());
    m.put("pendingStake", client.pendingStake(addr, round).toString());
    m.put("pendingFees", client.pendingFees(addr, round).toString());
    List<Object> locks = new ArrayList<>();
    for (long id = 0; id < d.nextUnbondingLockId(); id++) {
      if (client.isValidUnbondingLock(addr, id)) {
        var lock = client.getDelegatorUnbondingLock(addr, id);
        locks.add(Map.of("id", id, "amount", lock.amount().toString(), "withdrawRound", lock.withdrawRound()));
      }
    }
    m.put("unbondingLocks", locks);
    m.put("lptBalance", client.lptBalance(addr).toString());
    return m;
  }

  private Map<String, Object> transcoderInfo(EthAddress addr) {
    Transcoder t = client.getTranscoder(addr);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", addr.toString());
    m.put("registered", client.isRegisteredTranscoder(addr));
    m.put("active", client.isActiveTranscoder(addr));
    m.put("totalStake", client.transcoderTotalStake(addr).toString());
    m.put("serviceURI", client.getServiceURI(addr));
    putTranscoder(m, t);
    return m;
  }

  private static void putTranscoder(Map<String, Object> m, Transcoder t) {
    m.put("rewardCut", t.rewardCut());
    m.put("feeShare", t.feeShare());
    m.put("lastRewardRound", t.lastRewardRound());
    m.put("activationRound", t.activationRound());
    m.put("deactivationRound", t.deactivationRound());
    m.put("cumulativeRewards", t.cumulativeRewards().toString());
    m.put("cumulativeFees", t.cumulativeFees().toString());
  }

  private Map<String, Object> senderInfo(EthAddress addr) {
    var s = client.getSenderInfo(addr);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", addr.toString());
    m.put("deposit", s.deposit().toString());
    m.put("withdrawRound", s.withdrawRound());
    m.put("reserve", s.reserveFundsRemaining().toString());
    m.put("reserveClaimedInCurrentRound", s.reserveClaimedInCurrentRound().toString());
    m.put("unlockInProgress", client.isUnlockInProgress(addr));
    m.put("ethBalance", client.rpc().balance(addr).toString());
    return m;
  }

  private Map<String, Object> protocolParameters() {
    var pp = client.protocolParameters();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("roundLength", pp.roundLength());
    m.put("roundLockAmount", pp.roundLockAmount());
    m.put("unbondingPeriod", pp.unbondingPeriod());
    m.put("numActiveTranscoders", pp.transcoderPoolMaxSize());
    m.put("totalBonded", pp.totalBonded().toString());
    m.put("totalSupply", pp.totalSupply().toString());
    m.put("inflation", pp.inflation().toString());
    m.put("inflationChange", pp.inflationChange().toString());
    m.put("targetBondingRate", pp.targetBondingRate().toString());
    m.put("currentMintableTokens", pp.currentMintableTokens().toString());
    m.put("unlockPeriod", pp.unlockPeriod());
    m.put("ticketValidityPeriod", pp.ticketValidityPeriod());
    m.put("paused", pp.paused());
    return m;
  }

  private List<Object> registeredOrchestrators() {
    List<Object> out = new ArrayList<>();
    for (var o : client.registeredOrchestrators()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("address", o.address().toString());
      m.put("serviceURI", o.serviceUri());
      m.put("totalStake", o.totalStake().toString());
      m.put("active", o.active());
      putTranscoder(m, o.transcoder());
      out.add(m);
    }
    return out;
  }

  private Map<String, Object> currentRound() {
    // Fresh from the chain: the watcher's copy may be one poll old.
    RoundInfo r = rounds.refresh(client.rpc().blockNumber());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", r.round());
    m.put("initialized", r.initialized());
    m.put("locked", r.locked());
    m.put("startBlock", r.startBlock());
    m.put("lastInitializedRound", r.lastInitializedRound());
    m.put("lastInitializedBlockHash", r.lastInitializedBlockHash());
    m.put("blockNumber", r.blockNumber());
    return m;
  }

  private static Map<String, Object> tx(TxReceipt r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("txHash", r.transactionHash());
    m.put("blockNumber", r.blockNumber());
    m.put("gasUsed", r.gasUsed());
    return m;
  }

  private void exchange(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String name = path.startsWith("/") ? path.substring(1) : path;
      Handler h = handlers.get(name);
      if (h == null) {
        reply(ex, 404, error("unknown endpoint " + path + "; known: " + String.join(", ", ENDPOINTS.keySet())));
        return;
      }
      String method = ENDPOINTS.get(name);
      String got = ex.getRequestMethod();
      boolean ok = got.equals(method) || (method.equals("GET") && got.equals("POST"));
      if (!ok) {
        ex.getResponseHeaders().add("Allow", method);
        reply(ex, 405, error(path + " takes " + method));
        return;
      }
      Params params;
      try {
        params = Params.parse(ex.getRequestURI().getRawQuery(), body(ex));
      } catch (ChainUsageException e) {
        reply(ex, 400, error(e.getMessage()));
        return;
      }
      try {
        reply(ex, 200, h.handle(params));
      } catch (ChainUsageException e) {
        reply(ex, 400, error(e.getMessage()));
      } catch (PaymentsException e) {
        // payments' Wei or EthAddress refused a value taken from the request: the caller's mistake, not the node's
        log.info("{} -> 400: {}", path, e.getMessage());
        reply(ex, 400, error(e.getMessage()));
      } catch (ChainException e) {
        int status = reverted(e) ? 422 : e.getMessage().startsWith("cannot reach") ? 502 : 400;
        log.info("{} -> {}: {}", path, status, e.getMessage());
        reply(ex, status, error(e.getMessage()));
      } catch (RuntimeException e) {
        log.error("CLI API {} failed", path, e);
        reply(ex, 500, error(name + " failed: internal error (" + e.getClass().getSimpleName() + "); see the node's log"));
      }
    }
  }

  /** Whether the contract rejected the call, here or in a step of a compound operation (the cause). */
  private static boolean reverted(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ChainException ce && ce.revertReason().isPresent()) {
        return true;
      }
    }
    return false;
  }

  private static String body(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(MAX_BODY + 1);
      if (b.length > MAX_BODY) {
        throw new ChainUsageException("request body over " + MAX_BODY + " bytes");
      }
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  private static Map<String, String> error(String message) {
    return Map.of("error", message);
  }

  private static void reply(HttpExchange ex, int status, Object body) throws IOException {
    byte[] b = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  /** The request's parameters (query first, then the form body), with typed accessors that fail as 400. */
  record Params(Map<String, String> values) {
    static Params parse(String rawQuery, String body) {
      Map<String, String> m = new LinkedHashMap<>();
      decode(rawQuery, m);
      if (!body.isBlank() && !body.strip().startsWith("{")) {
        decode(body.strip(), m);
      }
      return new Params(m);
    }

    private static void decode(String raw, Map<String, String> into) {
      if (raw == null || raw.isEmpty()) {
        return;
      }
      for (String pair : raw.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        try {
          String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          into.putIfAbsent(k, v);
        } catch (IllegalArgumentException e) {
          throw new ChainUsageException("malformed parameter encoding: " + pair);
        }
      }
    }

    Optional<String> optional(String name) {
      return Optional.ofNullable(values.get(name)).map(String::strip).filter(s -> !s.isEmpty());
    }

    String required(String name) {
      return optional(name).orElseThrow(() -> new ChainUsageException("missing parameter " + name));
    }

    Wei amount(String name) {
      return ChainApiServer.amount(name, required(name));
    }

    EthAddress address(String name) {
      return ChainNode.parseAddress(name, required(name));
    }

    long number(String name) {
      String v = required(name);
      try {
        long n = Long.parseLong(v);
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new ChainUsageException(name + ": not a non-negative whole number: \"" + v + "\"");
      }
    }

    /** A percentage ("10" or "12.5") as parts per million of the protocol's PERC_DIVISOR. */
    long percent(String name) {
      String v = required(name);
      try {
        BigDecimal pct = new BigDecimal(v);
        if (pct.signum() < 0 || pct.compareTo(BigDecimal.valueOf(100)) > 0) {
          throw new NumberFormatException();
        }
        return pct.multiply(BigDecimal.valueOf(ProtocolClient.PERC_DIVISOR / 100)).toBigIntegerExact().longValueExact();
      } catch (NumberFormatException | ArithmeticException e) {
        throw new ChainUsageException(name + ": not a percentage between 0 and 100 with at most 4 decimals: \"" + v + "\"");
      }
    }
  }

  /** Wei by default; "1.5LPT" / "0.1ETH" as whole tokens; "5gwei" in gwei. */
  static Wei amount(String name, String text) {
    String t = text.strip();
    String lower = t.toLowerCase(java.util.Locale.ROOT);
    try {
      if (lower.endsWith("lpt") || lower.endsWith("eth")) {
        return Wei.ofEther(t.substring(0, t.length() - 3).strip());
      }
      if (lower.endsWith("gwei")) {
        return Wei.of(new BigDecimal(t.substring(0, t.length() - 4).strip()).movePointRight(9).toBigIntegerExact());
      }
      return Wei.parse(t);
    } catch (PaymentsException | NumberFormatException | ArithmeticException e) {
      throw new ChainUsageException(name + ": not an amount: \"" + text + "\" (wei, or with a unit: 1.5LPT, 0.1ETH, 5gwei)");
    }
  }

  /** Parses host:port and insists on a loopback host. */
  static InetSocketAddress loopback(String hostPort) {
    String t = hostPort.strip();
    int colon = t.lastIndexOf(':');
    if (colon <= 0) {
      throw new ChainUsageException("-cliAddr: expected host:port, got \"" + hostPort + "\"");
    }
    String host = t.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new ChainUsageException("-cliAddr: not a port: \"" + t.substring(colon + 1) + "\"");
    }
    InetAddress addr;
    try {
      addr = InetAddress.getByName(host);
    } catch (IOException e) {
      throw new ChainUsageException("-cliAddr: unknown host \"" + host + "\"");
    }
    if (!addr.isLoopbackAddress()) {
      throw new ChainUsageException("-cliAddr must be a loopback address (127.0.0.1 or ::1): the API moves this node's funds");
    }
    return new InetSocketAddress(addr, port);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
  }
}
