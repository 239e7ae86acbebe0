package io.jlivepeer.p2p;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What the tracker on B's HTTP port answers a peer ({@code GET /p2p/<stream>?udp=host:port}): the swarm id (the
 * injector's public key), the injector's UDP address, some peers, and which chunk range holds which HLS segment.
 * Text, one item per line:
 * <pre>
 * swarm &lt;hex swarm id&gt;
 * seed &lt;host:port&gt;
 * peer &lt;host:port&gt;                (0 or more)
 * segment &lt;rendition&gt; &lt;mediaSequence&gt; &lt;durationMillis&gt; &lt;firstChunk&gt; &lt;bytes&gt;   (oldest first)
 * </pre>
 * The mapping comes from the origin over HTTP; the chunks themselves are checked against signed munros, so a peer
 * never has to trust another peer for content.
 */
public record SwarmManifest(byte[] swarmId, InetSocketAddress seed, List<InetSocketAddress> peers,
    List<Segment> segments) {
  /** Largest manifest a peer reads. */
  public static final int MAX_BYTES = 256 * 1024;

  public SwarmManifest {
    peers = List.copyOf(peers);
    segments = List.copyOf(segments);
  }

  /** One HLS segment in the swarm: chunks {@code firstChunk .. firstChunk + ceil(bytes / 1024) - 1}. */
  public record Segment(String rendition, long sequence, long durationMillis, int firstChunk, int bytes) {
    public int chunks() {
      return (bytes + SwarmConfig.CHUNK_SIZE - 1) / SwarmConfig.CHUNK_SIZE;
    }

    public int lastChunk() {
      return firstChunk + chunks() - 1;
    }
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("swarm ").append(HexFormat.of().formatHex(swarmId)).append('\n');
    out.append("seed ").append(hostPort(seed)).append('\n');
    for (InetSocketAddress p : peers) {
      out.append("peer ").append(hostPort(p)).append('\n');
    }
    for (Segment s : segments) {
      out.append("segment ").append(s.rendition).append(' ').append(s.sequence).append(' ').append(s.durationMillis)
          .append(' ').append(s.firstChunk).append(' ').append(s.bytes).append('\n');
    }
    return out.toString();
  }

  static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** Parses a tracker answer; anything malformed is a {@link P2pException} naming the line. */
  public static SwarmManifest parse(byte[] body) {
    if (body.length > MAX_BYTES) {
      throw new P2pException("tracker answer of " + body.length + " bytes is over the " + MAX_BYTES + " limit");
    }
    byte[] swarm = null;
    InetSocketAddress seed = null;
    List<InetSocketAddress> peers = new ArrayList<>();
    List<Segment> segments = new ArrayList<>();
    String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(" ");
      try {
        switch (f[0]) {
          case "swarm" -> swarm = HexFormat.of().parseHex(f[1]);
          case "seed" -> seed = parseAddress(f[1]);
          case "peer" -> peers.add(parseAddress(f[1]));
          case "segment" -> {
            Segment s = new Segment(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Integer.parseInt(f[4]),
                Integer.parseInt(f[5]));
            if (s.firstChunk < 0 || s.bytes <= 0 || s.sequence < 0 || !f[1].matches("[A-Za-z0-9_.-]{1,64}")) {
              throw new IllegalArgumentException("out of range");
            }
            segments.add(s);
          }
          default -> { } // later versions may add lines
        }
      } catch (RuntimeException e) {
        throw new P2pException("tracker answer line " + (n + 1) + " is malformed: " + abbreviate(line), e);
      }
    }
    if (swarm == null || seed == null) {
      throw new P2pException("tracker answer lacks the swarm or seed line");
    }
    return new SwarmManifest(swarm, seed, peers, segments);
  }

  static InetSocketAddress parseAddress(String hostPort) {
    InetSocketAddress a = parseBindAddress(hostPort);
    if (a.getPort() == 0) {
      throw new IllegalArgumentException("port 0 in " + hostPort);
    }
    return a;
  }

  /** {@code host:port} where port 0 (any free port) is allowed: for flags. */
  static InetSocketAddress parseBindAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("not host:port: " + hostPort);
    }
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("bad port in " + hostPort);
    }
    return new InetSocketAddress(hostPort.substring(0, colon), port);
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
