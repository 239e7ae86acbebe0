package io.jlivepeer.node.orchestrator;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.RoundsView;
import io.jlivepeer.payments.SenderMonitor;
import io.jlivepeer.payments.TicketBroker;
import io.jlivepeer.wire.TlsIdentity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ticket redemption service ({@code livepeer -redeemer}, as the reference node's): a gRPC {@code
 * net.TicketRedeemer} on its own TLS port (the certificate is self-signed and kept in the data dir; orchestrators
 * pin nothing), a persistent {@link RedemptionQueue} redeemed by one loop with this node's own account (it pays the
 * gas; the fees go to the tickets' recipient), and max-float updates for the orchestrators that watch a sender.
 *
 * <p>Threads: grpc-java's executor answers calls (QueueTicket blocks on the fsync'ed insert, never on the chain); one
 * scheduler thread ("redeemer-loop") redeems due tickets and refreshes watched senders' max float; one
 * ("redeemer-notify") recomputes a sender's max float after a ticket of it was queued.
 */
public final class RedeemerNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedeemerNode.class);

  /**
   * @param host, port where to listen ({@code -httpAddr}, as the reference's redeemer)
   * @param dataDir holds {@value RedemptionQueue#FILE_NAME} and the TLS certificate
   * @param recipient the orchestrator address whose tickets this redeemer takes ({@code -ethOrchAddr}, default its
   *     own account)
   * @param redeemInterval how often due tickets are looked for
   * @param refreshInterval how often watched senders' max float is re-read from the chain (deposits change)
   */
  public record Config(String host, int port, Path dataDir, EthAddress recipient, Duration redeemInterval,
      Duration refreshInterval) {
    public Config {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(recipient, "recipient");
      if (redeemInterval.isNegative() || redeemInterval.isZero() || refreshInterval.isNegative()
          || refreshInterval.isZero()) {
        throw new IllegalArgumentException("redeemer intervals must be positive");
      }
    }

    public static Config of(String host, int port, Path dataDir, EthAddress recipient) {
      return new Config(host, port, dataDir, recipient, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    public Config withRedeemInterval(Duration interval) {
      return new Config(host, port, dataDir, recipient, interval, refreshInterval);
    }
  }

  private final Config config;
  private final RedemptionQueue queue;
  private final TicketRedeemerService service;
  private final Server server;
  private final ScheduledExecutorService loop;
  private final ScheduledExecutorService notifier;

  private RedeemerNode(Config config, RedemptionQueue queue, TicketRedeemerService service, Server server,
      ScheduledExecutorService loop, ScheduledExecutorService notifier) {
    this.config = config;
    this.queue = queue;
    this.service = service;
    this.server = server;
    this.loop = loop;
    this.notifier = notifier;
  }

  /** Opens the queue (tickets of an earlier run are redeemed too), binds the port and starts the loop. */
  public static RedeemerNode start(Config config, TicketBroker broker, RoundsView rounds, Clock clock) {
    RedemptionQueue queue = RedemptionQueue.open(config.dataDir(), broker, rounds, clock);
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(daemon("redeemer-loop"));
    ScheduledExecutorService notifier = Executors.newSingleThreadScheduledExecutor(daemon("redeemer-notify"));
    SenderMonitor senders = new SenderMonitor(config.recipient(), broker, queue, clock,
        SenderMonitor.DEFAULT_CACHE_TTL);
    TicketRedeemerService service = new TicketRedeemerService(config.recipient(), queue, senders, notifier);
    Server server;
    try {
      TlsIdentity identity = TlsIdentity.loadOrCreate(config.dataDir(), clock);
      server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
          .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(identity.privateKey(), identity.certificate()))
              .build())
          .maxInboundMessageSize(64 * 1024) // a ticket is a few hundred bytes
          .addService(service)
          .build()
          .start();
    } catch (IOException | RuntimeException e) {
      loop.shutdownNow();
      notifier.shutdownNow();
      queue.close();
      String why = e instanceof SSLException ? "TLS: " + e.getMessage() : String.valueOf(e.getMessage());
      throw new NodeException("redeemer cannot listen on " + config.host() + ":" + config.port() + ": " + why
          + " (is another node using -httpAddr?)", e);
    }
    RedeemerNode node = new RedeemerNode(config, queue, service, server, loop, notifier);
    long every = config.redeemInterval().toMillis();
    loop.scheduleWithFixedDelay(node::redeemDue, every, every, TimeUnit.MILLISECONDS);
    long refresh = config.refreshInterval().toMillis();
    loop.scheduleWithFixedDelay(service::refreshAll, refresh, refresh, TimeUnit.MILLISECONDS);
    log.info("redeemer for recipient {} listening on {} (TLS gRPC net.TicketRedeemer); {} winning tickets waiting",
        config.recipient(), node.address(), queue.entries(RedemptionQueue.State.QUEUED).size());
    return node;
  }

  /** The bound address (the real port when the config asked for 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  public EthAddress recipient() {
    return config.recipient();
  }

  /** The persistent queue (read it for reports; the loop redeems). */
  public RedemptionQueue queue() {
    return queue;
  }

  /** Tickets accepted, refused and refused as duplicates since start. */
  public String counts() {
    return "queued " + service.queued.get() + ", refused " + service.refused.get() + ", duplicates "
        + service.duplicates.get() + ", max-float streams " + service.subscribers();
  }

  /** One pass of the loop, now: redeems what is due and tells watchers about the senders it paid from. */
  public RedemptionQueue.Report redeemDue() {
    try {
      RedemptionQueue.Report r = queue.redeemDue();
      if (r.redeemed() + r.dropped() + r.failed() > 0) {
        log.info("redeemed {} winning tickets ({} dropped, {} failed, {} due and waiting)", r.redeemed(),
            r.dropped(), r.failed(), r.deferred());
        service.refreshAll();
      } else if (r.brokerUnavailable() && r.deferred() > 0) {
        log.warn("chain unreachable: {} winning tickets wait for redemption", r.deferred());
      }
      return r;
    } catch (RuntimeException e) {
      log.warn("redemption pass failed: {}", e.toString()); // the ticket stays QUEUED for the next pass
      return new RedemptionQueue.Report(0, 0, 0, 0, true);
    }
  }

  @Override
  public void close() {
    service.closeStreams();
    server.shutdown();
    notifier.shutdownNow();
    loop.shutdown(); // a redemption in flight records its outcome first
    try {
      if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("the redemption loop did not stop within 10 s");
        loop.shutdownNow();
      }
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.close();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return Thread.ofPlatform().name(name).daemon().factory();
  }
}
