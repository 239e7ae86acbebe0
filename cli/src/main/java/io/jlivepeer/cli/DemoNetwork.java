package io.jlivepeer.cli;

import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.OrchestratorConfig;
import io.jlivepeer.node.OrchestratorNode;
import io.jlivepeer.node.RemoteConfig;
import io.jlivepeer.node.RemoteTranscoder;
import io.jlivepeer.node.TranscoderConfig;
import io.jlivepeer.node.TranscoderNode;
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
 */
final class DemoNetwork implements AutoCloseable {
  static final int REMOTE_TRANSCODERS = 2;
  private static final Pattern TRANSCODED = Pattern.compile("(?m)^livepeer_orchestrator_segments_transcoded_total (\\d+)");

  private final Path dataDir;
  private final List<VideoProfile> profiles;
  private final String secret = UUID.randomUUID().toString();
  /** Everything started, closed in reverse order. */
  private final List<AutoCloseable> started = new ArrayList<>();
  private final List<OrchestratorNode> orchestrators = new ArrayList<>();
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
        OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o1"), secret).withMaxSessions(4));
    started.add(local);
    orchestrators.add(local);
    OrchestratorNode farm = startOrchestrator(1,
        OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o2"), secret).withMaxSessions(4)
            .withLocalTranscoding(false));
    started.add(farm);
    orchestrators.add(farm);
    for (int i = 0; i < REMOTE_TRANSCODERS; i++) {
      started.add(TranscoderNode.start(TranscoderConfig.of(address(farm), secret, 2), new FfmpegTranscoder()));
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
            + " (it picks by measured latency and moves on failure)",
        "  orchestrator 1 " + local.transcoderUrl() + "  transcodes itself",
        "  orchestrator 2 " + farm.transcoderUrl() + "  through " + farm.remoteTranscoders()
            + " remote transcoders (registered with -orchSecret)");
  }

  /** Segments each orchestrator transcoded so far, e.g. {@code O1 7 | O2 0}. */
  String progress() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < orchestrators.size(); i++) {
      Matcher m = TRANSCODED.matcher(orchestrators.get(i).metricsText());
      parts.add("O" + (i + 1) + " " + (m.find() ? m.group(1) : "?"));
    }
    return String.join(" | ", parts);
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
