package io.jlivepeer.node.orchestrator;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.PaymentCodec;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.RedeemOutcome;
import io.jlivepeer.payments.Wei;
import io.jlivepeer.payments.WinningTicket;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.proto.MaxFloatReq;
import io.jlivepeer.wire.proto.MaxFloatUpdate;
import io.jlivepeer.wire.proto.TicketRedeemerGrpc;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An orchestrator's link to its ticket redemption service ({@code -redeemerAddr}): hands over winning tickets
 * ({@link #queueTicket}, used by the orchestrator's outbox, which keeps each ticket until the redeemer stored it) and
 * keeps each sender's max float as the redeemer streams it (MonitorMaxFloat, re-opened with back-off after a
 * failure). Thread-safe.
 */
public final class RedeemerClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedeemerClient.class);
  private static final Duration QUEUE_DEADLINE = Duration.ofSeconds(10);
  private static final Duration MAX_FLOAT_DEADLINE = Duration.ofSeconds(3);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String address;
  private final ManagedChannel channel;
  private final TicketRedeemerGrpc.TicketRedeemerBlockingStub blocking;
  private final TicketRedeemerGrpc.TicketRedeemerStub async;
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("redeemer-client").daemon().factory());
  /** Senders being watched, with the last value the redeemer sent (empty until the first one). */
  private final ConcurrentHashMap<EthAddress, Optional<Wei>> maxFloats = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private RedeemerClient(String address, ManagedChannel channel) {
    this.address = address;
    this.channel = channel;
    this.blocking = TicketRedeemerGrpc.newBlockingStub(channel);
    this.async = TicketRedeemerGrpc.newStub(channel);
  }

  /** A client for the redeemer at {@code host:port} (TLS; its self-signed certificate is accepted). Connects lazily. */
  public static RedeemerClient connect(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new NodeException("-redeemerAddr must be host:port, got '" + hostPort + "'");
    }
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new NodeException("-redeemerAddr must be host:port, got '" + hostPort + "'", e);
    }
    return new RedeemerClient(hostPort, WireClients.grpcChannel(host, port));
  }

  public String address() {
    return address;
  }

  /**
   * QueueTicket. Redeemed (with no tx hash yet) means the redeemer has the ticket, also when it already had it
   * (ALREADY_EXISTS: e.g. our record of the first hand-over was lost in a crash); Reverted is a refusal for good
   * (the reason is the redeemer's); Unavailable means try again later.
   */
  public RedeemOutcome queueTicket(WinningTicket ticket) {
    try {
      blocking.withDeadlineAfter(QUEUE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .queueTicket(PaymentCodec.toProto(ticket));
      return new RedeemOutcome.Redeemed("queued at redeemer " + address);
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      String why = code + ": " + e.getStatus().getDescription();
      return switch (code) {
        case ALREADY_EXISTS -> new RedeemOutcome.Redeemed("already queued at redeemer " + address);
        case INVALID_ARGUMENT, PERMISSION_DENIED, FAILED_PRECONDITION, OUT_OF_RANGE -> new RedeemOutcome.Reverted(why);
        default -> new RedeemOutcome.Unavailable("redeemer " + address + ": " + why);
      };
    }
  }

  /**
   * The sender's max float as the redeemer last said, or empty when it never answered (the caller then computes
   * its own). The first call for a sender asks once (briefly) and starts watching it.
   */
  public Optional<Wei> maxFloat(EthAddress sender) {
    Optional<Wei> known = maxFloats.get(sender);
    if (known != null) {
      return known; // watched: the stream keeps it current (empty while the redeemer is away: no waiting per call)
    }
    if (maxFloats.putIfAbsent(sender, Optional.empty()) != null) {
      return maxFloats.get(sender);
    }
    watch(sender, Duration.ofSeconds(1));
    try {
      MaxFloatUpdate u = blocking.withDeadlineAfter(MAX_FLOAT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .maxFloat(request(sender));
      Wei value = PaymentCodec.weiOf(u.getMaxFloat());
      maxFloats.replace(sender, Optional.empty(), Optional.of(value)); // unless the stream was quicker
      return maxFloats.get(sender);
    } catch (StatusRuntimeException e) {
      log.warn("no max float for {} from redeemer {} ({}); using this node's own estimate until it answers", sender,
          address, e.getStatus().getCode());
      return Optional.empty();
    }
  }

  private void watch(EthAddress sender, Duration backoff) {
    if (closed) {
      return;
    }
    async.monitorMaxFloat(request(sender), new StreamObserver<>() {
      private boolean got;

      @Override
      public void onNext(MaxFloatUpdate u) {
        got = true;
        maxFloats.put(sender, Optional.of(PaymentCodec.weiOf(u.getMaxFloat())));
      }

      @Override
      public void onError(Throwable t) {
        again(t.toString());
      }

      @Override
      public void onCompleted() {
        again("stream ended");
      }

      private void again(String why) {
        if (closed) {
          return;
        }
        Duration next = got ? Duration.ofSeconds(1) : min(backoff.multipliedBy(2), MAX_BACKOFF);
        log.debug("max-float stream of {} from redeemer {} ended ({}); again in {} ms", sender, address, why,
            next.toMillis());
        retries.schedule(() -> watch(sender, next), next.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static MaxFloatReq request(EthAddress sender) {
    return MaxFloatReq.newBuilder().setSender(ByteString.copyFrom(sender.toBytes())).build();
  }

  @Override
  public void close() {
    closed = true;
    retries.shutdownNow();
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
