package io.jlivepeer.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.playback.HttpServer;
import io.jlivepeer.playback.HttpServerConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** In one JVM on loopback: B's origin and tracker, a few peer nodes, a forging peer and random datagrams. */
class SwarmTest {
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T keep(T c) {
    closeables.add(c);
    return c;
  }

  @Test
  void peersAssembleEveryPublishedSegmentMostlyFromEachOther() throws Exception {
    SwarmOrigin origin = keep(SwarmOrigin.create(java.net.InetAddress.getLoopbackAddress()));
    HttpServer http = keep(HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0), List.of(origin.route())));
    Random random = new Random(1);
    List<byte[]> published = new ArrayList<>();
    publish(origin, random, published, 0);
    URI swarm = URI.create("http://127.0.0.1:" + http.port() + "/s1");
    List<PeerNode> peers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      peers.add(keep(PeerNode.start(new PeerConfig(swarm, new InetSocketAddress("127.0.0.1", 0),
          new InetSocketAddress("127.0.0.1", 0)), Duration.ofSeconds(10))));
    }
    // random datagrams at a peer: dropped and counted, the swarm unharmed
    try (DatagramSocket junk = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 200; i++) {
        byte[] b = new byte[random.nextInt(40)];
        random.nextBytes(b);
        junk.send(new DatagramPacket(b, b.length, peers.get(0).udpAddress()));
      }
    }
    for (int seq = 1; seq <= 6; seq++) {
      Thread.sleep(700);
      publish(origin, random, published, seq);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline && !peers.stream().allMatch(p -> hasAll(p, 6))) {
      Thread.sleep(100);
    }
    for (PeerNode p : peers) {
      for (int seq = 0; seq <= 6; seq++) {
        byte[] expected = published.get(seq);
        assertThat(p.segment("r", seq)).as("segment %d at %s", seq, p.udpAddress())
            .hasValueSatisfying(b -> assertThat(b).isEqualTo(expected));
      }
      assertThat(p.startupMillis()).isPositive();
      assertThat(p.metricsText()).contains("livepeer_peer_p2p_bytes_from_peers_total");
    }
    assertThat(peers.get(0).metrics().datagramsDropped()).isGreaterThanOrEqualTo(150);
    long fromOrigin = peers.stream().mapToLong(p -> p.metrics().bytesFromOrigin()).sum();
    long fromPeers = peers.stream().mapToLong(p -> p.metrics().bytesFromPeers()).sum();
    assertThat(fromOrigin + fromPeers).isGreaterThan(0);
    assertThat(fromPeers).as("peers serve each other").isGreaterThan(fromOrigin);
    System.out.printf("SwarmTest: origin %d bytes, peers %d bytes, offload %.1f%%%n", fromOrigin, fromPeers,
        100.0 * fromPeers / (fromOrigin + fromPeers));
    StringBuilder b = new StringBuilder();
    origin.renderMetrics(b);
    assertThat(b).contains("livepeer_broadcaster_p2p_bytes_uploaded_total{stream=\"s1\"}");
  }

  @Test
  void aForgingPeerIsDetectedChokedAndNoSegmentIsCorrupted() throws Exception {
    SwarmOrigin origin = keep(SwarmOrigin.create(java.net.InetAddress.getLoopbackAddress()));
    HttpServer http = keep(HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0), List.of(origin.route())));
    Random random = new Random(2);
    List<byte[]> published = new ArrayList<>();
    publish(origin, random, published, 0);
    URI swarm = URI.create("http://127.0.0.1:" + http.port() + "/s1");
    // the forger learns the swarm id from the tracker and registers like any peer
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    byte[] manifest = client.send(java.net.http.HttpRequest.newBuilder(URI.create(swarm.toString().replace("/s1",
        "/p2p/s1"))).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
    ForgingPeer forger = keep(new ForgingPeer(SwarmManifest.parse(manifest).swarmId()));
    client.send(java.net.http.HttpRequest.newBuilder(URI.create(swarm.toString().replace("/s1", "/p2p/s1?udp=127.0.0.1:"
        + forger.address().getPort()))).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
    List<PeerNode> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peers.add(keep(PeerNode.start(new PeerConfig(swarm, new InetSocketAddress("127.0.0.1", 0),
          new InetSocketAddress("127.0.0.1", 0)), Duration.ofSeconds(10))));
    }
    for (int seq = 1; seq <= 3; seq++) {
      Thread.sleep(700);
      publish(origin, random, published, seq);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline && !peers.stream().allMatch(p -> hasAll(p, 3))) {
      Thread.sleep(100);
    }
    for (PeerNode p : peers) {
      for (int seq = 0; seq <= 3; seq++) {
        byte[] expected = published.get(seq);
        assertThat(p.segment("r", seq)).as("segment %d", seq).hasValueSatisfying(b -> assertThat(b).isEqualTo(expected));
      }
      assertThat(p.metrics().peersChoked()).as("every peer met the forger (it is on the tracker)").isEqualTo(1);
    }
    assertThat(forger.forgedSent.get()).isPositive();
    assertThat(forger.chokes.get()).isEqualTo(3);
    assertThat(peers.stream().mapToLong(p -> p.metrics().chunksRejected()).sum()
        + peers.stream().mapToLong(p -> p.metrics().peersChoked()).sum()).isGreaterThanOrEqualTo(3);
    assertThat(peers.get(0).metricsText()).contains("livepeer_peer_p2p_peers_choked_total{stream=\"s1\"} 1");
  }

  @Test
  void aPeerJoiningAfterASequencesSecondRenditionStillGetsItsFirst() throws Exception {
    SwarmOrigin origin = keep(SwarmOrigin.create(java.net.InetAddress.getLoopbackAddress()));
    HttpServer http = keep(HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0), List.of(origin.route())));
    Random random = new Random(3);
    // B publishes sequence 0's source, then its transcoded rendition: the newest chunk is the rendition's
    byte[] source = new byte[30_000];
    byte[] rendition = new byte[12_000];
    random.nextBytes(source);
    random.nextBytes(rendition);
    origin.publish("s1", "source", 0, 2000, source);
    origin.publish("s1", "P144p", 0, 2000, rendition);
    PeerNode peer = keep(PeerNode.start(new PeerConfig(URI.create("http://127.0.0.1:" + http.port() + "/s1"),
        new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0)), Duration.ofSeconds(10)));
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline
        && (peer.segment("source", 0).isEmpty() || peer.segment("P144p", 0).isEmpty())) {
      Thread.sleep(100);
    }
    assertThat(peer.segment("source", 0)).hasValueSatisfying(b -> assertThat(b).isEqualTo(source));
    assertThat(peer.segment("P144p", 0)).hasValueSatisfying(b -> assertThat(b).isEqualTo(rendition));
  }

  @Test
  void joinChunkIsTheFirstChunkOfTheNewestSequence() {
    List<SwarmManifest.Segment> listed = List.of(new SwarmManifest.Segment("source", 4, 2000, 0, 30_000),
        new SwarmManifest.Segment("P144p", 4, 2000, 32, 9_000),
        new SwarmManifest.Segment("source", 5, 2000, 48, 30_000),
        new SwarmManifest.Segment("P144p", 5, 2000, 80, 9_000));
    assertThat(PeerNode.joinChunk(listed)).isEqualTo(48);
    assertThat(PeerNode.joinChunk(listed.subList(0, 3))).isEqualTo(48);
    assertThat(PeerNode.joinChunk(listed.subList(0, 2))).isEqualTo(0);
  }

  private static boolean hasAll(PeerNode p, int last) {
    return java.util.stream.IntStream.rangeClosed(0, last).allMatch(seq -> p.segment("r", seq).isPresent());
  }

  private static void publish(SwarmOrigin origin, Random random, List<byte[]> published, int seq) {
    byte[] data = new byte[20_000 + random.nextInt(90_000)];
    random.nextBytes(data);
    published.add(data);
    origin.publish("s1", "r", seq, 2000, data);
  }
}
