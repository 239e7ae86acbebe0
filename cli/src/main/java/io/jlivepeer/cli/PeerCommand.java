package io.jlivepeer.cli;

import io.jlivepeer.p2p.PeerConfig;
import io.jlivepeer.p2p.PeerMain;
import io.jlivepeer.p2p.PeerNode;
import io.jlivepeer.p2p.SwarmOrigin;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code livepeer peer}: watch a stream through the viewers' swarm instead of from the broadcaster alone. */
@Command(name = "peer", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Join a stream's PPSPP swarm (the broadcaster runs with -p2pAddr), fetch its segments from other",
        "peers (the broadcaster only as seed of last resort), re-serve them, and play them locally:",
        "  livepeer peer -swarm http://127.0.0.1:9935/mystream   then open http://127.0.0.1:8935/stream/mystream.m3u8"})
final class PeerCommand implements Callable<Integer> {
  @Option(names = {"-swarm", "--swarm"}, required = true, paramLabel = "http://host:port/stream",
      description = "The stream on its broadcaster: the broadcaster's -httpAddr and the stream name.")
  String swarm;

  @Option(names = {"-httpAddr", "--httpAddr"}, defaultValue = "127.0.0.1:8935", paramLabel = "host:port",
      description = "Local HLS (/stream/<stream>.m3u8) and /metrics. Default: ${DEFAULT-VALUE}")
  String httpAddr;

  @Option(names = {"-p2pAddr", "--p2pAddr"}, defaultValue = "127.0.0.1:0", paramLabel = "host:port",
      description = "The swarm's UDP socket (port 0: any free port). Default: ${DEFAULT-VALUE}")
  String p2pAddr;

  @Option(names = {"-joinTimeout", "--joinTimeout"}, defaultValue = "60s", paramLabel = "duration",
      description = "Give up when the stream is not live on the broadcaster within this. Default: ${DEFAULT-VALUE}")
  String joinTimeout;

  @Override
  public Integer call() throws InterruptedException {
    PeerConfig config = new PeerConfig(URI.create(swarm), HostPort.parse("httpAddr", httpAddr),
        HostPort.parse("p2pAddr", p2pAddr));
    Duration timeout = Durations.parse("joinTimeout", joinTimeout);
    try (PeerNode node = PeerNode.start(config, timeout)) {
      System.out.println(PeerMain.upLine(node, config.streamId()));
      Main.awaitShutdown();
    }
    return 0;
  }

  /** The broadcaster's swarm origin for {@code -p2pAddr host}, when given. */
  static Optional<SwarmOrigin> origin(String p2pAddr) {
    if (p2pAddr == null || p2pAddr.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(SwarmOrigin.create(InetAddress.getByName(p2pAddr)));
    } catch (UnknownHostException e) {
      throw new CliException("-p2pAddr " + p2pAddr + " is not a host name or address of this machine");
    }
  }
}
