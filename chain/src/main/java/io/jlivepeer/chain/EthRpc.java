package io.jlivepeer.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.Wei;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small Ethereum JSON-RPC client over HTTP (JDK HttpClient). We speak JSON-RPC ourselves rather than through
 * web3j's Web3j so that error objects (revert data) and transport failures reach us intact and become
 * operator-readable {@link ChainException}s naming the endpoint. Thread-safe; calls block, so callers use
 * virtual threads.
 */
public final class EthRpc implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final URI uri;
  private final HttpClient http;
  private final Duration timeout;
  private final AtomicLong ids = new AtomicLong();
  private final long chainId;

  private EthRpc(URI uri, Duration timeout) {
    this.uri = uri;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    this.chainId = quantity(call("eth_chainId")).longValueExact();
  }

  /** Connects with a 10 s request timeout; fails with a clear message when nothing answers at the URL. */
  public static EthRpc connect(String url) {
    return connect(url, Duration.ofSeconds(10));
  }

  public static EthRpc connect(String url, Duration timeout) {
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      throw new ChainException("not a JSON-RPC URL: \"" + url + "\" (check -ethUrl)");
    }
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new ChainException("not a JSON-RPC URL: \"" + url + "\" (expected http:// or https://; check -ethUrl)");
    }
    return new EthRpc(uri, timeout);
  }

  public String url() {
    return uri.toString();
  }

  public long chainId() {
    return chainId;
  }

  /** Sends one request and returns its result, or throws {@link RpcError} for a JSON-RPC error. */
  public JsonNode call(String method, Object... params) {
    ObjectNode req = JSON.createObjectNode();
    req.put("jsonrpc", "2.0");
    req.put("id", ids.incrementAndGet());
    req.put("method", method);
    ArrayNode arr = req.putArray("params");
    for (Object p : params) {
      arr.add(JSON.valueToTree(p));
    }
    HttpResponse<String> resp;
    try {
      HttpRequest r =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req)))
              .build();
      resp = http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new ChainException(
          "cannot reach the Ethereum JSON-RPC endpoint at " + uri + " (" + why + "); check -ethUrl and that the node runs",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChainException(method + " at " + uri + " was interrupted", e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(resp.body());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      throw new ChainException(
          "the Ethereum JSON-RPC endpoint at " + uri + " answered HTTP " + resp.statusCode() + " without a JSON-RPC body; check -ethUrl");
    }
    JsonNode err = body.get("error");
    if (err != null && !err.isNull()) {
      JsonNode data = err.get("data");
      String dataText = null;
      if (data != null && data.isTextual()) {
        dataText = data.asText();
      } else if (data != null && data.isObject() && data.path("data").isTextual()) {
        dataText = data.path("data").asText();
      }
      throw new RpcError(method, uri.toString(), err.path("code").asInt(), err.path("message").asText(), dataText);
    }
    return body.path("result");
  }

  public long blockNumber() {
    return quantity(call("eth_blockNumber")).longValueExact();
  }

  /** The latest block header. */
  public BlockRef latestBlock() {
    return block("latest").orElseThrow(() -> new ChainException("the node at " + uri + " has no latest block"));
  }

  Optional<BlockRef> block(String tag) {
    JsonNode b = call("eth_getBlockByNumber", tag, false);
    if (b == null || b.isNull() || b.isMissingNode()) {
      return Optional.empty();
    }
    Optional<BigInteger> baseFee =
        b.hasNonNull("baseFeePerGas") ? Optional.of(quantity(b.get("baseFeePerGas"))) : Optional.empty();
    return Optional.of(
        new BlockRef(
            quantity(b.get("number")).longValueExact(),
            b.get("hash").asText(),
            quantity(b.get("timestamp")).longValueExact(),
            baseFee));
  }

  public Wei balance(EthAddress account) {
    return Wei.of(quantity(call("eth_getBalance", account.hex(), "latest")));
  }

  /** The account's next nonce counting transactions waiting in the node's pool. */
  public long pendingNonce(EthAddress account) {
    return quantity(call("eth_getTransactionCount", account.hex(), "pending")).longValueExact();
  }

  /** eth_call of data against a contract at a block tag ("latest" or a hex number); returns the hex result. */
  String ethCall(Map<String, Object> tx, String blockTag) {
    return call("eth_call", tx, blockTag).asText();
  }

  static BigInteger quantity(JsonNode n) {
    if (n == null || !n.isTextual()) {
      throw new ChainException("the JSON-RPC node sent a malformed quantity: " + n);
    }
    String s = n.asText();
    return s.startsWith("0x") ? (s.length() == 2 ? BigInteger.ZERO : new BigInteger(s.substring(2), 16)) : new BigInteger(s);
  }

  static String hex(BigInteger v) {
    return "0x" + v.toString(16);
  }

  static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "EthRpc[" + uri + ", chain " + chainId + "]";
  }
}
