package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.Segment;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.LatencyHistogram;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.PaymentsException;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcaster's remote mode: a media {@link Transcoder} whose sessions send each segment to the best
 * orchestrator of an {@link OrchestratorPool} over the wire protocol (wire.md), download the renditions and check
 * O's signature over them. A session sticks to one orchestrator while it works and moves on failure, timeout,
 * OrchestratorBusy/OrchestratorCapped, a bad signature or a slower-than-real-time answer; each segment costs at most
 * {@link RemoteConfig#maxAttempts()} segment requests in total.
 *
 * <p>No exchange can hold a stream: each attempt's upload must finish within {@link RemoteConfig#uploadTimeout},
 * O's whole answer (body included) within {@link RemoteConfig#requestTimeout}, and all renditions, fetched in
 * parallel, within one more request timeout; so a segment takes at most maxAttempts x 2 x the request timeout.
 *
 * <p>This class holds what the streams share (B's key, the pool, the HTTP executor, the counters) and its
 * lifecycle; a stream's session, its choice of orchestrator and the checks of each answer are {@link RemoteSession},
 * one attempt's HTTP with an orchestrator is {@link OrchestratorExchange}.
 */
public final class RemoteTranscoder implements Transcoder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RemoteTranscoder.class);

  /** B's signing key in the data dir: the 32-byte private scalar as hex. */
  public static final String KEY_FILE = "broadcaster.key";

  final RemoteConfig config;
  final EthKey key;
  final OrchestratorPool pool;
  private final ExecutorService executor;
  final OrchestratorExchange exchange;
  final Clock clock;
  final AtomicLong segmentRequests = new AtomicLong();
  final AtomicLong swaps = new AtomicLong();
  /** Successful attempts: POST through the last rendition verified (B's /metrics). */
  final LatencyHistogram roundTrips = new LatencyHistogram();
  /** Per successful attempt: from O's answer to every rendition downloaded. */
  final LatencyHistogram renditionDownloads = new LatencyHistogram();
  /** B's CPU work before a segment goes out: its keccak256 (once per segment) and each attempt's signature. */
  final LatencyHistogram preparations = new LatencyHistogram();
  /** B's check of O's signature over the downloaded renditions (keccak256 of each, one ecrecover). */
  final LatencyHistogram verifications = new LatencyHistogram();

  /** Identity in production; tests alter what O said (e.g. its address) to exercise B's checks. */
  final UnaryOperator<OrchestratorInfo> infoView;
  /** Micropayments to the orchestrators; empty: they work for free (no chain). */
  final Optional<BroadcasterPayments> payer;
  /** Orchestrators whose price is above -maxPricePerUnit: not picked again. */
  final Set<OrchestratorPool.Orch> tooExpensive = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Checks of O's work beyond its signature ({@code -verificationFreq}); off by default. */
  final Verification verification;

  private RemoteTranscoder(RemoteConfig config, EthKey key, Clock clock, UnaryOperator<OrchestratorInfo> infoView,
      Optional<BroadcasterPayments> payer, Verification verification) {
    this.config = config;
    this.payer = payer;
    this.verification = verification;
    this.infoView = infoView;
    this.key = key;
    this.clock = clock;
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "remote-transcoder");
      t.setDaemon(true);
      return t;
    });
    this.pool = new OrchestratorPool(config, key, clock, executor);
    this.exchange = new OrchestratorExchange(config, executor);
  }

  /** Loads or creates B's key in the data dir and discovers the orchestrators (failures only lower their score). */
  public static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles) {
    return start(config, profiles, Clock.systemUTC());
  }

  static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, Clock clock) {
    return start(config, profiles, clock, UnaryOperator.identity());
  }

  /**
   * As {@link #start(RemoteConfig, List)}, paying the orchestrators with tickets; B's signing key is then the
   * payments' Ethereum account (the ticket sender), not the key file.
   */
  public static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, BroadcasterPayments payer) {
    return start(config, profiles, Clock.systemUTC(), UnaryOperator.identity(), Optional.of(payer));
  }

  static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, Clock clock,
      UnaryOperator<OrchestratorInfo> infoView) {
    return start(config, profiles, clock, infoView, Optional.empty());
  }

  /** With an injected clock and a view of O's answers (the orchestrator's payment tests drive both). */
  public static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, Clock clock,
      UnaryOperator<OrchestratorInfo> infoView, Optional<BroadcasterPayments> payer) {
    return start(config, profiles, clock, infoView, payer, Verification.off());
  }

  /**
   * As {@link #start(RemoteConfig, List)}, paying with {@code payer} when present, and checking the orchestrators'
   * work with {@code verification} (closed with this transcoder).
   */
  public static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles,
      Optional<BroadcasterPayments> payer, Verification verification) {
    return start(config, profiles, Clock.systemUTC(), UnaryOperator.identity(), payer, verification);
  }

  static RemoteTranscoder start(RemoteConfig config, List<VideoProfile> profiles, Clock clock,
      UnaryOperator<OrchestratorInfo> infoView, Optional<BroadcasterPayments> payer, Verification verification) {
    EthKey key = payer.isPresent() ? EthKey.fromPrivateKey(payer.get().accountKey())
        : loadOrCreateKey(config.dataDir());
    RemoteTranscoder t = new RemoteTranscoder(config, key, clock, infoView, payer, verification);
    int answered = t.pool.discover(profiles);
    log.info("broadcaster {}: {} of {} orchestrators answered discovery; scores {}", t.key.address(),
        answered, config.orchAddrs().size(), t.pool.scores());
    return t;
  }

  public byte[] ethAddress() {
    return key.address().toBytes();
  }

  public OrchestratorPool pool() {
    return pool;
  }

  /** Segment POSTs sent so far (every attempt counts). */
  public long segmentRequests() {
    return segmentRequests.get();
  }

  /** Times a session moved to another orchestrator. */
  public long swaps() {
    return swaps.get();
  }

  @Override
  public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
    return new RemoteSession(this, List.copyOf(profiles));
  }

  @Override
  public void close() {
    pool.close();
    executor.shutdownNow();
    verification.close();
  }

  /** This broadcaster's verification of orchestrators' work (counters, faults). */
  public Verification verification() {
    return verification;
  }

  static EthKey loadOrCreateKey(Path dataDir) {
    Path file = dataDir.resolve(KEY_FILE);
    try {
      Files.createDirectories(dataDir);
      if (Files.exists(file)) {
        try {
          return EthKey.fromPrivateKey(HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII)
              .strip()));
        } catch (IllegalArgumentException | PaymentsException e) {
          throw new NodeException("broadcaster key file " + file + " is not 64 hex characters of a secp256k1 key; "
              + "restore it or delete it to make a new identity", e);
        }
      }
      EthKey key = EthKey.random(new SecureRandom());
      Path tmp = dataDir.resolve(KEY_FILE + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp); // not POSIX: the data dir's permissions protect it
      }
      Files.writeString(tmp, HexFormat.of().formatHex(key.privateKey()) + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      log.info("created broadcaster signing key {} in {}", key.address(), file);
      return key;
    } catch (IOException e) {
      throw new NodeException("cannot read or create the broadcaster key " + file + ": " + e.getMessage(), e);
    }
  }
}
