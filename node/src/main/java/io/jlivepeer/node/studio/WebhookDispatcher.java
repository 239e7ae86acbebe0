package io.jlivepeer.node.studio;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhook events from the SQLite outbox. An event is written (fsync'ed) before anything is sent, so it
 * survives a restart of B; it stays pending until its receiver answers 2xx, retried with exponential backoff
 * ({@link Retry}); its id never changes, so a receiver that saw an attempt whose answer got lost dedupes on it.
 * Each attempt is logged per webhook. Deliveries run on virtual threads, one per event in flight; a single
 * scheduler thread decides when the next one is due.
 */
final class WebhookDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
  static final String SIGNATURE_HEADER = "Livepeer-Signature";
  /** Pending events looked at per pass; more wait for the next pass. */
  private static final int BATCH = 200;

  /**
   * @param initial delay after the first failure (default 1 s), doubling per attempt up to {@code max} (60 s)
   * @param giveUpAfter an event older than this that still fails is marked failed (default 24 h)
   * @param timeout per attempt: connect plus answer (default 10 s)
   */
  record Retry(Duration initial, Duration max, Duration giveUpAfter, Duration timeout) {
    static final Retry DEFAULTS = new Retry(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofHours(24),
        Duration.ofSeconds(10));

    long delayMillis(int attempts) {
      long d = initial.toMillis() << Math.min(20, Math.max(0, attempts - 1));
      return Math.min(max.toMillis(), d);
    }
  }

  private final StudioStore store;
  private final Clock clock;
  private final Retry retry;
  private final ObjectMapper json;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private volatile Map<String, Webhook> hooks = Map.of();
  private ScheduledFuture<?> next;
  private volatile boolean closed;

  WebhookDispatcher(StudioStore store, Clock clock, Retry retry, ObjectMapper json) {
    this.store = store;
    this.clock = clock;
    this.retry = retry;
    this.json = json;
    this.http = HttpClient.newBuilder().connectTimeout(retry.timeout()).followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("webhook-scheduler")
        .daemon(true).factory());
    reloadHooks();
    wake();
  }

  void reloadHooks() {
    Map<String, Webhook> m = new ConcurrentHashMap<>();
    store.webhooks().forEach(w -> m.put(w.id(), w));
    hooks = m;
  }

  /** Queues {@code event} for every webhook subscribed to it; returns the event ids (one per webhook). */
  List<String> publish(String event, ObjectNode stream, ObjectNode payload) {
    long now = clock.millis();
    List<String> ids = new java.util.ArrayList<>();
    for (Webhook w : hooks.values()) {
      if (!w.events().contains(event)) {
        continue;
      }
      String id = UUID.randomUUID().toString();
      ObjectNode body = json.createObjectNode();
      body.put("id", id);
      body.put("webhookId", w.id());
      body.put("event", event);
      body.put("createdAt", now);
      body.put("timestamp", now);
      body.set("stream", stream);
      body.set("payload", payload);
      store.addEvent(new StudioStore.Event(id, w.id(), event, now, body.toString(), 0, now, "pending"));
      ids.add(id);
    }
    if (!ids.isEmpty()) {
      wake();
    }
    return ids;
  }

  /** Runs a pass now. */
  synchronized void wake() {
    if (closed) {
      return;
    }
    if (next != null) {
      next.cancel(false);
    }
    next = scheduler.schedule(this::pass, 0, TimeUnit.MILLISECONDS);
  }

  private synchronized void scheduleAt(long atMillis) {
    if (closed) {
      return;
    }
    long delay = Math.max(0, atMillis - clock.millis());
    if (next != null && !next.isDone() && next.getDelay(TimeUnit.MILLISECONDS) <= delay) {
      return;
    }
    if (next != null) {
      next.cancel(false);
    }
    next = scheduler.schedule(this::pass, delay, TimeUnit.MILLISECONDS);
  }

  private void pass() {
    synchronized (this) {
      next = null; // this pass is running: what it schedules must not be mistaken for an earlier pass still due
    }
    try {
      long now = clock.millis();
      long soonest = Long.MAX_VALUE;
      for (StudioStore.Event e : store.pendingEvents(BATCH)) {
        if (inFlight.contains(e.id())) {
          continue; // its attempt reschedules when done
        }
        if (e.nextAt() > now) {
          soonest = Math.min(soonest, e.nextAt());
          continue;
        }
        inFlight.add(e.id());
        Thread.ofVirtual().name("webhook-" + e.id()).start(() -> {
          try {
            attempt(e);
          } finally {
            inFlight.remove(e.id());
            wake();
          }
        });
      }
      if (soonest != Long.MAX_VALUE) {
        scheduleAt(soonest);
      }
    } catch (RuntimeException e) {
      if (!closed) {
        log.error("webhooks: cannot read the outbox ({}); trying again in {} s", e.getMessage(),
            retry.max().toSeconds());
        scheduleAt(clock.millis() + retry.max().toMillis());
      }
    }
  }

  private void attempt(StudioStore.Event e) {
    if (closed) {
      return;
    }
    Webhook w = hooks.get(e.webhookId());
    if (w == null) {
      return; // deleted: its pending events were cancelled with it
    }
    int attempt = e.attempts() + 1;
    long t = clock.millis();
    int status = 0;
    String error = "";
    long start = System.nanoTime();
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(w.url()))
          .timeout(retry.timeout())
          .header("Content-Type", "application/json")
          .header("User-Agent", "jlivepeer-webhooks")
          .header(SIGNATURE_HEADER, signature(w.sharedSecret().orElse(""), t, e.body()))
          .POST(HttpRequest.BodyPublishers.ofString(e.body(), StandardCharsets.UTF_8))
          .build();
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      status = response.statusCode();
      if (status / 100 != 2) {
        error = "the receiver answered HTTP " + status;
      }
    } catch (IOException | IllegalArgumentException ex) {
      error = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getClass().getSimpleName() + ": "
          + ex.getMessage();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return; // closing: the event stays pending for the next start
    }
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    boolean ok = error.isEmpty();
    long now = clock.millis();
    String state;
    long nextAt;
    if (ok) {
      state = "delivered";
      nextAt = now;
      log.info("webhook {} ({}): {} event {} delivered on attempt {}", w.name(), w.url(), e.event(), e.id(), attempt);
    } else if (now - e.createdAt() >= retry.giveUpAfter().toMillis()) {
      state = "failed";
      nextAt = now;
      log.warn("webhook {} ({}): giving up on {} event {} after {} attempts over {}: {}", w.name(), w.url(), e.event(),
          e.id(), attempt, retry.giveUpAfter(), error);
    } else {
      state = "pending";
      nextAt = now + retry.delayMillis(attempt);
      log.info("webhook {} ({}): {} event {} attempt {} failed ({}); next try in {} ms", w.name(), w.url(), e.event(),
          e.id(), attempt, error, nextAt - now);
    }
    if (closed) {
      return; // the store may be closing; the attempt is retried after the restart (same id: receivers dedupe)
    }
    try {
      store.attempted(e, w.id(), new StudioStore.Delivery(e.id(), e.event(), t, attempt, status, error, tookMillis,
          ok), state, nextAt);
    } catch (RuntimeException ex) {
      log.warn("webhook {}: could not record attempt {} of event {} ({}); it will be retried", w.name(), attempt,
          e.id(), ex.getMessage());
    }
  }

  /** {@code t=<unix ms>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>}. */
  static String signature(String secret, long t, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      // an empty secret still signs (HMAC keys may be empty; the JCE refuses a zero-length key spec)
      mac.init(new SecretKeySpec(secret.isEmpty() ? new byte[1] : secret.getBytes(StandardCharsets.UTF_8),
          "HmacSHA256"));
      byte[] h = mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8));
      return "t=" + t + ",v1=" + HexFormat.of().formatHex(h);
    } catch (java.security.GeneralSecurityException ex) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", ex);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (next != null) {
        next.cancel(false);
      }
    }
    scheduler.shutdownNow();
    http.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
  }
}
