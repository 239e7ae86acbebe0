package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.RenditionVerifier;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.Wei;
import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verification and slashing end to end, every node a real process on a dev chain: a broadcaster with {@code
 * -verificationFreq 1 -slashOnFault} whose trusted orchestrators ({@code -orchAddr}) are four cheaters, one per kind
 * of tampering ({@code -testCheat}), and whose only honest orchestrator comes from its discovery webhook (untrusted,
 * so it gets work only once the cheaters are out). Every cheater is caught within two segments and suspended; the
 * broadcaster proves each fault to the Verifier, which slashes half the cheater's stake, pays the broadcaster the
 * finder's fee and drops the cheater from the next round's active set. No tampered rendition reaches a playlist,
 * and the honest orchestrator then serves 60 s of stream with no false positive.
 */
class VerificationSlashingIT {
  private static final List<String> CHEATS = List.of("watermark", "lowres", "dropframes", "othersegment");
  private static final int SEGMENTS = 30; // 60 s of 2 s segments
  private static final Wei STAKE = Wei.ofEther("1000");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void everyCheaterIsCaughtSuspendedAndSlashedAndTheHonestOneServesSixtySecondsCleanly() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    List<VideoProfile> ladder = VideoProfiles.parse("P144p30fps16x9,P240p30fps16x9");
    List<byte[]> segments = TestMedia.segments(TestMedia.clip(TestMedia.Content.MANDELBROT, 320, 180, 30,
        2 * SEGMENTS + 4), dir.resolve("segments"), 2);
    assertThat(segments).hasSizeGreaterThanOrEqualTo(SEGMENTS);
    // orchestrator accounts: 0 honest, 1..4 the cheaters; EV 2.5e11 and face value 5e11 as the other paid ITs
    DemoChain.Settings settings = new DemoChain.Settings(1 + CHEATS.size(), 100, false, 1_000, "250000000000",
        "500000000000", Wei.ofEther("1"), Wei.ofEther("1"), "1s");
    HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
    try (DemoChain chain = DemoChain.start(dir.resolve("chain"), settings); NodeProcesses nodes = new NodeProcesses(dir)) {
      ProtocolClient client = chain.client();
      EthAddress b = chain.broadcasterAddress();
      Wei finderBefore = client.lptBalance(b);

      int honestPort = NodeProcesses.freePort();
      nodes.start("honest", "honest", "serving broadcasters at", orchestrator(chain, 0, honestPort, ""));
      List<String> cheaterAddrs = new ArrayList<>();
      Map<String, EthAddress> cheaterAccounts = new HashMap<>();
      for (int i = 0; i < CHEATS.size(); i++) {
        int port = NodeProcesses.freePort();
        nodes.start("cheat-" + CHEATS.get(i), "cheat-" + CHEATS.get(i), "serving broadcasters at",
            orchestrator(chain, i + 1, port, CHEATS.get(i)));
        cheaterAddrs.add("127.0.0.1:" + port);
        cheaterAccounts.put("127.0.0.1:" + port, chain.orchestratorAddress(i + 1));
      }
      byte[] list = ("[{\"address\": \"https://127.0.0.1:" + honestPort + "\", \"trusted\": false}]")
          .getBytes(StandardCharsets.UTF_8);
      webhook.createContext("/orchestrators", ex -> {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, list.length);
        ex.getResponseBody().write(list);
        ex.close();
      });
      webhook.start();

      // a freshly started JVM answers its first TLS handshake slowly: warm every orchestrator up, so that the
      // broadcaster's discovery (2 s per orchestrator) does not count a busy machine as a failure
      warmUp("127.0.0.1:" + honestPort);
      cheaterAddrs.forEach(VerificationSlashingIT::warmUp);

      int httpPort = NodeProcesses.freePort();
      int cliPort = NodeProcesses.freePort();
      List<String> bFlags = new ArrayList<>(List.of("-broadcaster", "-orchAddr", String.join(",", cheaterAddrs),
          "-orchWebhookUrl", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/orchestrators",
          "-verificationFreq", "1", "-slashOnFault", "-maxAttempts", "8",
          "-transcodingOptions", "P144p30fps16x9,P240p30fps16x9", "-rtmpAddr", "127.0.0.1:" + NodeProcesses.freePort(),
          "-httpAddr", "127.0.0.1:" + httpPort, "-cliAddr", "127.0.0.1:" + cliPort));
      bFlags.addAll(chain.broadcasterArgs());
      nodes.start("broadcaster", "broadcaster", "Play:", bFlags);

