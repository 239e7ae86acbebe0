package io.jlivepeer.node.studio;

import static io.jlivepeer.node.studio.ApiClient.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import io.jlivepeer.node.studio.WebhookReceiver.Received;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook receiver (a real HTTP server on loopback) is down for 30 s while two publishes happen and B restarts in
 * between: once it is back every event arrives, exactly once per event id, signed with the shared secret.
 */
class WebhookOutageIT {
  private static final String SECRET = "correct horse battery staple";
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @Test
  void eventsQueuedDuringAnOutageAndARestartAreDeliveredOnceSigned() throws Exception {
    Path clip = TestMedia.source(320, 180, 30, 4, "flv");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // nothing listens there until the outage is over
    }
    FfmpegTranscoder transcoder = new FfmpegTranscoder();
    long outageStart = System.nanoTime();
    String key;
    String hookId;
    String streamId;
    try (BroadcasterNode first = start(transcoder)) {
      key = first.studio().createApiKey("hooks");
      ApiClient api = new ApiClient(first, key);
      hookId = api.post("/api/webhook", "{\"name\":\"receiver\",\"url\":\"http://127.0.0.1:" + port + "/hook\","
          + "\"events\":[\"stream.started\",\"stream.idle\",\"recording.ready\"],\"sharedSecret\":\"" + SECRET + "\"}")
          .body().path("id").asText();
      JsonNode stream = api.post("/api/stream", "{\"name\":\"hooked\"}").body();
      streamId = stream.path("id").asText();
      ApiClient.publish(clip, first, stream.path("streamKey").asText()).get(1, TimeUnit.MINUTES);
      await("both events of the first publish to be tried", Duration.ofSeconds(60),
          () -> eventIds(api, hookId).size() == 2);
    }
    // B is down and back: the outbox is in its data dir
    try (BroadcasterNode second = start(transcoder)) {
      ApiClient api = new ApiClient(second, key);
      String streamKey = api.get("/api/stream/" + streamId).body().path("streamKey").asText();
      ApiClient.publish(clip, second, streamKey).get(1, TimeUnit.MINUTES);
      await("the second publish's events to be tried", Duration.ofSeconds(60),
          () -> eventIds(api, hookId).size() == 4);
      JsonNode log = api.get("/api/webhook/" + hookId + "/log").body();
      assertThat(log.findValuesAsText("success")).containsOnly("false");

      long upAt = outageStart + OUTAGE.toNanos();
      Thread.sleep(Math.max(0, (upAt - System.nanoTime()) / 1_000_000));
      List<Received> received;
      try (WebhookReceiver receiver = WebhookReceiver.start(SECRET, port)) {
        // the longest backoff step before 30 s of failures is 32 s, so everything is due within ~35 s of now
        await("every event to reach the receiver", Duration.ofSeconds(70), () -> receiver.received().size() >= 4);
        await("the log to record each success", Duration.ofSeconds(10),
            () -> api.get("/api/webhook/" + hookId + "/log").body().findValuesAsText("success").stream()
                .filter("true"::equals).count() == 4);
        received = receiver.received();
      }

      assertThat(received).hasSize(4);
      assertThat(received.stream().map(Received::id).distinct().count()).isEqualTo(4);
      assertThat(received.stream().map(Received::id).toList())
          .containsExactlyInAnyOrderElementsOf(eventIds(api, hookId));
      assertThat(received).allMatch(Received::signatureOk, "signature verifies with the shared secret");
      Map<String, Long> byType = received.stream().collect(Collectors.groupingBy(Received::event,
          Collectors.counting()));
      assertThat(byType).containsEntry("stream.started", 2L).containsEntry("stream.idle", 2L);
      for (Received r : received) {
        JsonNode n = r.body();
        assertThat(n.path("webhookId").asText()).isEqualTo(hookId);
        assertThat(n.path("stream").path("id").asText()).isEqualTo(streamId);
        assertThat(n.path("createdAt").asLong()).isPositive();
        assertThat(n.path("timestamp").asLong()).isPositive();
        assertThat(n.path("payload").path("sessionId").asText()).isNotBlank();
      }
      // every event failed while the receiver was down, then succeeded once
      JsonNode log2 = api.get("/api/webhook/" + hookId + "/log").body();
      Map<String, List<JsonNode>> attempts = new java.util.HashMap<>();
      log2.forEach(d -> attempts.computeIfAbsent(d.path("eventId").asText(), k -> new ArrayList<>()).add(d));
      assertThat(attempts).hasSize(4);
      attempts.forEach((id, list) -> {
        assertThat(list.stream().filter(d -> d.path("success").asBoolean()).count()).as(id).isEqualTo(1);
        assertThat(list.stream().filter(d -> !d.path("success").asBoolean()).count()).as(id).isPositive();
      });
    }
  }

  private BroadcasterNode start(FfmpegTranscoder transcoder) {
    return BroadcasterNode.start(new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), StudioApiIT.LADDER, dataDir, 4, Duration.ofSeconds(2), 1000, 10),
        transcoder);
  }

  private static List<String> eventIds(ApiClient api, String hookId) {
    return api.get("/api/webhook/" + hookId + "/log").body().findValuesAsText("eventId").stream().distinct()
        .toList();
  }

}
