package io.jlivepeer.cli;

import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.broadcaster.RemoteConfig;
import io.jlivepeer.node.broadcaster.RemoteTranscoder;
import io.jlivepeer.node.orchestrator.OrchestratorConfig;
import io.jlivepeer.node.orchestrator.OrchestratorNode;
import io.jlivepeer.node.transcoder.TranscoderConfig;
import io.jlivepeer.node.transcoder.TranscoderNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's network on loopback: orchestrator 1 transcodes itself; orchestrator 2 farms its work out to two
 * remote transcoders that register with it; the broadcaster's {@link RemoteTranscoder} picks between the two.
 * Everything speaks the reference wire protocol over TLS, as separate nodes would.
 *
 * <p>Orchestrator 1 offers {@link #LOCAL_SESSIONS} sessions, orchestrator 2 what its transcoders offer together; B
 * spreads its streams by those capacities (OrchestratorPool), so the demo's three streams go one to orchestrator 1
 * and two to orchestrator 2, whose transcoders take one each (a stream session sticks to one transcoder).
 */
final class DemoNetwork implements AutoCloseable {
  static final int REMOTE_TRANSCODERS = 2;
  /** Sessions each remote transcoder offers ({@code -maxSessions}). */
  static final int SESSIONS_PER_TRANSCODER = 4;
  /**
   * Sessions orchestrator 1 offers, as many as one transcoder: so B, which spreads by advertised sessions, gives
   * orchestrator 2 twice its streams. (Not fewer: the O session of a stream that moved away stays open for a while,
   * and a full orchestrator answers OrchestratorCapped, which counts as a failure.)
   */
  static final int LOCAL_SESSIONS = SESSIONS_PER_TRANSCODER;
  private static final Pattern O_TRANSCODED =
      Pattern.compile("(?m)^livepeer_orchestrator_segments_transcoded_total (\\d+)");
  private static final Pattern T_TRANSCODED =
      Pattern.compile("(?m)^livepeer_transcoder_segments_transcoded_total (\\d+)");

  private final Path dataDir;
  private final List<VideoProfile> profiles;
  private final String secret = UUID.randomUUID().toString();
  /** Everything started, closed in reverse order. */
  private final List<AutoCloseable> started = new ArrayList<>();
  private final List<OrchestratorNode> orchestrators = new ArrayList<>();
  /** Orchestrator 2's remote transcoders, in start order (T1, T2). */
  private final List<TranscoderNode> transcoders = new ArrayList<>();
  private RemoteTranscoder broadcasterSide;
  /** With a chain, the orchestrators charge and the broadcaster pays with tickets. */
  private final Optional<DemoChain> chain;

  private DemoNetwork(Path dataDir, List<VideoProfile> profiles, Optional<DemoChain> chain) {
    this.dataDir = dataDir;
    this.profiles = List.copyOf(profiles);
    this.chain = chain;
  }

  /** Starts the network (see {@link #startNodes}); stops whatever did start when a node fails to. */
  static DemoNetwork start(Path dataDir, List<VideoProfile> profiles) throws InterruptedException {
    return start(dataDir, profiles, Optional.empty());
  }

  /** As {@link #start(Path, List)}, paid with probabilistic micropayments on {@code chain} ({@link DemoChain}). */
  static DemoNetwork start(Path dataDir, List<VideoProfile> profiles, Optional<DemoChain> chain)
      throws InterruptedException {
    DemoNetwork net = new DemoNetwork(dataDir, profiles, chain);
    try {
      net.startNodes();
      return net;
    } catch (RuntimeException | InterruptedException e) {
      net.close();
      throw e;
    }
  }

  /**
   * Starts the nodes in dependency order: the two orchestrators, the remote transcoders (waiting until both
   * registered, so the first segment has somewhere to go), then the broadcaster side, whose discovery needs them.
   */
  private void startNodes() throws InterruptedException {
    OrchestratorNode local = startOrchestrator(0,
        OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o1"), secret).withMaxSessions(LOCAL_SESSIONS));
    started.add(local);
    orchestrators.add(local);
    OrchestratorNode farm = startOrchestrator(1,
        OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o2"), secret)
            .withMaxSessions(REMOTE_TRANSCODERS * SESSIONS_PER_TRANSCODER).withLocalTranscoding(false));
    started.add(farm);
    orchestrators.add(farm);
    for (int i = 0; i < REMOTE_TRANSCODERS; i++) {
      TranscoderNode t = TranscoderNode.start(TranscoderConfig.of(address(farm), secret, SESSIONS_PER_TRANSCODER),
          new FfmpegTranscoder());
      started.add(t);
      transcoders.add(t);
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (farm.remoteTranscoders() < REMOTE_TRANSCODERS && System.nanoTime() < deadline) {
      Thread.sleep(50); // a person is waiting for the demo to start; registration takes a TLS handshake or two
    }
    RemoteConfig remote = RemoteConfig.defaults(orchestrators.stream().map(DemoNetwork::address).toList(),
        dataDir.resolve("b"));
    broadcasterSide = chain.isPresent()
        ? RemoteTranscoder.start(remote, profiles, chain.get().broadcasterPayments())
        : RemoteTranscoder.start(remote, profiles);
    started.add(broadcasterSide);
  }

  private OrchestratorNode startOrchestrator(int i, OrchestratorConfig config) {
    if (chain.isEmpty()) {
      return OrchestratorNode.start(config, new FfmpegTranscoder());
    }
    OrchestratorNode o = OrchestratorNode.start(config.withPrice(chain.get().pricePerUnit(), 1),
        new FfmpegTranscoder(), chain.get().orchestratorPayments(i, config.dataDir()));
    chain.get().register(i, o.transcoderUrl());
    return o;
  }

  /** The broadcaster's transcoder: sends every segment into the network. */
  RemoteTranscoder broadcasterSide() {
    return broadcasterSide;
  }

  /** What runs where, for the person watching the demo. */
  List<String> describe() {
    OrchestratorNode local = orchestrators.get(0);
    OrchestratorNode farm = orchestrators.get(1);
    return List.of(
        "Network on loopback (the reference wire protocol: gRPC + HTTPS on one TLS port per orchestrator):",
        "  broadcaster -> orchestrators " + orchestrators.stream().map(DemoNetwork::address).toList()
            + " (it picks by measured latency, spreads its streams by the orchestrators' sessions and moves on"
            + " failure)",
        "  orchestrator 1 " + local.transcoderUrl() + "  transcodes itself (" + LOCAL_SESSIONS + " sessions)",
        "  orchestrator 2 " + farm.transcoderUrl() + "  through " + farm.remoteTranscoders()
            + " remote transcoders T1, T2 (registered with -orchSecret, " + SESSIONS_PER_TRANSCODER
            + " sessions each)");
  }

  /**
   * Segments transcoded so far by each orchestrator and each remote transcoder, from their own counters (/metrics),
   * e.g. {@code O1 7 (local) | O2 14: T1 7, T2 7}.
   */
  String progress() {
    // O's first: a T counts a segment before O has its result, so O2 never shows more than its T's together
    String o1 = counter(O_TRANSCODED, orchestrators.get(0).metricsText());
    String o2 = counter(O_TRANSCODED, orchestrators.get(1).metricsText());
    List<String> ts = new ArrayList<>();
    for (int i = 0; i < transcoders.size(); i++) {
      ts.add("T" + (i + 1) + " " + counter(T_TRANSCODED, transcoders.get(i).metricsText()));
    }
    return "O1 " + o1 + " (local) | O2 " + o2 + ": " + String.join(", ", ts);
  }

  private static String counter(Pattern p, String metrics) {
    Matcher m = p.matcher(metrics);
    return m.find() ? m.group(1) : "?";
  }

  private static String address(OrchestratorNode o) {
    return "127.0.0.1:" + o.serviceAddress().getPort();
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        System.err.println("demo: stopping " + started.get(i).getClass().getSimpleName() + " failed: " + e);
      }
    }
    started.clear();
  }
}
