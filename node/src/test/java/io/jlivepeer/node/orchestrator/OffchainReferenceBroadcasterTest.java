package io.jlivepeer.node.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthCrypto;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.payments.Price;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Signature;
import io.jlivepeer.payments.TicketParamsIssuer;
import io.jlivepeer.payments.Wei;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.proto.Capabilities;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.PingPong;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscodeResult;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import io.jlivepeer.wire.proto.VideoProfile;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our orchestrator as an offchain go-livepeer broadcaster finds it: the requests here are built field by field as
 * the reference B builds them offchain (its Sign gives no signature and its address is the zero address), with the
 * header names and encodings of wire.md written out literally rather than through our codecs: GetOrchestrator with
 * 20 zero bytes and an empty sig, SegData with the ladder in fullProfiles3 and no sig, no Livepeer-Payment header at
 * all. Renditions must come back, and O's signatures must check out the reference's way (ecrecover over the
 * personal-sign hash of keccak256 of the message).
 */
class OffchainReferenceBroadcasterTest {
  /** Strict SemVer 2.0.0 (semver.org): what a reference B's -orchMinLivepeerVersion check parses. */
  private static final Pattern SEMVER = Pattern.compile("^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
      + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
      + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");
  private static final HttpClient HTTP = HttpClient.newBuilder().sslContext(WireClients.trustAllSslContext())
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dataDir;
  @TempDir Path work;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  /** The reference B's capability bits for an H.264 MPEG-TS ladder with a codec profile and GOP (wire.md ids). */
  private static Capabilities referenceCapabilities() {
    long bits = 1L | 1L << 1 | 1L << 10 | 1L << 11 | 1L << 12; // H264, MPEGTS, ConstrainedHigh, GOP, AuthToken
    return Capabilities.newBuilder().addBitstring(bits).setVersion("0.8.0").build();
  }

  private static OrchestratorRequest offchainRequest() {
    return OrchestratorRequest.newBuilder()
        .setAddress(ByteString.copyFrom(new byte[20])) // ethcommon.Address{} of an offchain node
        .setSig(ByteString.EMPTY) // an offchain node's Sign returns no bytes
        .setCapabilities(referenceCapabilities())
        .build();
  }

  private OrchestratorGrpc.OrchestratorBlockingStub stub(OrchestratorNode node) {
    ManagedChannel channel = WireClients.grpcChannel("127.0.0.1", node.serviceAddress().getPort());
    toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return OrchestratorGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private OrchestratorNode offchainO() {
    OrchestratorNode node = OrchestratorNode.start(OrchestratorConfig.defaults("127.0.0.1", 0, dataDir, "s3cret"),
        new FfmpegTranscoder());
    toClose.add(node);
    return node;
  }

  @Test
  void anOffchainReferenceBroadcasterGetsOrchestratorInfoAndRenditionsBack() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    OrchestratorNode node = offchainO();
    OrchestratorInfo info = stub(node).getOrchestrator(offchainRequest());

    assertThat(info.getTranscoder()).startsWith("https://127.0.0.1:");
    assertThat(info.hasTicketParams()).as("offchain: no ticket_params (an on-chain B would read a zero recipient)")
        .isFalse();
    assertThat(info.hasPriceInfo()).as("offchain: no price_info").isFalse();
    assertThat(info.getAddress().size()).isEqualTo(20);
    assertThat(info.getCapabilities().getVersion()).as("capabilities.version is a semantic version").matches(SEMVER);
    assertThat(info.getAuthToken().getSessionId()).matches("[0-9a-f]{8}");

    byte[] segment = Files.readAllBytes(TestMedia.source(480, 270, 30, 2, "ts"));
    List<VideoProfile> ladder = List.of(profile("P144p30fps16x9", 256, 144, 300_000),
        profile("P240p30fps16x9", 426, 240, 600_000));
    SegData seg = SegData.newBuilder()
        .setManifestId(ByteString.copyFromUtf8("reference-b"))
        .setSeq(0)
        .setHash(ByteString.copyFrom(Keccak.hash(segment)))
        .setDuration(2000)
        .setCapabilities(referenceCapabilities())
        .setAuthToken(info.getAuthToken())
        .addAllFullProfiles3(ladder)
        .build(); // sig: empty, as an offchain B's
    HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/segment"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "video/MP2T")
        .header("Livepeer-Segment", Base64.getEncoder().encodeToString(seg.toByteArray()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(segment)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    TranscodeResult result = TranscodeResult.parseFrom(response.body());
    assertThat(result.hasData()).as(result.getError()).isTrue();
    assertThat(result.getData().getSegmentsList()).hasSize(2);

    ByteArrayOutputStream hashes = new ByteArrayOutputStream();
    for (int i = 0; i < ladder.size(); i++) {
      TranscodedSegmentData out = result.getData().getSegments(i);
      HttpResponse<byte[]> rendition = HTTP.send(HttpRequest.newBuilder(URI.create(out.getUrl())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(rendition.statusCode()).isEqualTo(200);
      Path file = work.resolve(i + ".ts");
      Files.write(file, rendition.body());
      assertThat(TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
          "-show_entries", "stream=width,height", "-of", "csv=p=0", file.toString()), 60).lines().findFirst().orElse(""))
          .isEqualTo(ladder.get(i).getWidth() + "," + ladder.get(i).getHeight());
      assertThat(out.getPixels()).isGreaterThan(0);
      hashes.writeBytes(Keccak.hash(rendition.body()));
    }
    // the reference B's check: ecrecover(personal-sign hash of keccak256(concatenated rendition hashes)) == O
    assertThat(recoverTheReferenceWay(hashes.toByteArray(), result.getData().getSig().toByteArray()))
        .isEqualTo(EthAddress.of(info.getAddress().toByteArray()));
  }

  private static VideoProfile profile(String name, int width, int height, int bitrate) {
    // fullProfiles3: a codec profile and a GOP, which fields 33 and 34 cannot carry
    return VideoProfile.newBuilder().setName(name).setWidth(width).setHeight(height).setBitrate(bitrate).setFps(30)
        .setFormat(VideoProfile.Format.MPEGTS).setProfile(VideoProfile.Profile.H264_CONSTRAINED_HIGH).setGop(2000)
        .build();
  }

  @Test
  void pingIsSignedAsTheReferenceSignsOverKeccakOfTheValue() {
    OrchestratorNode node = offchainO();
    OrchestratorInfo info = stub(node).getOrchestrator(offchainRequest());
    EthAddress o = EthAddress.of(info.getAddress().toByteArray());
    SecureRandom random = new SecureRandom();
    for (int length : new int[] {0, 17, 32, 64}) {
      byte[] value = new byte[length];
      random.nextBytes(value);
      PingPong pong = stub(node).ping(PingPong.newBuilder().setValue(ByteString.copyFrom(value)).build());
      assertThat(recoverTheReferenceWay(value, pong.getValue().toByteArray())).as("%d-byte value", length)
          .isEqualTo(o);
    }
  }

  @Test
  void anOnChainOrchestratorStillRefusesTheZeroAddressWithoutASignature() {
    OrchestratorPaymentsTest.FakeChain chain = new OrchestratorPaymentsTest.FakeChain();
    chain.senders.put(EthAddress.ZERO, new SenderInfo(Wei.of(1_000_000), 0, Wei.of(1_000_000), Wei.ZERO));
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    OrchestratorPayments payments = OrchestratorPayments.start(OrchestratorPayments.Config.of(Price.of(1, 1),
        TicketParamsIssuer.Config.defaults()), key, chain, chain, dataDir.resolve("paid"), Clock.systemUTC());
    toClose.add(payments);
    OrchestratorNode node = OrchestratorNode.start(OrchestratorConfig.defaults("127.0.0.1", 0, dataDir, "s3cret")
        .withPrice(1, 1), new FfmpegTranscoder(), Clock.systemUTC(), payments);
    toClose.add(node);
    assertThatThrownBy(() -> stub(node).getOrchestrator(offchainRequest()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("signature");
        });
  }

  /**
   * go-livepeer's verification of an O signature, written out: the signed message is keccak256(msg); the digest
   * is keccak256("\x19Ethereum Signed Message:\n32" || that); ecrecover gives the signer.
   */
  private static EthAddress recoverTheReferenceWay(byte[] message, byte[] signature) {
    return EthCrypto.recoverPersonal(Bytes32.of(Keccak.hash(message)), Signature.of(signature))
        .orElseThrow(() -> new AssertionError("signature recovers to no key"));
  }
}