      String base = "http://127.0.0.1:" + httpPort;
      for (int seq = 0; seq < SEGMENTS; seq++) {
        HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(URI.create(base + "/live/checked/" + seq + ".ts"))
            .timeout(Duration.ofSeconds(120)).header("Content-Duration", "2000")
            .POST(HttpRequest.BodyPublishers.ofByteArray(segments.get(seq))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(pushed.statusCode()).as("segment %d: %s%n%s", seq, pushed.body(), nodes.logs()).isEqualTo(200);
      }

      // the faults, with the outcome of their proofs, from the broadcaster's CLI API (`livepeer cli faults`)
      nodes.await("every fault proven on chain", Duration.ofSeconds(60), () ->
          faults(cliPort).size() == CHEATS.size() && faults(cliPort).stream()
              .allMatch(f -> f.path("slash").asText().startsWith("slashed in 0x")));
      List<JsonNode> faults = faults(cliPort);
      Map<String, JsonNode> byOrchestrator = new HashMap<>();
      for (JsonNode f : faults) {
        byOrchestrator.put(f.path("orchestrator").asText(), f);
        assertThat(f.path("seq").asLong()).as("caught within two segments: %s", f).isLessThanOrEqualTo(1);
        assertThat(f.path("evidence").path("renditionHashes")).hasSize(2);
      }
      assertThat(byOrchestrator.keySet()).containsExactlyInAnyOrderElementsOf(cheaterAddrs);
      System.out.printf("verification: %d faults: %s%n", faults.size(), faults.stream()
          .map(f -> f.path("kind").asText() + "@" + f.path("seq").asLong() + " (" + f.path("score").asLong()
              + " mdB)").toList());

      // on chain: half of each cheater's stake burned or paid out, a quarter of it to the finder, out next round
      for (String addr : cheaterAddrs) {
        EthAddress cheater = cheaterAccounts.get(addr);
        assertThat(client.getDelegator(cheater).bondedAmount()).as("%s's stake", addr)
            .isEqualTo(Wei.of(STAKE.value().divide(BigInteger.TWO)));
      }
      assertThat(client.lptBalance(b).minus(finderBefore)).as("finder's fees: 4 x 25% of 1000 LPT")
          .isEqualTo(Wei.ofEther("1000"));
      chain.nextRound(client);
      for (String addr : cheaterAddrs) {
        assertThat(client.isActiveTranscoder(cheaterAccounts.get(addr))).as("%s active", addr).isFalse();
      }
      assertThat(client.isActiveTranscoder(chain.orchestratorAddress(0))).isTrue();

      // every rendition in the playlists is the real picture: the right size and frames, and as faithful to its
      // source segment as our own re-transcode
      RenditionVerifier check = new RenditionVerifier();
      int checked = 0;
      try (Transcoder.TranscodeSession reference = new FfmpegTranscoder().open("reference", ladder)) {
        Map<Integer, List<byte[]>> mine = new HashMap<>();
        for (VideoProfile p : ladder) {
          MediaPlaylist playlist = new MediaPlaylistParser().readPlaylist(get(base + "/stream/checked/" + p.name()
              + ".m3u8"));
          assertThat(playlist.mediaSegments()).as("%s playlist", p.name()).isNotEmpty();
          for (var s : playlist.mediaSegments()) {
            int seq = Integer.parseInt(s.uri().replaceAll("^.*?(\\d+)\\.ts$", "$1"));
            byte[] rendition = getBytes(base + "/stream/checked/" + s.uri().replaceAll("^.*/", p.name() + "/"));
            List<byte[]> own = mine.computeIfAbsent(seq, k -> reference.transcode(new Segment("reference", k, 2000,
                segments.get(k))).renditions().stream().map(r -> r.data()).toList());
            List<RenditionVerifier.PsnrResult> r = check.psnrAgainstSource(
                List.of(rendition, own.get(ladder.indexOf(p))), segments.get(seq), 2);
            assertThat(r.get(0).candidate().width()).as("%s seq %d width", p.name(), seq).isEqualTo(p.width());
            assertThat(r.get(0).candidate().frames()).as("%s seq %d frames", p.name(), seq)
                .isBetween(r.get(1).candidate().frames() - 2, r.get(1).candidate().frames() + 2);
            // as faithful to the source as our own transcode (a tampered rendition is 10 dB and more worse)
            assertThat(r.get(0).db()).as("%s seq %d PSNR against the source", p.name(), seq)
                .isGreaterThan(r.get(1).db() - 3);
            checked++;
          }
        }
      }
      assertThat(checked).isGreaterThan(0);
      assertThat(faults(cliPort)).as("no false positive in %d segments from the honest orchestrator", SEGMENTS)
          .hasSize(CHEATS.size());
      String metrics = get(base + "/metrics");
      assertThat(metrics).contains("livepeer_fast_verification_failed " + CHEATS.size())
          .containsPattern("livepeer_fast_verification_done (\\d{2,})");
    } finally {
      webhook.stop(0);
    }
  }

  private static void warmUp(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    io.grpc.ManagedChannel channel = io.jlivepeer.wire.WireClients.grpcChannel(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
    try {
      io.jlivepeer.wire.proto.OrchestratorGrpc.newBlockingStub(channel)
          .withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS)
          .ping(io.jlivepeer.wire.proto.PingPong.newBuilder()
              .setValue(com.google.protobuf.ByteString.copyFromUtf8("warm up")).build());
    } finally {
      channel.shutdownNow();
    }
  }

  private static List<String> orchestrator(DemoChain chain, int account, int port, String cheat) {
    List<String> flags = new ArrayList<>(List.of("-orchestrator", "-transcoder", "-serviceAddr", "127.0.0.1:" + port,
        "-orchSecret", "verify-it"));
    if (!cheat.isEmpty()) {
      flags.addAll(List.of("-testCheat", cheat));
    }
    flags.addAll(chain.orchestratorArgs(account));
    return flags;
  }

  private List<JsonNode> faults(int cliPort) {
    try {
      JsonNode root = ChainApiServer.JSON.readTree(get("http://127.0.0.1:" + cliPort + "/faults"));
      List<JsonNode> out = new ArrayList<>();
      root.path("faults").forEach(out::add);
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String get(String url) {
    return new String(getBytes(url), StandardCharsets.UTF_8);
  }

  private byte[] getBytes(String url) {
    try {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as("GET %s", url).isEqualTo(200);
      return r.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
