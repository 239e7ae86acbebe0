package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.RenditionVerifier;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.LatencyHistogram;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.SegData;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broadcaster's verification of orchestrators' work ({@code -verificationFreq}, {@code -slashOnFault}): which
 * fraction of segments gets checked, by what ({@link SegmentVerifier}: decoding, size, frames, duration, pixels, and a
 * trusted re-transcode), what happens to a cheater (suspended for good, the segment retried elsewhere before it
 * reaches a playlist, the fault logged with its evidence) and, with a reporter, the proof sent on chain so the
 * cheater's stake is slashed. One per {@link RemoteTranscoder}; thread-safe.
 */
public final class Verification implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Verification.class);

  private final SegmentVerifier.Config config;
  private final RenditionVerifier media;
  private final Optional<Transcoder> trusted;
  private final FaultLog faults;
  private final Optional<FaultReporter> reporter;
  private final DoubleSupplier random;
  private final Clock clock;
  private final ExecutorService slasher =
      Executors.newSingleThreadExecutor(Thread.ofPlatform().name("fault-reporter").daemon().factory());
  final AtomicLong done = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final LatencyHistogram cost = new LatencyHistogram();

  Verification(SegmentVerifier.Config config, RenditionVerifier media, Optional<Transcoder> trusted, FaultLog faults,
      Optional<FaultReporter> reporter, DoubleSupplier random, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.media = Objects.requireNonNull(media, "media");
    this.trusted = Objects.requireNonNull(trusted, "trusted");
    this.faults = Objects.requireNonNull(faults, "faults");
    this.reporter = Objects.requireNonNull(reporter, "reporter");
    this.random = Objects.requireNonNull(random, "random");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Nothing is checked beyond O's signature (the default: {@code -verificationFreq 0}). */
  public static Verification off() {
    return new Verification(SegmentVerifier.Config.of(0), new RenditionVerifier(), Optional.empty(),
        new FaultLog(Optional.empty()), Optional.empty(), () -> 1, Clock.systemUTC());
  }

  /**
   * @param frequency fraction of segments checked (0 to 1)
   * @param trusted re-transcodes sampled segments for the picture comparison (B's own FFmpeg transcoder); empty:
   *     only the structural checks
   * @param faults where faults are recorded
   * @param reporter with {@code -slashOnFault}: where proofs go
   */
  public static Verification of(double frequency, Optional<Transcoder> trusted, FaultLog faults,
      Optional<FaultReporter> reporter) {
    SecureRandom r = new SecureRandom();
    return new Verification(SegmentVerifier.Config.of(frequency), new RenditionVerifier(), trusted, faults,
        reporter, r::nextDouble, Clock.systemUTC());
  }

  public FaultLog faults() {
    return faults;
  }

  public long verified() {
    return done.get();
  }

  public long failedVerifications() {
    return failed.get();
  }

  SegmentVerifier newStreamVerifier() {
    return new SegmentVerifier(config, media, trusted, random);
  }

  /**
   * Checks a result that passed the signature check, when this segment is sampled. A failure message means the
   * result is tampered: O is suspended, the fault recorded (and proven on chain with a reporter); the caller must
   * not use the renditions and should try another orchestrator.
   */
  Optional<String> verify(SegmentVerifier v, OrchestratorPool pool, OrchestratorPool.Orch o, OrchestratorInfo info,
      Segment segment, SegData segData, List<VideoProfile> profiles, List<Rendition> renditions,
      List<byte[]> renditionHashes, byte[] resultSig, EthKey key) {
    if (!v.sampled()) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    Optional<SegmentVerifier.Finding> finding;
    try {
      finding = v.check(segment, profiles, renditions);
    } catch (RuntimeException e) {
      // our own check broke (e.g. the trusted transcode failed): not evidence against O
      log.warn("stream {} segment {}: verification could not run: {}", segment.streamId(), segment.seq(),
          e.toString());
      return Optional.empty();
    } finally {
      cost.observeNanos(System.nanoTime() - start);
    }
    done.incrementAndGet();
    if (finding.isEmpty()) {
      return Optional.empty();
    }
    failed.incrementAndGet();
    SegmentVerifier.Finding f = finding.get();
    HexFormat hex = HexFormat.of();
    List<String> hashes = renditionHashes.stream().map(h -> "0x" + hex.formatHex(h)).toList();
    byte[] transcoder = info.getAddress().toByteArray();
    FaultLog.Fault fault = new FaultLog.Fault(clock.instant(), segment.streamId(), segment.seq(), o.addr,
        transcoder.length == 20 ? SigningPayloads.checksumAddress(transcoder) : "(none)", f.kind(), f.detail(),
        f.rendition(), profiles.get(f.rendition()).name(), f.scoreMilliDb(),
        "0x" + hex.formatHex(segData.getHash().toByteArray()), hashes, "0x" + hex.formatHex(resultSig),
        "0x" + hex.formatHex(segData.getSig().toByteArray()), reporter.isPresent() ? "submitting" : "not submitted");
    faults.add(fault);
    pool.suspendForFault(o);
    log.warn("stream {} segment {}: orchestrator {} ({}) failed verification ({}): {}", segment.streamId(),
        segment.seq(), o.addr, fault.orchestratorAddress(), f.kind(), f.detail());
    if (reporter.isPresent() && transcoder.length == 20) {
      FaultReporter.FaultProof proof = proof(segData, profiles, renditionHashes, transcoder, resultSig, f, key);
      FaultReporter r = reporter.get();
      slasher.execute(() -> submit(r, proof, fault));
    }
    return Optional.of("verification failed (" + f.kind() + "): " + f.detail());
  }

  static FaultReporter.FaultProof proof(SegData segData, List<VideoProfile> profiles, List<byte[]> renditionHashes,
      byte[] transcoder, byte[] resultSig, SegmentVerifier.Finding f, EthKey key) {
    byte[] segmentHash = segData.getHash().toByteArray();
    byte[] disputed = renditionHashes.get(f.rendition());
    byte[] verdict = SigningPayloads.sign(key,
        SigningPayloads.verdict(transcoder, key.address().toBytes(), segData.getSeq(), segmentHash, disputed,
            f.scoreMilliDb()));
    return new FaultReporter.FaultProof(segData.getManifestId().toByteArray(), segData.getSeq(), segmentHash,
        SigningPayloads.profileIds(profiles), segData.getSig().toByteArray(), new ArrayList<>(renditionHashes), transcoder, resultSig,
        f.rendition(), f.scoreMilliDb(), segData.getSeq(), verdict);
  }

  private void submit(FaultReporter r, FaultReporter.FaultProof proof, FaultLog.Fault fault) {
    try {
      String tx = r.submit(proof);
      faults.slashed(fault, "slashed in " + tx);
      log.warn("fault of {} at stream {} segment {} proven on chain: tx {}", fault.orchestratorAddress(),
          fault.stream(), fault.seq(), tx);
    } catch (RuntimeException e) {
      faults.slashed(fault, "refused: " + e.getMessage());
      log.warn("the fault proof against {} was refused: {}", fault.orchestratorAddress(), e.getMessage());
    }
  }

  @Override
  public void close() {
    slasher.shutdown();
    try {
      if (!slasher.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
        log.warn("a fault proof was still being submitted at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
