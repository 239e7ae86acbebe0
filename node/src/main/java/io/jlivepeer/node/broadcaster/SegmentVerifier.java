package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.RenditionVerifier;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * The broadcaster's check of what an orchestrator sent back for a sampled fraction of segments ({@code
 * -verificationFreq}), after O's signature over the rendition hashes already checked out. Per rendition, in order:
 * it decodes at all; its size is the profile's; its frame count and duration match the source at the profile's
 * frame rate; it starts at the source's timestamp; the pixels O charges for are no more than it holds; and, with a trusted transcoder, it is about as
 * faithful to the source as a re-transcode of the same segment (see {@link #check}). The first rendition that
 * fails is the finding. Thread-compatible: one instance per stream session ({@link RemoteTranscoder}'s), whose
 * trusted transcode session it owns.
 */
final class SegmentVerifier implements AutoCloseable {
  /**
   * @param frequency fraction of segments checked, 0 (off) to 1 (every one)
   * @param minPsnrDb a rendition scoring below this (see {@link SegmentVerifier#check}) is tampered
   * @param psnrSampleEvery compare every n-th frame (1: all), to bound the cost
   * @param frameTolerance allowed relative difference of frame count and duration from the source's
   * @param pixelTolerance allowed excess of charged pixels over decoded width x height x frames
   */
  record Config(double frequency, double minPsnrDb, int psnrSampleEvery, double frameTolerance,
      double pixelTolerance) {
    /** 30: a rendition 6 dB less faithful to the source than a trusted re-transcode (docs/benchmarks.md). */
    static final double DEFAULT_MIN_PSNR_DB = 30;

    Config {
      if (!(frequency >= 0 && frequency <= 1)) {
        throw new IllegalArgumentException("-verificationFreq must be between 0 and 1 (a fraction of segments), got "
            + frequency);
      }
      if (psnrSampleEvery < 1 || minPsnrDb <= 0 || frameTolerance < 0 || pixelTolerance < 0) {
        throw new IllegalArgumentException("verification thresholds must be positive");
      }
    }

    static Config of(double frequency) {
      return new Config(frequency, DEFAULT_MIN_PSNR_DB, 2, 0.15, 0.05);
    }
  }

  /** Where a trusted re-transcode sits on the score scale: a rendition 6 dB less faithful scores 30. */
  static final double TRUSTED_SCORE_DB = 36;

  /** What failed, for the fault log and the proof; score is milli-dB (see {@link #check}), 0 for a hard check. */
  record Finding(int rendition, String kind, String detail, long scoreMilliDb) {}

  private final Config config;
  private final RenditionVerifier media;
  private final Optional<Transcoder> trusted;
  private final DoubleSupplier random;
  private Optional<Transcoder.TranscodeSession> trustedSession = Optional.empty();
  private List<VideoProfile> trustedLadder = List.of();

  SegmentVerifier(Config config, RenditionVerifier media, Optional<Transcoder> trusted, DoubleSupplier random) {
    this.config = Objects.requireNonNull(config, "config");
    this.media = Objects.requireNonNull(media, "media");
    this.trusted = Objects.requireNonNull(trusted, "trusted");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Whether this segment is one of the checked fraction. */
  boolean sampled() {
    return config.frequency() > 0 && random.getAsDouble() < config.frequency();
  }

  /**
   * Empty when every rendition passes. With a trusted transcoder the picture check compares faithfulness to the
   * source: each rendition's luma PSNR against the source scaled to its size, next to that of the trusted
   * re-transcode of the same rendition (one pass decodes the source once for all of them). The score is the
   * rendition's PSNR relative to the trusted one's, on a scale where the trusted re-transcode scores {@value
   * #TRUSTED_SCORE_DB} dB: below {@link Config#minPsnrDb} (30) means at least 6 dB less faithful than an honest
   * encode. Comparing with the source rather than with the trusted rendition itself keeps hard content honest: two
   * honest encodes of grainy or fast content differ from each other by as much as each differs from the source.
   */
  Optional<Finding> check(Segment source, List<VideoProfile> profiles, List<Rendition> renditions) {
    int n = renditions.size();
    List<RenditionVerifier.PsnrResult> compared = List.of();
    if (trusted.isPresent()) {
      List<Rendition> reference = retranscode(source, profiles);
      List<byte[]> all = new ArrayList<>(2 * n);
      renditions.forEach(r -> all.add(r.data()));
      reference.forEach(r -> all.add(r.data()));
      try {
        compared = media.psnrAgainstSource(all, source.data(), config.psnrSampleEvery());
      } catch (MediaException e) {
        compared = List.of(); // a rendition does not decode: the probes below say which
      }
    }
    RenditionVerifier.Probe src = compared.isEmpty() ? media.probe(source.data()) : compared.get(0).reference();
    double sourceSeconds = src.decodable() && src.durationMillis() > 0 ? src.durationMillis() / 1000.0
        : source.durationMillis() / 1000.0;
    for (int i = 0; i < n; i++) {
      VideoProfile p = profiles.get(i);
      Rendition r = renditions.get(i);
      RenditionVerifier.Probe probe = compared.isEmpty() ? media.probe(r.data()) : compared.get(i).candidate();
      Optional<Finding> structural = structure(i, p, r, probe, src, sourceSeconds);
      if (structural.isPresent()) {
        return structural;
      }
      if (!compared.isEmpty()) {
        double mine = compared.get(i).db();
        double honest = compared.get(n + i).db();
        double score = Math.min(RenditionVerifier.MAX_PSNR_DB, Math.max(0, TRUSTED_SCORE_DB + mine - honest));
        if (score < config.minPsnrDb()) {
          return Optional.of(new Finding(i, "content", String.format(java.util.Locale.ROOT,
              "rendition %s is %.1f dB less faithful to the source than a trusted re-transcode (luma PSNR %.1f dB"
                  + " vs %.1f dB): score %.1f, below %.1f", p.name(), honest - mine, mine, honest, score,
              config.minPsnrDb()), Math.round(score * 1000)));
        }
      }
    }
    return Optional.empty();
  }

  /** The hard checks: decodes, the profile's size, the source's frame count and duration, honest pixel counts. */
  private Optional<Finding> structure(int i, VideoProfile p, Rendition r, RenditionVerifier.Probe probe,
      RenditionVerifier.Probe src, double sourceSeconds) {
    if (!probe.decodable()) {
      return Optional.of(new Finding(i, "undecodable", "rendition " + p.name() + " does not decode: "
          + probe.problem(), 0));
    }
    if (probe.width() != p.width() || probe.height() != p.height()) {
      return Optional.of(new Finding(i, "resolution", "rendition " + p.name() + " is " + probe.width() + "x"
          + probe.height() + ", the profile asks " + p.width() + "x" + p.height(), 0));
    }
    double fps = p.fps() > 0 ? p.fps() / (double) Math.max(1, p.fpsDen()) : src.frames() / sourceSeconds;
    long expected = Math.round(sourceSeconds * fps);
    if (expected > 0 && Math.abs(probe.frames() - expected) > Math.max(2, config.frameTolerance() * expected)) {
      return Optional.of(new Finding(i, "frames", String.format(java.util.Locale.ROOT,
          "rendition %s has %d frames; %d expected for %d ms at %.2f fps", p.name(), probe.frames(), expected,
          Math.round(sourceSeconds * 1000), fps), 0));
    }
    long sourceMillis = Math.round(sourceSeconds * 1000);
    if (Math.abs(probe.durationMillis() - sourceMillis) > Math.max(2 * 1000 / fps,
        config.frameTolerance() * sourceMillis)) {
      return Optional.of(new Finding(i, "duration", "rendition " + p.name() + " lasts " + probe.durationMillis()
          + " ms, the source " + sourceMillis + " ms", 0));
    }
    // a rendition carries its source's timestamps (it plays in the same HLS timeline): one that starts elsewhere is
    // another segment's work, however alike the pictures (a static scene)
    long drift = Math.abs(probe.startMillis() - src.startMillis());
    if (src.decodable() && drift > Math.max(2 * 1000 / fps, 100)) {
      return Optional.of(new Finding(i, "timestamps", "rendition " + p.name() + " starts at " + probe.startMillis()
          + " ms, its source at " + src.startMillis() + " ms: it is not this segment's", 0));
    }
    long decodedPixels = (long) probe.width() * probe.height() * probe.frames();
    if (r.encodedPixels() > decodedPixels * (1 + config.pixelTolerance())) {
      return Optional.of(new Finding(i, "pixels", "O charges for " + r.encodedPixels() + " pixels of " + p.name()
          + "; the rendition holds " + decodedPixels, 0));
    }
    return Optional.empty();
  }

  private List<Rendition> retranscode(Segment source, List<VideoProfile> profiles) {
    if (trustedSession.isEmpty() || !trustedLadder.equals(profiles)) {
      trustedSession.ifPresent(Transcoder.TranscodeSession::close);
      trustedSession = Optional.of(trusted.orElseThrow().open("verify-" + source.streamId(), profiles));
      trustedLadder = profiles;
    }
    return trustedSession.get().transcode(source).renditions();
  }

  @Override
  public void close() {
    trustedSession.ifPresent(Transcoder.TranscodeSession::close);
    trustedSession = Optional.empty();
  }
}
