package io.jlivepeer.node.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.PaymentCodec;
import io.jlivepeer.node.broadcaster.BroadcasterPayments;
import io.jlivepeer.node.broadcaster.RemoteConfig;
import io.jlivepeer.node.broadcaster.RemoteTranscoder;
import io.jlivepeer.payments.BrokerUnavailableException;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.payments.Price;
import io.jlivepeer.payments.RedeemOutcome;
import io.jlivepeer.payments.RedemptionQueue;
import io.jlivepeer.payments.RoundsView;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Signature;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketBroker;
import io.jlivepeer.payments.TicketExpirationParams;
import io.jlivepeer.payments.TicketParams;
import io.jlivepeer.payments.TicketParamsIssuer;
import io.jlivepeer.payments.TicketSender;
import io.jlivepeer.payments.TicketSenderParams;
import io.jlivepeer.payments.Wei;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.PaymentResult;
import io.jlivepeer.wire.proto.SegData;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Micropayments at the wire: an orchestrator with {@link OrchestratorPayments} on a fake chain, paid over
 * {@code POST /segment} and {@code POST /payment} by a raw client (for every bad input) and by the broadcaster's
 * {@link RemoteTranscoder} with {@link BroadcasterPayments}. Transcoding is a fake with fixed pixel counts, so the
 * money can be checked to the wei. Every refusal must leave the balance and the credited total untouched.
 */
