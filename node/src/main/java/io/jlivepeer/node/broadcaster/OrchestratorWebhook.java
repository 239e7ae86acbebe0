package io.jlivepeer.node.broadcaster;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlivepeer.node.NodeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broadcaster discovery through a webhook ({@code -orchWebhookUrl}): B GETs the URL at start and then every
 * {@link Config#interval()}, and the answer, a JSON array {@code [{"address":"https://host:port"}, ...]}, becomes the
 * webhook's part of the {@link OrchestratorPool}. An entry may carry {@code "trusted": true|false}; without it the
 * entry gets {@link Config#trustedByDefault()} (off by default: the operator's own {@code -orchAddr} list is what it
 * trusts). An answer B cannot use (HTTP error, bad JSON, bad address) is logged and the previous list is kept, so a
 * broken webhook never empties the pool.
 */
public final class OrchestratorWebhook implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrchestratorWebhook.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param url the webhook (http or https)
   * @param interval time between polls (default 1 minute)
   * @param timeout per GET (default 5 s)
   * @param trustedByDefault whether entries without a {@code trusted} field count as trusted (default false)
   * @param maxBytes largest answer read (default 1 MiB)
   */
  public record Config(URI url, Duration interval, Duration timeout, boolean trustedByDefault, int maxBytes) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    public Config {
      Objects.requireNonNull(url, "url");
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("-orchWebhookUrl must be an http:// or https:// URL, got '" + url + "'");
      }
      if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero() || maxBytes < 2) {
        throw new IllegalArgumentException("webhook interval, timeout and size limit must be positive");
      }
    }

    public static Config defaults(URI url) {
      return new Config(url, DEFAULT_INTERVAL, Duration.ofSeconds(5), false, 1 << 20);
    }

    public Config withInterval(Duration every) {
      return new Config(url, every, timeout, trustedByDefault, maxBytes);
    }

    public Config withTrustedByDefault(boolean trusted) {
      return new Config(url, interval, timeout, trusted, maxBytes);
    }
  }

  private final Config config;
  private final OrchestratorPool pool;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong polls = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  private OrchestratorWebhook(Config config, OrchestratorPool pool) {
    this.config = config;
    this.pool = pool;
    this.http = HttpClient.newBuilder()
        .sslContext(io.jlivepeer.wire.WireClients.trustAllSslContext())
        .connectTimeout(config.timeout())
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "orch-webhook");
      t.setDaemon(true);
      return t;
    });
  }

  /** Polls once now (so the first stream already has the list) and then every interval, in the background. */
  public static OrchestratorWebhook start(Config config, OrchestratorPool pool) {
    OrchestratorWebhook w = new OrchestratorWebhook(config, pool);
    w.poll();
    long every = config.interval().toMillis();
    w.scheduler.scheduleWithFixedDelay(w::poll, every, every, TimeUnit.MILLISECONDS);
    return w;
  }

  /** Polls done so far, successful or not. */
  public long polls() {
    return polls.get();
  }

  /** Polls whose answer was not used (the previous list stayed). */
  public long failures() {
    return failures.get();
  }

  /** One GET; true when the answer replaced the webhook's part of the pool. */
  boolean poll() {
    polls.incrementAndGet();
    try {
      List<OrchestratorPool.Discovered> list = parse(fetch(), config.trustedByDefault());
      int added = pool.updateDiscovered(list);
      log.debug("orchestrator webhook {}: {} listed, {} new; pool now {}", config.url(), list.size(), added,
          pool.addresses());
      if (added > 0) {
        log.info("orchestrator webhook {} added {} orchestrator(s); pool now {}", config.url(), added,
            pool.addresses());
      }
      return true;
    } catch (NodeException e) {
      failures.incrementAndGet();
      log.warn("orchestrator webhook {}: {}; keeping the previous list {}", config.url(), e.getMessage(),
          pool.addresses());
      return false;
    } catch (RuntimeException e) { // never let a bug kill the periodic task silently
      failures.incrementAndGet();
      log.error("orchestrator webhook {} poll failed unexpectedly", config.url(), e);
      return false;
    }
  }

  private byte[] fetch() {
    try {
      HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(config.url()).timeout(config.timeout())
          .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) {
          throw new NodeException("answered HTTP " + r.statusCode() + " (expected 200 with a JSON list)");
        }
        byte[] body = in.readNBytes(config.maxBytes() + 1);
        if (body.length > config.maxBytes()) {
          throw new NodeException("answer is over " + config.maxBytes() + " bytes");
        }
        return body;
      }
    } catch (IOException e) {
      throw new NodeException("cannot fetch: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeException("interrupted while fetching", e);
    }
  }

  /**
   * The list in a webhook answer: a JSON array of objects with an {@code address} (an http(s) URL or
   * {@code host:port}) and an optional boolean {@code trusted}. Anything else rejects the whole answer.
   */
  static List<OrchestratorPool.Discovered> parse(byte[] body, boolean trustedByDefault) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw new NodeException("answer is not JSON (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw new NodeException("answer is unreadable: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new NodeException("answer is not a JSON array of {\"address\": \"https://host:port\"} objects");
    }
    List<OrchestratorPool.Discovered> out = new ArrayList<>();
    for (JsonNode entry : root) {
      JsonNode address = entry.get("address");
      if (address == null || !address.isTextual()) {
        throw new NodeException("entry " + entry + " has no \"address\" string");
      }
      JsonNode trusted = entry.get("trusted");
      if (trusted != null && !trusted.isBoolean()) {
        throw new NodeException("entry " + entry + " has a \"trusted\" that is not true/false");
      }
      out.add(new OrchestratorPool.Discovered(hostPort(address.asText()),
          trusted == null ? trustedByDefault : trusted.asBoolean()));
    }
    return out;
  }

  /** {@code https://host:port[/...]} or {@code host:port} to {@code host:port} (8935 when a URL names no port). */
  static String hostPort(String address) {
    String a = address.strip();
    if (a.contains("://")) {
      URI uri;
      try {
        uri = URI.create(a);
      } catch (IllegalArgumentException e) {
        throw new NodeException("address '" + address + "' is not a URL", e);
      }
      if (uri.getHost() == null) {
        throw new NodeException("address '" + address + "' names no host");
      }
      String host = uri.getHost();
      return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":"
          + (uri.getPort() < 0 ? 8935 : uri.getPort());
    }
    int colon = a.lastIndexOf(':');
    if (colon <= 0 || colon == a.length() - 1) {
      throw new NodeException("address '" + address + "' is neither a URL nor host:port");
    }
    try {
      int port = Integer.parseInt(a.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NodeException("address '" + address + "' has port " + port + " outside 1..65535");
      }
    } catch (NumberFormatException e) {
      throw new NodeException("address '" + address + "' has no numeric port", e);
    }
    return a;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
