package io.jlivepeer.node.studio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.jlivepeer.ingest.IngestException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Studio without a broadcaster: sessions and counts persist, recording.ready, admission, backoff. */
class StudioTest {
  @TempDir Path dir;

  @Test
  void backoffDoublesFromOneSecondToSixtyAndStaysThere() {
    WebhookDispatcher.Retry r = WebhookDispatcher.Retry.DEFAULTS;
    assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8, 100).stream().map(r::delayMillis).toList())
        .containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L, 60_000L, 60_000L);
  }

  @Test
  void suspendingOrDeletingAStreamCutsItsPublishOnceAndItsKeyIsRefused() {
    try (Studio studio = Studio.open(dir, Clock.systemUTC(), WebhookDispatcher.Retry.DEFAULTS)) {
      List<String> cut = new CopyOnWriteArrayList<>();
      studio.onRevoke((key, reason) -> cut.add(key + " " + reason));
      StreamRecord s = studio.create("cam", false, List.of());
      studio.updateStream(s.id(), r -> r.withSettings("cam2", r.record(), false, r.profiles()));
      assertThat(cut).as("a rename cuts nothing").isEmpty();
      studio.updateStream(s.id(), r -> r.withSettings(r.name(), r.record(), true, r.profiles()));
      studio.updateStream(s.id(), r -> r.withSettings(r.name(), r.record(), true, r.profiles()));
      assertThat(cut).containsExactly(s.streamKey() + " stream 'cam2' was suspended through the API");
      assertThatThrownBy(() -> studio.admit(s.streamKey())).isInstanceOf(IngestException.class)
          .hasMessageContaining("suspended");
      studio.updateStream(s.id(), r -> r.withSettings(r.name(), r.record(), false, r.profiles()));
      assertThat(studio.admit(s.streamKey()).manifestId()).isEqualTo(s.playbackId());
      studio.updateStream(s.id(), StreamRecord::asDeleted);
      assertThat(cut).hasSize(2).last().isEqualTo(s.streamKey() + " stream 'cam2' was deleted through the API");
      assertThatThrownBy(() -> studio.admit(s.streamKey())).isInstanceOf(IngestException.class)
          .hasMessageContaining("deleted");
    }
  }

  @Test
  void recordingReadyMarksTheSessionAndReachesTheWebhookAndEverythingSurvivesAReopen() throws Exception {
    List<JsonNode> received = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
    receiver.createContext("/", ex -> {
      received.add(ApiClient.JSON.readTree(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    receiver.start();
    String streamId;
    String sessionId;
    String playbackId;
    try (Studio studio = Studio.open(dir, Clock.systemUTC(), WebhookDispatcher.Retry.DEFAULTS)) {
      assertThat(studio.admit("anything").manifestId()).as("no key: any name publishes").isEqualTo("anything");
      studio.createApiKey("t");
      assertThatThrownBy(() -> studio.admit("anything")).isInstanceOf(IngestException.class)
          .hasMessageContaining("unknown stream key");
      studio.store.addWebhook(new Webhook("w1", "rec", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/",
          List.of("recording.ready"), Optional.empty(), 1));
      studio.webhooks.reloadHooks();
      StreamRecord s = studio.create("rec", true, List.of());
      streamId = s.id();
      playbackId = s.playbackId();
      assertThat(studio.admit(s.streamKey()).manifestId()).isEqualTo(playbackId);
      assertThat(studio.recorded(playbackId)).isTrue();
      studio.started(playbackId);
      sessionId = studio.currentSession(playbackId).orElseThrow();
      studio.sourceSegment(playbackId, 0, 2000, 1000);
      studio.transcoded(playbackId, 0, 2000, 500);
      studio.ended(playbackId);
      assertThat(studio.sessions(s).get(0).recordingStatus()).isEqualTo("waiting");
      studio.recordingReady(playbackId, sessionId, "s3+http://store/bucket/x/index.m3u8", 2.0, 1);
      ApiClient.await("recording.ready", Duration.ofSeconds(10), () -> received.size() == 1);
    } finally {
      receiver.stop(0);
    }
    JsonNode event = received.get(0);
    assertThat(event.path("event").asText()).isEqualTo("recording.ready");
    assertThat(event.path("payload").path("sessionId").asText()).isEqualTo(sessionId);
    assertThat(event.path("payload").path("recordingUrl").asText())
        .endsWith("/recordings/" + playbackId + "/" + sessionId + "/index.m3u8");
    try (Studio reopened = Studio.open(dir, Clock.systemUTC(), WebhookDispatcher.Retry.DEFAULTS)) {
      assertThat(reopened.enforced()).isTrue();
      StreamRecord s = reopened.stream(streamId).orElseThrow();
      assertThat(s.totals().sourceSegments()).isEqualTo(1);
      assertThat(s.totals().transcodedBytes()).isEqualTo(500);
      SessionRecord session = reopened.sessions(s).get(0);
      assertThat(session.id()).isEqualTo(sessionId);
      assertThat(session.active()).isFalse();
      assertThat(session.recordingStatus()).isEqualTo("ready");
      assertThat(session.recordingUrl()).isPresent();
      assertThat(session.sourceSegments()).isEqualTo(1);
    }
  }
}