class OrchestratorPaymentsTest {
  private static final List<VideoProfile> LADDER = List.of(
      VideoProfile.of("P144p30fps16x9", 256, 144, 300_000, 30),
      VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30));
  /** Encoded pixels the fake transcoder reports per rendition. */
  private static final long PIXELS = 1_000_000;
  private static final Wei EV = Wei.of(1_000_000_000_000L);
  /** Face value twice the EV: every other ticket wins. */
  private static final Wei FACE = Wei.of(2_000_000_000_000L);
  private static final Price PRICE = Price.of(1_000_000, 1);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .sslContext(WireClients.trustAllSslContext()).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dataDir;
  @TempDir Path bDir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final FakeChain chain = new FakeChain();
  private final MutableClock clock = new MutableClock(Instant.now());
  private final EthKey oKey = EthKey.random(RANDOM);
  private final byte[] bPrivate = privateKey();
  private final EthKey b = EthKey.fromPrivateKey(bPrivate);
  private final EthKey bTickets = EthKey.fromPrivateKey(bPrivate);
  private final EthAddress bAddress = bTickets.address();

  private byte[] oPrivate;
  private OrchestratorPayments payments;
  private OrchestratorNode node;

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  private static byte[] privateKey() {
    return EthKey.random(RANDOM).privateKey();
  }

  private void startO(long pricePerUnit) {
    oPrivate = privateKey();
    payments = OrchestratorPayments.start(
        OrchestratorPayments.Config.of(Price.of(pricePerUnit, 1),
            TicketParamsIssuer.Config.defaults().withTicketEV(EV).withMaxFaceValue(FACE))
            .withRedeemInterval(Duration.ofHours(1)), // the tests redeem by hand
        oPrivate, chain, chain, dataDir.resolve("o" + toClose.size()), clock);
    toClose.add(payments);
    node = OrchestratorNode.start(OrchestratorConfig.defaults("127.0.0.1", 0, dataDir, "secret")
        .withPrice(pricePerUnit, 1), new FixedPixels(), clock, payments);
    toClose.add(node);
  }

  private void fund(EthAddress sender, long deposit, long reserve) {
    chain.senders.put(sender, new SenderInfo(Wei.of(deposit), 0, Wei.of(reserve), Wei.ZERO));
  }

  @Test
  void advertisesTicketParamsAndPriceWithTheAccountAsAddress() {
    fund(bAddress, 1_000_000_000_000_000L, 1_000_000_000_000_000L);
    startO(PRICE.pricePerUnit().longValue());
    OrchestratorInfo info = getOrchestrator(b);

    TicketParams p = PaymentCodec.fromProto(info.getTicketParams());
    assertThat(p.recipient()).isEqualTo(payments.recipient());
    assertThat(info.getAddress().toByteArray()).as("O signs with its Ethereum account")
        .isEqualTo(payments.recipient().toBytes());
    assertThat(p.faceValue()).isEqualTo(FACE);
    assertThat(p.expectedValue().toBigInteger()).isEqualTo(EV.value());
    assertThat(p.expirationBlock()).isEqualTo(chain.block + 40);
    assertThat(p.expirationParams()).isEqualTo(chain.lastInitializedRound());
    assertThat(info.getPriceInfo().getPricePerUnit()).isEqualTo(1_000_000);
  }

  @Test
  void refusesTicketParamsToASenderWithoutReserve() {
    startO(PRICE.pricePerUnit().longValue());
    assertThatThrownBy(() -> getOrchestrator(b)).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getDescription()).contains("insufficient sender reserve"));
  }

  @Test
  void paidSegmentsAreCreditedDebitedAndWinnersQueuedBeforeTheAnswer() throws Exception {
    fund(bAddress, 1_000_000_000_000_000L, 1_000_000_000_000_000L);
    startO(PRICE.pricePerUnit().longValue());
    OrchestratorInfo info = getOrchestrator(b);
    TicketSender sender = sender();
    String sid = sender.startSession(PaymentCodec.fromProto(info.getTicketParams()));
    BigDecimal fee = PRICE.forPixels(PIXELS * LADDER.size()); // 2 EV per segment
    for (int seq = 0; seq < 4; seq++) {
      String payment = pay(sender, sid, 2);
      HttpResponse<byte[]> r = post(info, segment(info, seq), payment);
      assertThat(r.statusCode()).as(body(r)).isEqualTo(200);
      io.jlivepeer.wire.proto.TranscodeResult result = io.jlivepeer.wire.proto.TranscodeResult.parseFrom(r.body());
      assertThat(result.hasData()).as(result.getError()).isTrue();
      assertThat(PaymentCodec.hasParams(result.getInfo().getTicketParams())).as("fresh params ride along").isTrue();
      // every winner of this payment is on disk by the time the segment is answered
      assertThat(payments.queue().entries()).hasSize((int) payments.stats().winners());
    }
    OrchestratorPayments.Stats s = payments.stats();
    assertThat(s.tickets()).isEqualTo(8);
    assertThat(s.creditedWei()).isEqualByComparingTo(new BigDecimal(EV.value()).multiply(BigDecimal.valueOf(8)));
    assertThat(s.debitedWei()).isEqualByComparingTo(fee.multiply(BigDecimal.valueOf(4)));
    assertThat(s.pixels()).isEqualTo(4 * PIXELS * LADDER.size());
    assertThat(payments.balance(info.getAuthToken().getSessionId())).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(s.winners()).as("8 tickets at win probability 1/2").isBetween(0L, 8L);
  }

  @Test
  void segmentWithoutEnoughBalanceIsRefused() {
    fund(bAddress, 1_000_000_000_000_000L, 1_000_000_000_000_000L);
    startO(PRICE.pricePerUnit().longValue());
    OrchestratorInfo info = getOrchestrator(b);
    assertRefused(post(info, segment(info, 0), ""), "Insufficient balance", info);
    // naming the sender without tickets does not help either
    io.jlivepeer.payments.Payment empty = new io.jlivepeer.payments.Payment(
        PaymentCodec.fromProto(info.getTicketParams()), bAddress, PRICE, List.of());
    assertRefused(post(info, segment(info, 1), encode(empty)), "Insufficient balance", info);
  }

  @Test
  void badTicketsAreRefusedWithTheirReasonAndCreditNothing() {
    fund(bAddress, 1_000_000_000_000_000L, 1_000_000_000_000_000L);
    startO(PRICE.pricePerUnit().longValue());
    OrchestratorInfo info = getOrchestrator(b);
    TicketParams params = PaymentCodec.fromProto(info.getTicketParams());
    TicketSender sender = sender();
    String sid = sender.startSession(params);

    // bad signature: tickets signed by another key, claimed to be from B
    EthKey mallory = EthKey.random(RANDOM);
    Ticket t = params.ticket(bAddress, 1);
    io.jlivepeer.payments.Payment forged = new io.jlivepeer.payments.Payment(params, bAddress, PRICE,
        List.of(new TicketSenderParams(1, mallory.signPersonal(t.hash()))));
    assertRefused(post(info, segment(info, 0), encode(forged)), "Invalid ticket (INVALID_SIGNATURE)", info);

    // wrong recipient: params naming someone else
    TicketParams elsewhere = new TicketParams(EthKey.random(RANDOM).address(), params.faceValue(), params.winProb(),
        params.recipientRandHash(), params.seed(), params.expirationBlock(), params.expirationParams());
    assertRefused(post(info, segment(info, 0), encode(signed(elsewhere, 1, 2))), "Invalid ticket (WRONG_RECIPIENT)",
        info);

    // unknown seed: params this O never issued
    TicketParams reseeded = new TicketParams(params.recipient(), params.faceValue(), params.winProb(),
        params.recipientRandHash(), Bytes32.of(random32()), params.expirationBlock(), params.expirationParams());
    assertRefused(post(info, segment(info, 0), encode(signed(reseeded, 1, 2))), "Invalid ticket (UNKNOWN_SEED)", info);

    // too many nonces: 601 tickets under one recipientRandHash
    assertRefused(post(info, segment(info, 0), encode(signed(params, 1000, 601))), "Invalid ticket (TOO_MANY_NONCES)",
        info);

    // reused nonce: a good payment, then the same tickets again
    String good = pay(sender, sid, 2);
    assertThat(post(info, segment(info, 0), good).statusCode()).isEqualTo(200);
    BigDecimal credited = payments.stats().creditedWei();
    BigDecimal balance = payments.balance(info.getAuthToken().getSessionId());
    HttpResponse<byte[]> replay = post(info, segment(info, 1), good);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(body(replay)).startsWith("Invalid ticket (NONCE_REUSED)");
    assertThat(payments.stats().creditedWei()).isEqualByComparingTo(credited);
    assertThat(payments.balance(info.getAuthToken().getSessionId())).isEqualByComparingTo(balance);

    // expired params: the chain moved past expirationBlock
    String late = pay(sender, sid, 2);
    chain.block = params.expirationBlock();
    HttpResponse<byte[]> expired = post(info, segment(info, 1), late);
    assertThat(expired.statusCode()).isEqualTo(400);
    assertThat(body(expired)).startsWith("Invalid ticket (PARAMS_EXPIRED)");
    assertThat(payments.stats().creditedWei()).isEqualByComparingTo(credited);
  }

  @Test
  void sendersWhoseFundsVanishedAreRefused() {
    fund(bAddress, 1_000_000_000_000_000L, 1_000_000_000_000_000L);
    startO(PRICE.pricePerUnit().longValue());
    OrchestratorInfo info = getOrchestrator(b);
    TicketParams params = PaymentCodec.fromProto(info.getTicketParams());

    // the reserve shrank below the face value (O's cached view refreshes after its TTL)
    fund(bAddress, 1_000_000_000_000_000L, 1_000);
    clock.advance(Duration.ofSeconds(31));
    assertRefused(post(info, segment(info, 0), encode(signed(params, 1, 2))),
        "Invalid ticket (FACE_VALUE_ABOVE_MAX_FLOAT)", info);

    // deposit and reserve withdrawn
    fund(bAddress, 0, 0);
    clock.advance(Duration.ofSeconds(31));
    assertRefused(post(info, segment(info, 0), encode(signed(params, 3, 2))), "Invalid ticket (NO_DEPOSIT)", info);
  }

  @Test
  void paymentEndpointCreditsTheSessionAndAnswersFreshInfo() throws Exception {
    fund(bAddress, 1_000_000_000_000_000L, 1_000_000_000_000_000L);
    startO(PRICE.pricePerUnit().longValue());
    OrchestratorInfo info = getOrchestrator(b);
    TicketSender sender = sender();
    String sid = sender.startSession(PaymentCodec.fromProto(info.getTicketParams()));
    SegData onlyToken = SegData.newBuilder().setAuthToken(info.getAuthToken()).build();

    HttpResponse<byte[]> r = postPayment(info, onlyToken, pay(sender, sid, 3));
    assertThat(r.statusCode()).as(body(r)).isEqualTo(200);
    PaymentResult answer = PaymentResult.parseFrom(r.body());
    assertThat(answer.getInfo().getAuthToken().getSessionId()).isEqualTo(info.getAuthToken().getSessionId());
    assertThat(PaymentCodec.hasParams(answer.getInfo().getTicketParams())).isTrue();
    assertThat(payments.balance(info.getAuthToken().getSessionId()))
        .isEqualByComparingTo(new BigDecimal(EV.value()).multiply(BigDecimal.valueOf(3)));

    // a bad payment on /payment: refused, nothing credited
    HttpResponse<byte[]> bad = postPayment(info, onlyToken, encode(signed(
        PaymentCodec.fromProto(info.getTicketParams()), 1, 1))); // nonce 1 was used above
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(body(bad)).startsWith("Invalid ticket (NONCE_REUSED)");
    assertThat(payments.balance(info.getAuthToken().getSessionId()))
        .isEqualByComparingTo(new BigDecimal(EV.value()).multiply(BigDecimal.valueOf(3)));
    // the credit pays for a segment sent with no tickets
    io.jlivepeer.payments.Payment none = new io.jlivepeer.payments.Payment(
        PaymentCodec.fromProto(info.getTicketParams()), bAddress, PRICE, List.of());
    assertThat(post(info, segment(info, 0), encode(none)).statusCode()).isEqualTo(200);
  }

  @Test
  void broadcasterPaysPerSegmentAndRedemptionWaitsOutAnUnreachableChain() {
    fund(bAddress, 1_000_000_000_000_000L, 1_000_000_000_000_000L);
    startO(PRICE.pricePerUnit().longValue());
    BroadcasterPayments payer = BroadcasterPayments.create(new BroadcasterPayments.Config(
        new TicketSender.Config(Wei.of(10_000_000_000_000L), Wei.of(100_000_000_000_000L), 1), Price.of(0, 1)),
        bPrivate, chain, chain, clock);
    RemoteTranscoder remote = RemoteTranscoder.start(RemoteConfig.defaults(
        List.of("127.0.0.1:" + node.serviceAddress().getPort()), bDir), LADDER, clock, UnaryOperator.identity(),
        java.util.Optional.of(payer));
    toClose.add(remote);
    try (Transcoder.TranscodeSession s = remote.open("stream", LADDER)) {
      for (int seq = 0; seq < 20; seq++) {
        if (seq == 1) {
          chain.down = true; // the chain goes away mid-stream: segments keep flowing on what O and B knew
        }
        TranscodeResult r = s.transcode(new Segment("stream", seq, 2000, ("segment " + seq).getBytes(
            StandardCharsets.UTF_8)));
        assertThat(r.renditions()).hasSize(LADDER.size());
        chain.block += 3; // params expire every ~13 segments: B switches to the fresh ones O sends along
      }
    }
    BroadcasterPayments.Stats paid = payer.stats();
    OrchestratorPayments.Stats got = payments.stats();
    assertThat(paid.tickets()).isEqualTo(got.tickets());
    assertThat(paid.evSentWei()).isEqualByComparingTo(got.creditedWei());
    assertThat(paid.chargedWei()).isEqualByComparingTo(got.debitedWei())
        .isEqualByComparingTo(PRICE.forPixels(20 * PIXELS * LADDER.size()));
    // B pays ahead by its fee estimate (payments.md: w x h x ceil(fps) x ceil(s) x 1.02); what is left over is at
    // most one estimate and one EV, and B's mirror of O's balance agrees with O to the wei
    BigDecimal estimate = io.jlivepeer.payments.Fees.segmentFee(LADDER.stream()
        .map(p -> io.jlivepeer.payments.Fees.Output.of(p.width(), p.height(), p.fps())).toList(), 2000, PRICE);
    BigDecimal left = paid.evSentWei().subtract(paid.chargedWei());
    assertThat(left).isNotNegative().isLessThanOrEqualTo(estimate.add(new BigDecimal(EV.value())));

    // every winner waits in the queue while the chain is unreachable, then is redeemed once, oldest first
    chain.block += 100;
    RedemptionQueue.Report waiting = payments.redeemDue();
    assertThat(waiting.brokerUnavailable()).isTrue();
    assertThat(payments.queue().entries(RedemptionQueue.State.QUEUED)).hasSize((int) got.winners());
    chain.down = false;
    RedemptionQueue.Report done = payments.redeemDue();
    assertThat(done.redeemed()).isEqualTo((int) got.winners());
    assertThat(chain.redeemed).hasSize((int) got.winners());
    assertThat(payments.redeemDue().redeemed()).isZero();
    List<Long> ids = payments.queue().entries(RedemptionQueue.State.REDEEMED).stream()
        .map(RedemptionQueue.Entry::id).toList();
    assertThat(ids).isSorted();
  }

  @Test
  void broadcasterSkipsOrchestratorsAboveItsMaxPrice() {
    fund(bAddress, 1_000_000_000_000_000L, 1_000_000_000_000_000L);
    startO(2 * PRICE.pricePerUnit().longValue());
    OrchestratorNode dear = node;
    OrchestratorPayments dearPayments = payments;
    startO(PRICE.pricePerUnit().longValue());
    BroadcasterPayments payer = BroadcasterPayments.create(new BroadcasterPayments.Config(
        new TicketSender.Config(Wei.of(10_000_000_000_000L), Wei.of(100_000_000_000_000L), 1), PRICE),
        bPrivate, chain, chain, clock);
    RemoteTranscoder remote = RemoteTranscoder.start(RemoteConfig.defaults(List.of(
        "127.0.0.1:" + dear.serviceAddress().getPort(), "127.0.0.1:" + node.serviceAddress().getPort()), bDir),
        LADDER, clock, UnaryOperator.identity(), java.util.Optional.of(payer));
    toClose.add(remote);
    try (Transcoder.TranscodeSession s = remote.open("stream", LADDER)) {
      for (int seq = 0; seq < 4; seq++) {
        s.transcode(new Segment("stream", seq, 2000, ("segment " + seq).getBytes(StandardCharsets.UTF_8)));
      }
    }
    assertThat(dearPayments.stats().tickets()).isZero();
    assertThat(payments.stats().pixels()).isEqualTo(4 * PIXELS * LADDER.size());
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private void assertRefused(HttpResponse<byte[]> r, String prefix, OrchestratorInfo info) {
    assertThat(r.statusCode()).as(body(r)).isEqualTo(400);
    assertThat(body(r)).startsWith(prefix);
    assertThat(payments.stats().creditedWei()).as("nothing credited").isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(payments.balance(info.getAuthToken().getSessionId())).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(payments.queue().entries()).as("nothing queued").isEmpty();
  }

  private TicketSender sender() {
    return new TicketSender(bTickets, chain, chain, new TicketSender.Config(Wei.of(10_000_000_000_000L),
        Wei.of(10_000_000_000_000_000L), 1), clock);
  }

  private static String pay(TicketSender sender, String sid, int n) {
    return encode(sender.createPayment(sid, n, PRICE));
  }

  /** {@code n} tickets signed by B from nonce {@code first}, under any params (even ones O would refuse). */
  private io.jlivepeer.payments.Payment signed(TicketParams params, long first, int n) {
    List<TicketSenderParams> tickets = new ArrayList<>();
    for (long nonce = first; nonce < first + n; nonce++) {
      tickets.add(new TicketSenderParams(nonce, bTickets.signPersonal(params.ticket(bAddress, nonce).hash())));
    }
    return new io.jlivepeer.payments.Payment(params, bAddress, PRICE, tickets);
  }

  private static String encode(io.jlivepeer.payments.Payment p) {
    return WireHeaders.encodePayment(PaymentCodec.toProto(p));
  }

  private static byte[] random32() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return b;
  }

  private OrchestratorInfo getOrchestrator(EthKey who) {
    ManagedChannel channel = WireClients.grpcChannel("127.0.0.1", node.serviceAddress().getPort());
    toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return OrchestratorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getOrchestrator(OrchestratorRequest.newBuilder()
            .setAddress(ByteString.copyFrom(who.address().toBytes()))
            .setSig(ByteString.copyFrom(SigningPayloads.sign(who, SigningPayloads.orchestratorRequest(who.address().toBytes()))))
            .setCapabilities(CapabilityBits.requiredFor(LADDER).toProto())
            .build());
  }

  private SegData segment(OrchestratorInfo info, long seq) {
    byte[] body = body(seq);
    SegData.Builder seg = SegData.newBuilder()
        .setManifestId(ByteString.copyFromUtf8("paid"))
        .setSeq(seq)
        .setHash(ByteString.copyFrom(Keccak.hash(body)))
        .setDuration(2000)
        .setCapabilities(CapabilityBits.requiredFor(LADDER).toProto())
        .setAuthToken(info.getAuthToken());
    WireProfiles.setProfiles(seg, LADDER);
    return seg.setSig(ByteString.copyFrom(SigningPayloads.sign(b, SigningPayloads.segment(seg.build())))).build();
  }

  private static byte[] body(long seq) {
    return ("segment " + seq).getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<byte[]> post(OrchestratorInfo info, SegData seg, String payment) {
    return send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/segment"))
        .header("Content-Type", WireHeaders.CONTENT_TYPE_SEGMENT)
        .header(WireHeaders.SEGMENT, WireHeaders.encodeSegment(seg))
        .header(WireHeaders.PAYMENT, payment)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body(seg.getSeq()))).build());
  }

  private static HttpResponse<byte[]> postPayment(OrchestratorInfo info, SegData seg, String payment) {
    return send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/payment"))
        .header(WireHeaders.SEGMENT, WireHeaders.encodeSegment(seg))
        .header(WireHeaders.PAYMENT, payment)
        .POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  private static HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String body(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /** Renditions of fixed size and pixel count: the money is what is tested here, not FFmpeg. */
  private static final class FixedPixels implements Transcoder {
    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      return new TranscodeSession() {
        @Override
        public TranscodeResult transcode(Segment segment) {
          List<Rendition> out = new ArrayList<>();
          for (VideoProfile p : profiles) {
            out.add(new Rendition(p, (p.name() + segment.seq()).getBytes(StandardCharsets.UTF_8), PIXELS));
          }
          return new TranscodeResult(PIXELS, out);
        }

        @Override
        public void close() {
          // nothing held
        }
      };
    }
  }

  /** The chain as payments sees it: senders' funds, the head, one initialized round; can be made unreachable. */
  static final class FakeChain implements TicketBroker, RoundsView {
    final Map<EthAddress, SenderInfo> senders = new ConcurrentHashMap<>();
    final List<Ticket> redeemed = Collections.synchronizedList(new ArrayList<>());
    volatile long block = 1_000;
    volatile boolean down;

    @Override
    public SenderInfo senderInfo(EthAddress sender) {
      if (down) {
        throw new BrokerUnavailableException("fake chain is down");
      }
      return senders.getOrDefault(sender, SenderInfo.NONE);
    }

    @Override
    public long transcoderPoolSize() {
      if (down) {
        throw new BrokerUnavailableException("fake chain is down");
      }
      return 1;
    }

    @Override
    public Wei claimedReserve(EthAddress reserveHolder, EthAddress claimant) {
      if (down) {
        throw new BrokerUnavailableException("fake chain is down");
      }
      return Wei.ZERO;
    }

    @Override
    public RedeemOutcome redeemWinningTicket(Ticket ticket, Signature signature, BigInteger recipientRand) {
      if (down) {
        return new RedeemOutcome.Unavailable("fake chain is down");
      }
      redeemed.add(ticket);
      return new RedeemOutcome.Redeemed("0x" + ticket.hash().hex().substring(2));
    }

    @Override
    public TicketExpirationParams lastInitializedRound() {
      byte[] hash = new byte[32];
      hash[31] = 7;
      return new TicketExpirationParams(5, Bytes32.of(hash));
    }

    @Override
    public long latestBlock() {
      return block; // watchers keep the last value while the node is down
    }

    @Override
    public Wei gasPrice() {
      return Wei.of(1);
    }
  }

  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
