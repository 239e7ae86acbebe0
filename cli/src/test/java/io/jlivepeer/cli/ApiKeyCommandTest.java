package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code livepeer cli apikey} against a running broadcaster's data dir. */
class ApiKeyCommandTest {
  @TempDir Path dir;

  @Test
  void aKeyMadeWhileTheBroadcasterRunsAuthorizesAtOnceAndEnforcesStreamKeys() throws Exception {
    try (BroadcasterNode node = BroadcasterNode.start(
        BroadcasterConfig.loopback(VideoProfiles.defaultLadder(), dir), new FfmpegTranscoder());
        HttpClient http = HttpClient.newHttpClient()) {
      assertThat(node.studio().enforced()).as("no key yet: any RTMP name publishes").isFalse();
      ChainCommandsTest.Run r = ChainCommandsTest.run("cli", "apikey", "name=ops", "-dataDir", dir.toString());
      assertThat(r.code()).as(r.err()).isZero();
      String key = r.out().strip();
      assertThat(key).matches("[0-9a-f]{64}");
      assertThat(r.err()).contains("only its hash is kept").contains("Authorization: Bearer");
      String url = "http://127.0.0.1:" + node.httpAddress().getPort() + "/api/stream";
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization",
          "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("[]");
      HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization",
          "Bearer " + key.replace(key.charAt(0), key.charAt(0) == 'a' ? 'b' : 'a')).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).isEqualTo(401);
      assertThat(node.studio().enforced()).as("a successful request notices the new key").isTrue();
    }
    assertThat(ChainCommandsTest.run("cli", "apikey", "label").code()).isEqualTo(2);
  }
}
