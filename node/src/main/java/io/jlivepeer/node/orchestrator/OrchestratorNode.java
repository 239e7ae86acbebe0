package io.jlivepeer.node.orchestrator;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.wire.AuthTokens;
import io.jlivepeer.wire.ServicePort;
import io.jlivepeer.wire.ServicePortConfig;
import io.jlivepeer.wire.TlsIdentity;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.proto.EndTranscodingSessionRequest;
import io.jlivepeer.wire.proto.EndTranscodingSessionResponse;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.PingPong;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator role (O) of wire.md with local transcoding: one TLS port ({@link ServicePort}) serving gRPC
 * {@code net.Orchestrator} (GetOrchestrator, EndTranscodingSession, Ping) and HTTPS {@code POST /segment},
 * {@code POST /payment}, {@code GET /stream/<session>/<profile>/<seq>.ts} and {@code GET /metrics}.
 *
 * <p>Identity: O's Ethereum signing key is kept in {@code <dataDir>/orchestrator.key} (hex, created once), the TLS
 * certificate next to it. Auth tokens are HMAC'd with a key derived from {@code orchSecret}, so tokens survive a
 * restart of an O with the same secret.
 *
 * <p>Segment signatures: O checks B's signature when B sent its (signed) address in the GetOrchestrator that issued
 * the segment's auth token; a B that sent no address is served without that check (without a chain there is no
 * other source of B's address). Payments: {@link SegmentPayments}; free by default, probabilistic micropayments with
 * {@link OrchestratorPayments} ({@link #start(OrchestratorConfig, Transcoder, OrchestratorPayments)}).
 */
public final class OrchestratorNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrchestratorNode.class);
  /** O's signing key in the data dir: the 32-byte private scalar as hex. */
  public static final String KEY_FILE = "orchestrator.key";
  private static final Duration IDLE_SWEEP = Duration.ofSeconds(5);

  private final OrchestratorCore core;
  private final RemoteTranscoders remotes;
  private final ServicePort port;
  private final ExecutorService workers;
  private final ExecutorService closer;
  private final ScheduledExecutorService sweeper;

  private OrchestratorNode(OrchestratorCore core, RemoteTranscoders remotes, ServicePort port, ExecutorService workers, ExecutorService closer,
      ScheduledExecutorService sweeper) {
    this.core = core;
    this.remotes = remotes;
    this.port = port;
    this.workers = workers;
    this.closer = closer;
    this.sweeper = sweeper;
  }

  /** Starts O with local transcoding through {@code transcoder} (e.g. a media FfmpegTranscoder). */
  public static OrchestratorNode start(OrchestratorConfig config, Transcoder transcoder) {
    return start(config, transcoder, Clock.systemUTC(), SegmentPayments.NONE);
  }

  /** As {@link #start(OrchestratorConfig, Transcoder)}, on a given clock (auth-token expiry, idle sessions). */
  public static OrchestratorNode start(OrchestratorConfig config, Transcoder transcoder, Clock clock) {
    return start(config, transcoder, clock, SegmentPayments.NONE);
  }

  /**
   * Starts O paid through probabilistic micropayments: O's signing key is the payments' Ethereum account (so that
   * OrchestratorInfo.address is the ticket recipient), not the key file. The price must be the config's.
   */
  public static OrchestratorNode start(OrchestratorConfig config, Transcoder transcoder, OrchestratorPayments payments) {
    if (payments.price().comparePerPixel(io.jlivepeer.payments.Price.of(config.pricePerUnit(), config.pixelsPerUnit()))
        != 0) {
      throw new NodeException("the payments price differs from -pricePerUnit/-pixelsPerUnit");
    }
    return start(config, transcoder, Clock.systemUTC(), payments);
  }

  static OrchestratorNode start(OrchestratorConfig config, Transcoder transcoder, Clock clock,
      SegmentPayments payments) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new NodeException("cannot create the orchestrator data dir " + config.dataDir() + ": " + e.getMessage(), e);
    }
    SecureRandom random = new SecureRandom();
    EthKey key = payments instanceof OrchestratorPayments paid
        ? EthKey.fromPrivateKey(paid.accountKey())
        : loadOrCreateKey(config.dataDir(), random);
    TlsIdentity identity = TlsIdentity.loadOrCreate(config.dataDir(), clock);
    AuthTokens tokens = new AuthTokens(tokenSecret(config.orchSecret(), random), clock, random);
    // Work admitted per session is bounded by the queue depth, so this many threads never wait on each other.
    int threads = config.maxSessions() * config.sessionQueueDepth() + 4;
    ThreadPoolExecutor workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(1024), daemon("orchestrator-worker"));
    workers.allowCoreThreadTimeOut(true);
    ExecutorService closer = Executors.newSingleThreadExecutor(daemon("orchestrator-close"));
    HttpClient downloader = HttpClient.newBuilder()
        .sslContext(WireClients.trustAllSslContext())
        .connectTimeout(Duration.ofSeconds(4))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    String[] base = {""};
    RemoteTranscoders remotes = new RemoteTranscoders(config.orchSecret(),
        config.localTranscoding() ? java.util.Optional.of(transcoder) : java.util.Optional.empty(),
        () -> base[0], key.address().toString());
    OrchestratorCore core = new OrchestratorCore(config, remotes, key, tokens, clock, payments, closer, downloader);
    core.metrics.remoteTranscoders(remotes::totals);
    ServicePort port;
    try {
      port = ServicePort.start(ServicePortConfig.defaults().withAddress(config.serviceHost(), config.servicePort()),
          identity, List.of(new Grpc(core).bindService(), new RemoteTranscoders.Grpc(remotes).bindService()),
          pipeline -> pipeline.addLast(new OrchestratorHttp(core, remotes, workers, config.maxSegmentBytes())));
    } catch (WireException e) {
      workers.shutdownNow();
      closer.shutdownNow();
      throw new NodeException(e.getMessage(), e);
    }
    core.baseUrl("https://" + hostForUrl(config.publicHost()) + ":" + port.address().getPort());
    base[0] = core.baseUrl();
    ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(daemon("orchestrator-idle"));
    sweeper.scheduleWithFixedDelay(core::closeIdle, IDLE_SWEEP.toMillis(), IDLE_SWEEP.toMillis(),
        TimeUnit.MILLISECONDS);
    log.info("orchestrator {} serving at {} (max {} sessions)", address(key), core.baseUrl(), config.maxSessions());
    return new OrchestratorNode(core, remotes, port, workers, closer, sweeper);
  }

  /** The bound service address (the real port when the config asked for port 0). */
  public InetSocketAddress serviceAddress() {
    return port.address();
  }

  /** {@code OrchestratorInfo.transcoder}: {@code https://<publicHost>:<port>}. */
  public String transcoderUrl() {
    return core.baseUrl();
  }

  /** O's 20-byte Ethereum signing address ({@code OrchestratorInfo.address}). */
  public byte[] ethAddress() {
    return core.address();
  }

  /** Transcode sessions open now. */
  public int sessions() {
    return core.sessionCount();
  }

  /** Remote transcoders registered now (net.Transcoder/RegisterTranscoder with the right secret). */
  public int remoteTranscoders() {
    return remotes.registered();
  }

  /** Stream sessions assigned to each registered remote transcoder, in registration order. */
  public List<Integer> remoteTranscoderLoads() {
    return remotes.loads();
  }

  /** The {@code /metrics} text. */
  public String metricsText() {
    return core.metrics.render();
  }

  /** Runs the idle sweep now (it also runs every few seconds on its own). */
  void closeIdleSessions() {
    core.closeIdle();
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    remotes.closeAll();
    port.close();
    core.closeAll();
    workers.shutdownNow();
    closer.shutdown();
    try {
      if (!closer.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("transcode sessions did not close within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String address(EthKey key) {
    return key.address().toString();
  }

  private static String hostForUrl(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * The auth-token HMAC key: SHA-256 of a label and {@code orchSecret}, so the operator's secret is not used raw and
   * tokens stay valid across restarts; random (per process) when no secret is set.
   */
  static byte[] tokenSecret(String orchSecret, SecureRandom random) {
    if (orchSecret.isEmpty()) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      return secret;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("jlivepeer orchestrator auth token\0".getBytes(StandardCharsets.US_ASCII));
      return sha.digest(orchSecret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  static EthKey loadOrCreateKey(Path dataDir, SecureRandom random) {
    Path file = dataDir.resolve(KEY_FILE);
    try {
      if (Files.exists(file)) {
        String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
          return EthKey.fromPrivateKey(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException | PaymentsException e) {
          throw new NodeException("signing key file " + file + " is not 64 hex characters of a secp256k1 key; "
              + "restore it from a backup or delete it to make a new identity", e);
        }
      }
      EthKey key = EthKey.random(random);
      Path tmp = dataDir.resolve(KEY_FILE + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp); // not a POSIX file system: the data dir's own permissions protect it
      }
      Files.writeString(tmp, HexFormat.of().formatHex(key.privateKey()) + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      log.info("created orchestrator signing key {} in {}", key.address(), file);
      return key;
    } catch (IOException e) {
      throw new NodeException("cannot read or create the signing key " + file + ": " + e.getMessage(), e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** {@code net.Orchestrator}: WireExceptions become gRPC statuses (403 -> PERMISSION_DENIED). */
  private static final class Grpc extends OrchestratorGrpc.OrchestratorImplBase {
    private final OrchestratorCore core;

    Grpc(OrchestratorCore core) {
      this.core = core;
    }

    @Override
    public void getOrchestrator(OrchestratorRequest request, StreamObserver<OrchestratorInfo> response) {
      try {
        response.onNext(core.getOrchestrator(request));
        response.onCompleted();
      } catch (WireException e) {
        response.onError(status(e).asRuntimeException());
      }
    }

    @Override
    public void endTranscodingSession(EndTranscodingSessionRequest request,
        StreamObserver<EndTranscodingSessionResponse> response) {
      try {
        core.endSession(request.getAuthToken());
        response.onNext(EndTranscodingSessionResponse.getDefaultInstance());
        response.onCompleted();
      } catch (WireException e) {
        response.onError(status(e).asRuntimeException());
      }
    }

    @Override
    public void ping(PingPong request, StreamObserver<PingPong> response) {
      response.onNext(PingPong.newBuilder()
          .setValue(ByteString.copyFrom(core.ping(request.getValue().toByteArray()))).build());
      response.onCompleted();
    }

    private static Status status(WireException e) {
      Status status = switch (e.httpStatus()) {
        case 400 -> Status.INVALID_ARGUMENT;
        case 402, 403 -> Status.PERMISSION_DENIED;
        case 503 -> Status.UNAVAILABLE;
        default -> Status.INTERNAL;
      };
      return status.withDescription(e.getMessage());
    }
  }
}
