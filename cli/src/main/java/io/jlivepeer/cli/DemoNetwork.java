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
    String secret = UUID.randomUUID().toString();
    try {
      OrchestratorNode o1 = OrchestratorNode.start(
          OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o1"), secret).withMaxSessions(4),
          new FfmpegTranscoder());
      started.add(o1);
      OrchestratorNode o2 = OrchestratorNode.start(
          OrchestratorConfig.defaults("127.0.0.1", 0, dataDir.resolve("o2"), secret).withMaxSessions(4)
              .withLocalTranscoding(false),
          new FfmpegTranscoder());
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
      broadcasterSide = RemoteTranscoder.start(RemoteConfig.defaults(orchestrators, dataDir.resolve("b")), profiles);
      started.add(broadcasterSide);
    } catch (RuntimeException | InterruptedException e) {
      close();
      throw e;
    }
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
