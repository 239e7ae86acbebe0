package io.jlivepeer.p2p;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;

/**
 * A viewer's peer node ({@code livepeer peer}).
 *
 * @param swarm the stream on its broadcaster, {@code http://<B host:port>/<stream>} ({@code -swarm})
 * @param httpAddr where the local HLS endpoint and /metrics listen ({@code -httpAddr}, default 127.0.0.1:8935)
 * @param udpAddr the swarm socket ({@code -p2pAddr}, default 127.0.0.1:0: any free port on loopback)
 */
public record PeerConfig(URI swarm, InetSocketAddress httpAddr, InetSocketAddress udpAddr) {
  public PeerConfig {
    Objects.requireNonNull(swarm, "swarm");
    if (!"http".equals(swarm.getScheme()) || swarm.getHost() == null || swarm.getPath() == null
        || !swarm.getPath().matches("/[A-Za-z0-9_.-]+")) {
      throw new P2pException("-swarm must look like http://<broadcaster host:port>/<stream id>, got " + swarm);
    }
  }

  public String streamId() {
    return swarm.getPath().substring(1);
  }

  /** The broadcaster's base URL, {@code http://host:port}. */
  public String origin() {
    return "http://" + swarm.getHost() + (swarm.getPort() > 0 ? ":" + swarm.getPort() : "");
  }
}
