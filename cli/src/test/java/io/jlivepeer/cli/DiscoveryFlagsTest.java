package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.node.broadcaster.RemoteTranscoder;
import io.jlivepeer.node.transcoder.TranscoderConfig;
import io.jlivepeer.node.transcoder.TranscoderNode;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** -orchWebhookUrl / -orchWebhookTrusted (broadcaster) and -monitor / -cliAddr (transcoder) wiring. */
class DiscoveryFlagsTest {
  @TempDir Path dir;

  private static NodeFlags parse(String... args) {
    return main(args).flags;
  }

  private static Main main(String... args) {
    Main main = new Main();
    CommandLine cl = new CommandLine(main);
    cl.setDefaultValueProvider(new FlagSources(Map.of(), Map.of()));
    cl.parseArgs(args);
    return main;
  }

  @Test
  void aWebhookAloneSwitchesTheBroadcasterToOrchestratorsAndFillsThePool() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "[{\"address\":\"https://127.0.0.1:1\"},{\"address\":\"https://127.0.0.1:2\",\"trusted\":false}]"
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try {
      NodeFlags flags = parse("-broadcaster", "-dataDir", dir.toString(), "-orchWebhookUrl",
          "http://127.0.0.1:" + server.getAddress().getPort() + "/orchs", "-orchWebhookTrusted");
      assertThat(flags.orchWebhookTrusted).isTrue();
      try (RemoteTranscoder remote = Main.remoteTranscoder(flags, Main.broadcasterConfig(flags)).orElseThrow();
          Discovery discovery = Discovery.start(flags, java.util.Optional.of(remote))) {
        assertThat(remote.pool().addresses()).containsExactly("127.0.0.1:1", "127.0.0.1:2");
        assertThat(discovery.describe()).isPresent();
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void monitorServesTheTranscodersMetricsOnCliAddr() throws Exception {
    Main off = main("-transcoder", "-orchAddr", "127.0.0.1:1", "-orchSecret", "s");
    assertThat(off.flags.monitor).isFalse();
    assertThat(off.payFlags.cliAddr).isEqualTo("127.0.0.1:7935");
    Main on = main("-transcoder", "-orchAddr", "127.0.0.1:1", "-orchSecret", "s", "-monitor",
        "-cliAddr", "127.0.0.1:0");
    try (TranscoderNode node = TranscoderNode.start(TranscoderConfig.of("127.0.0.1:1", "s", 2),
            new FfmpegTranscoder());
        Discovery metrics = Discovery.transcoderMetrics(on.flags, on.payFlags.cliAddr, node)) {
      String url = metrics.describe().orElseThrow().replace("Metrics: ", "").replace("localhost", "127.0.0.1");
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("# TYPE livepeer_transcoder_tasks_total counter")
          .contains("livepeer_transcoder_capacity 2");
    }
  }
}
