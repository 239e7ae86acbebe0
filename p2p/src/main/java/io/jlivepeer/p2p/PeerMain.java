package io.jlivepeer.p2p;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A thin entry point for a peer process with only this module's classpath (many peers on one machine start
 * faster and smaller than the full {@code livepeer} command, which offers the same as {@code livepeer peer}):
 * {@code java -cp ... io.jlivepeer.p2p.PeerMain -swarm http://B/stream [-httpAddr h:p] [-p2pAddr h:p]}.
 * Prints {@code peer up: hls http://...} once joined.
 */
public final class PeerMain {
  private PeerMain() {}

  public static void main(String[] args) throws InterruptedException {
    URI swarm = null;
    InetSocketAddress httpAddr = new InetSocketAddress("127.0.0.1", 8935);
    InetSocketAddress p2pAddr = new InetSocketAddress("127.0.0.1", 0);
    Duration join = Duration.ofSeconds(60);
    try {
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "-swarm" -> swarm = URI.create(value);
          case "-httpAddr" -> httpAddr = SwarmManifest.parseBindAddress(value);
          case "-p2pAddr" -> p2pAddr = SwarmManifest.parseBindAddress(value);
          case "-joinTimeout" -> join = Duration.ofSeconds(Long.parseLong(value));
          default -> throw new IllegalArgumentException("unknown flag " + args[i]);
        }
        i++;
      }
      if (swarm == null) {
        throw new IllegalArgumentException("-swarm http://<broadcaster host:port>/<stream> is required");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("livepeer peer: " + e.getMessage());
      System.exit(2);
      return;
    }
    PeerNode node;
    try {
      URI joining = swarm;
      node = PeerNode.start(new PeerConfig(swarm, httpAddr, p2pAddr), join, () -> {
        System.out.println("peer joining " + joining);
        System.out.flush();
      });
    } catch (P2pException e) {
      System.err.println("livepeer peer: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.out.println(upLine(node, new PeerConfig(swarm, httpAddr, p2pAddr).streamId()));
    System.out.flush();
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      done.countDown();
    }));
    done.await();
  }

  /** The line a launcher waits for. */
  public static String upLine(PeerNode node, String streamId) {
    return "peer up: hls http://" + SwarmManifest.hostPort(node.httpAddress()) + "/stream/" + streamId
        + ".m3u8 udp " + SwarmManifest.hostPort(node.udpAddress());
  }
}
