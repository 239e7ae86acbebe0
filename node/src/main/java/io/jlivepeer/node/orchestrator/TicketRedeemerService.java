package io.jlivepeer.node.orchestrator;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jlivepeer.node.PaymentCodec;
import io.jlivepeer.payments.BrokerUnavailableException;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthCrypto;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.SenderMonitor;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketParamsIssuer;
import io.jlivepeer.payments.TicketValidator;
import io.jlivepeer.payments.Wei;
import io.jlivepeer.payments.WinningTicket;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.proto.MaxFloatReq;
import io.jlivepeer.wire.proto.MaxFloatUpdate;
import io.jlivepeer.wire.proto.QueueTicketRes;
import io.jlivepeer.wire.proto.TicketRedeemerGrpc;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code net.TicketRedeemer} (redeemer.proto): the orchestrators of one operator hand their winning tickets to this
 * service, which checks that each one really is a winning ticket for the recipient it serves, stores it durably
 * ({@link RedemptionQueue}, fsync'ed) before it answers, and tells subscribed orchestrators each sender's max float
 * whenever it changes. Every refusal has its own status and message:
 * <ul>
 *   <li>INVALID_ARGUMENT: malformed fields, a recipientRand that does not hash to recipient_rand_hash, a signature
 *       that is not the sender's, a ticket that did not win, a face value of 0;
 *   <li>PERMISSION_DENIED: a recipient this redeemer does not redeem for;
 *   <li>ALREADY_EXISTS: the same ticket (same hash) was queued before: it is not stored twice;
 *   <li>UNAVAILABLE: the ticket could not be stored, or the chain is unreachable for a max float (try again).
 * </ul>
 */
final class TicketRedeemerService extends TicketRedeemerGrpc.TicketRedeemerImplBase {
  private static final Logger log = LoggerFactory.getLogger(TicketRedeemerService.class);

  private final EthAddress recipient;
  private final RedemptionQueue queue;
  private final SenderMonitor senders;
  private final Executor notifier;
  private final ConcurrentHashMap<EthAddress, Watch> watches = new ConcurrentHashMap<>();
  final AtomicLong queued = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();

  /** @param notifier where max-float refreshes run (chain calls: never on a gRPC thread that answers a ticket) */
  TicketRedeemerService(EthAddress recipient, RedemptionQueue queue, SenderMonitor senders, Executor notifier) {
    this.recipient = Objects.requireNonNull(recipient, "recipient");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.senders = Objects.requireNonNull(senders, "senders");
    this.notifier = Objects.requireNonNull(notifier, "notifier");
  }

  @Override
  public void queueTicket(io.jlivepeer.wire.proto.Ticket request, StreamObserver<QueueTicketRes> response) {
    WinningTicket w;
    try {
      w = check(request);
    } catch (StatusRuntimeException e) {
      refused.incrementAndGet();
      log.info("refused a ticket: {}", e.getStatus().getDescription());
      response.onError(e);
      return;
    }
    boolean fresh;
    try {
      fresh = queue.offer(w);
    } catch (PaymentsException e) {
      log.error("cannot store a winning ticket: {}", e.getMessage());
      response.onError(Status.UNAVAILABLE.withDescription("the redeemer cannot store the ticket now; try again")
          .asRuntimeException());
      return;
    }
    Ticket t = w.ticket();
    if (!fresh) {
      duplicates.incrementAndGet();
      response.onError(Status.ALREADY_EXISTS.withDescription("ticket " + t.hash() + " is already queued")
          .asRuntimeException());
      return;
    }
    queued.incrementAndGet();
    log.info("queued winning ticket {} from {} (face value {} wei, nonce {}), redeemable after block {}",
        t.hash(), t.sender(), t.faceValue(), t.senderNonce(), w.expirationBlock());
    response.onNext(QueueTicketRes.getDefaultInstance());
    response.onCompleted();
    notifier.execute(() -> refresh(t.sender()));
  }

  @Override
  public void maxFloat(MaxFloatReq request, StreamObserver<MaxFloatUpdate> response) {
    try {
      response.onNext(update(senders.maxFloat(sender(request))));
      response.onCompleted();
    } catch (StatusRuntimeException e) {
      response.onError(e);
    } catch (BrokerUnavailableException e) {
      response.onError(Status.UNAVAILABLE.withDescription("the redeemer cannot reach its Ethereum node: "
          + e.getMessage()).asRuntimeException());
    }
  }

  /** Sends the sender's max float now, then each change (after a ticket is queued or redeemed, or on refresh). */
  @Override
  public void monitorMaxFloat(MaxFloatReq request, StreamObserver<MaxFloatUpdate> response) {
    EthAddress sender;
    try {
      sender = sender(request);
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    Subscriber s = new Subscriber(response);
    Watch w = watches.computeIfAbsent(sender, k -> new Watch());
    w.subscribers.add(s);
    if (response instanceof ServerCallStreamObserver<MaxFloatUpdate> server) {
      server.setOnCancelHandler(() -> w.subscribers.remove(s));
    }
    notifier.execute(() -> refresh(sender));
  }

  /** Senders some orchestrator watches now. */
  List<EthAddress> watchedSenders() {
    watches.entrySet().removeIf(e -> e.getValue().subscribers.isEmpty());
    return List.copyOf(watches.keySet());
  }

  int subscribers() {
    return watches.values().stream().mapToInt(w -> w.subscribers.size()).sum();
  }

  /** Reads the sender's max float afresh from the chain and the queue and sends it to subscribers it changed for. */
  void refresh(EthAddress sender) {
    Watch w = watches.get(sender);
    if (w == null || w.subscribers.isEmpty()) {
      return;
    }
    Wei value;
    try {
      senders.invalidate(sender);
      value = senders.maxFloat(sender);
    } catch (RuntimeException e) {
      log.debug("max float of {} not refreshed: {}", sender, e.toString());
      return;
    }
    MaxFloatUpdate update = update(value);
    for (Subscriber s : w.subscribers) {
      if (!s.send(value, update)) {
        w.subscribers.remove(s);
      }
    }
  }

  void refreshAll() {
    for (EthAddress sender : watchedSenders()) {
      refresh(sender);
    }
  }

  void closeStreams() {
    for (Watch w : watches.values()) {
      for (Subscriber s : w.subscribers) {
        s.end();
      }
    }
    watches.clear();
  }

  /** Everything that makes a ticket worth storing; throws the status to answer otherwise. */
  private WinningTicket check(io.jlivepeer.wire.proto.Ticket request) {
    WinningTicket w;
    try {
      w = PaymentCodec.fromProto(request);
    } catch (WireException e) {
      throw invalid(e.getMessage());
    }
    Ticket t = w.ticket();
    if (!t.recipient().equals(recipient)) {
      throw Status.PERMISSION_DENIED.withDescription("ticket recipient " + t.recipient()
          + " is not served by this redeemer (it redeems for " + recipient + ")").asRuntimeException();
    }
    if (t.faceValue().isZero()) {
      throw invalid("ticket face value is 0: nothing to redeem");
    }
    if (!TicketParamsIssuer.recipientRandHash(w.recipientRand()).equals(t.recipientRandHash())) {
      throw invalid("recipient_rand does not hash to the ticket's recipient_rand_hash");
    }
    if (!EthCrypto.isPersonalSignedBy(t.hash(), w.signature(), t.sender())) {
      throw invalid("ticket signature is not by sender " + t.sender());
    }
    if (!TicketValidator.isWinner(w.signature(), w.recipientRand(), t.winProb())) {
      throw invalid("ticket did not win (keccak256(sig, recipient_rand) is not below win_prob)");
    }
    return w;
  }

  private static EthAddress sender(MaxFloatReq request) {
    if (request.getSender().size() != 20) {
      throw invalid("sender must be a 20-byte address, got " + request.getSender().size() + " bytes");
    }
    return EthAddress.of(request.getSender().toByteArray());
  }

  private static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  private static MaxFloatUpdate update(Wei value) {
    return MaxFloatUpdate.newBuilder().setMaxFloat(PaymentCodec.toBytes(value)).build();
  }

  private static final class Watch {
    final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  }

  /** One MonitorMaxFloat stream; sends are serialized (a StreamObserver is not thread-safe) and only on change. */
  private static final class Subscriber {
    private final StreamObserver<MaxFloatUpdate> stream;
    private Optional<Wei> last = Optional.empty(); // guarded by this

    Subscriber(StreamObserver<MaxFloatUpdate> stream) {
      this.stream = stream;
    }

    /** False when the stream is gone. */
    synchronized boolean send(Wei value, MaxFloatUpdate update) {
      if (last.isPresent() && last.get().equals(value)) {
        return true;
      }
      try {
        stream.onNext(update);
        last = Optional.of(value);
        return true;
      } catch (RuntimeException e) {
        return false; // cancelled by the orchestrator
      }
    }

    synchronized void end() {
      try {
        stream.onCompleted();
      } catch (RuntimeException e) {
        // already cancelled
      }
    }
  }
}
