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

/**
 * The demo's network on loopback: orchestrator 1 transcodes itself; orchestrator 2 farms its work out to two
 * remote transcoders that register with it; the broadcaster's {@link RemoteTranscoder} picks between the two.
 * Everything speaks the reference wire protocol over TLS, as separate nodes would.
 */
final class DemoNetwork implements AutoCloseable {
  private final List<AutoCloseable> started = new ArrayList<>();
  final RemoteTranscoder broadcasterSide;
  final List<String> orchestrators = new ArrayList<>();

  DemoNetwork(Path dataDir, List<VideoProfile> profiles) throws InterruptedException {
    this(dataDir, profiles, Optional.empty());
  }

  /** With a chain, the orchestrators charge and the broadcaster pays with tickets ({@link DemoChain}). */
  DemoNetwork(Path dataDir, List<VideoProfile> profiles, Optional<DemoChain> chain) throws InterruptedException {
    String secret = UUID.randomUUID().toString();
    try {
      OrchestratorNode o1 = startOrchestrator(chain, 0,
          OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o1"), secret).withMaxSessions(4));
      started.add(o1);
      OrchestratorNode o2 = startOrchestrator(chain, 1,
          OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o2"), secret).withMaxSessions(4)
              .withLocalTranscoding(false));
      started.add(o2);
      for (OrchestratorNode o : List.of(o1, o2)) {
        orchestrators.add("127.0.0.1:" + o.serviceAddress().getPort());
      }
      for (int i = 0; i < 2; i++) {
        started.add(TranscoderNode.start(TranscoderConfig.of(orchestrators.get(1), secret, 2), new FfmpegTranscoder()));
      }
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (o2.remoteTranscoders() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(50); // a person is waiting for the demo to start; registration takes a TLS handshake or two
      }
      RemoteConfig remote = RemoteConfig.defaults(orchestrators, dataDir.resolve("b"));
      broadcasterSide = chain.isPresent()
          ? RemoteTranscoder.start(remote, profiles, chain.get().broadcasterPayments())
          : RemoteTranscoder.start(remote, profiles);
      started.add(broadcasterSide);
    } catch (RuntimeException | InterruptedException e) {
      close();
      throw e;
    }
  }

  private static OrchestratorNode startOrchestrator(Optional<DemoChain> chain, int i, OrchestratorConfig config) {
    if (chain.isEmpty()) {
      return OrchestratorNode.start(config, new FfmpegTranscoder());
    }
    OrchestratorConfig priced = config.withPrice(chain.get().pricePerUnit(), 1);
    OrchestratorNode o = OrchestratorNode.start(priced, new FfmpegTranscoder(),
        chain.get().orchestratorPayments(i, config.dataDir()));
    chain.get().register(i, o.transcoderUrl());
    return o;
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
