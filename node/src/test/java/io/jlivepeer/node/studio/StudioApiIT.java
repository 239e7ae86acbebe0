package io.jlivepeer.node.studio;

import static io.jlivepeer.node.studio.ApiClient.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream API on a real broadcaster on loopback: every endpoint, its errors, and RTMP publishes from the bundled
 * ffmpeg mapped by stream key (deleting a live stream cuts its publish and refuses its key while another stream
 * goes on).
 */
class StudioApiIT {
  static final List<VideoProfile> LADDER = List.of(VideoProfile.of("P144p", 256, 144, 200_000, 30));

  @TempDir static Path dataDir;
  static FfmpegTranscoder transcoder;
  static BroadcasterNode node;
  static ApiClient api;

  @BeforeAll
  static void start() {
    transcoder = new FfmpegTranscoder();
    node = BroadcasterNode.start(new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), LADDER, dataDir, 4, Duration.ofSeconds(2), 1000, 10), transcoder);
    api = new ApiClient(node, node.studio().createApiKey("test"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void everyEndpointAnswersInStudiosShapes() {
    ApiClient.Answer created = api.post("/api/stream",
        "{\"name\":\"shape\",\"record\":true,\"profiles\":[{\"name\":\"low\",\"width\":320,\"height\":180,"
            + "\"bitrate\":300000,\"fps\":30}]}");
    assertThat(created.status()).isEqualTo(201);
    JsonNode s = created.body();
    String id = s.path("id").asText();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(s.path("kind").asText()).isEqualTo("stream");
    assertThat(s.path("name").asText()).isEqualTo("shape");
    assertThat(s.path("createdAt").asLong()).isPositive();
    assertThat(s.path("lastSeen").asLong()).isZero();
    assertThat(s.path("isActive").asBoolean(true)).isFalse();
    assertThat(s.path("record").asBoolean()).isTrue();
    assertThat(s.path("suspended").asBoolean(true)).isFalse();
    assertThat(s.path("streamKey").asText()).matches("[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}");
    String playbackId = s.path("playbackId").asText();
    assertThat(playbackId).matches("[a-z0-9]{16}");
    assertThat(s.path("profiles").get(0).path("name").asText()).isEqualTo("low");
    assertThat(s.path("profiles").get(0).path("width").asInt()).isEqualTo(320);
    assertThat(s.path("profiles").get(0).path("bitrate").asInt()).isEqualTo(300000);
    for (String f : List.of("sourceSegments", "transcodedSegments", "sourceSegmentsDuration",
        "transcodedSegmentsDuration", "sourceBytes", "transcodedBytes")) {
      assertThat(s.has(f)).as(f).isTrue();
    }
    assertThat(s.path("ingest").asText()).isEqualTo("rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live");
    assertThat(s.path("playbackUrl").asText()).isEqualTo(api.base() + "/stream/" + playbackId + ".m3u8");

    assertThat(api.get("/api/stream").body().findValuesAsText("id")).contains(id);
    assertThat(api.get("/api/stream/" + id).body().path("streamKey").asText()).isEqualTo(s.path("streamKey").asText());

    assertThat(api.patch("/api/stream/" + id, "{\"name\":\"renamed\",\"record\":false,\"suspended\":true}").status())
        .isEqualTo(204);
    JsonNode patched = api.get("/api/stream/" + id).body();
    assertThat(patched.path("name").asText()).isEqualTo("renamed");
    assertThat(patched.path("record").asBoolean(true)).isFalse();
    assertThat(patched.path("suspended").asBoolean()).isTrue();
    assertThat(patched.path("profiles").size()).isEqualTo(1);

    assertThat(api.get("/api/stream/" + id + "/sessions").body().isArray()).isTrue();
    JsonNode health = api.get("/api/stream/" + id + "/health").body();
    assertThat(health.path("isActive").asBoolean(true)).isFalse();
    assertThat(health.path("segmentsIn").asLong(-1)).isZero();
    assertThat(health.path("orchestrator").asText()).isEqualTo("local");
    for (String f : List.of("segmentsOut", "failures", "realTimeRatio", "lastSegmentAt")) {
      assertThat(health.has(f)).as(f).isTrue();
    }

    JsonNode network = api.get("/api/network").body();
    assertThat(network.path("orchestrators").isArray()).isTrue();
    assertThat(network.path("broadcaster").path("onChain").asBoolean(true)).isFalse();
    assertThat(network.path("broadcaster").path("deposit").asText()).isEqualTo("0");

    ApiClient.Answer playback = api.withKey("").get("/api/playback/" + playbackId);
    assertThat(playback.status()).isEqualTo(200);
    assertThat(playback.body().path("type").asText()).isEqualTo("live");
    assertThat(playback.body().path("meta").path("live").asInt(-1)).isZero();
    JsonNode source = playback.body().path("meta").path("source").get(0);
    assertThat(source.path("hrn").asText()).isEqualTo("HLS (TS)");
    assertThat(source.path("type").asText()).isEqualTo("html5/application/vnd.apple.mpegurl");
    assertThat(source.path("url").asText()).isEqualTo(api.base() + "/stream/" + playbackId + ".m3u8");
    assertThat(api.get("/api/playback/nosuchplaybackid").status()).isEqualTo(404);

    ApiClient.Answer hook = api.post("/api/webhook",
        "{\"name\":\"h\",\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"stream.started\",\"recording.ready\"],"
            + "\"sharedSecret\":\"s3cret\"}");
    assertThat(hook.status()).isEqualTo(201);
    String hookId = hook.body().path("id").asText();
    assertThat(hook.body().path("events").toString()).isEqualTo("[\"stream.started\",\"recording.ready\"]");
    assertThat(hook.text()).doesNotContain("s3cret");
    assertThat(api.get("/api/webhook").body().findValuesAsText("id")).contains(hookId);
    assertThat(api.get("/api/webhook/" + hookId).body().path("url").asText()).isEqualTo("http://127.0.0.1:9/hook");
    assertThat(api.get("/api/webhook/" + hookId + "/log").body().isArray()).isTrue();
    assertThat(api.delete("/api/webhook/" + hookId).status()).isEqualTo(204);
    assertThat(api.get("/api/webhook/" + hookId).status()).isEqualTo(404);

    assertThat(api.delete("/api/stream/" + id).status()).isEqualTo(204);
    assertThat(api.get("/api/stream/" + id).status()).isEqualTo(404);
    assertThat(api.get("/api/stream").body().findValuesAsText("id")).doesNotContain(id);
  }

  @Test
  void missingOrWrongKeyIs401UnknownIdIs404BadJsonIs400WithAMessage() {
    ApiClient.Answer missing = api.withKey("").get("/api/stream");
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.body().path("errors").get(0).asText()).contains("Authorization: Bearer");
    ApiClient.Answer wrong = api.withKey("0".repeat(64)).post("/api/stream", "{\"name\":\"x\"}");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body().path("errors").get(0).asText()).isEqualTo("invalid API key");
    assertThat(api.withKey("0".repeat(64)).get("/api/network").status()).isEqualTo(401);
    assertThat(api.withKey("").get("/api/webhook").status()).isEqualTo(401);

    for (String path : List.of("/api/stream/7a1c-none", "/api/stream/7a1c-none/sessions",
        "/api/stream/7a1c-none/health", "/api/webhook/none", "/api/webhook/none/log", "/api/nothing")) {
      ApiClient.Answer a = api.get(path);
      assertThat(a.status()).as(path).isEqualTo(404);
      assertThat(a.body().path("errors").get(0).asText()).as(path).isNotBlank();
    }
    assertThat(api.patch("/api/stream/7a1c-none", "{}").status()).isEqualTo(404);
    assertThat(api.delete("/api/stream/7a1c-none").status()).isEqualTo(404);

    ApiClient.Answer notJson = api.post("/api/stream", "{\"name\": ");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().path("errors").get(0).asText()).startsWith("the body is not valid JSON");
    assertThat(message(api.post("/api/stream", "[1,2]"))).isEqualTo("the body must be a JSON object");
    assertThat(message(api.post("/api/stream", "{}"))).isEqualTo("\"name\" is required");
    assertThat(message(api.post("/api/stream", "{\"name\":\"x\",\"record\":\"yes\"}")))
        .isEqualTo("\"record\" must be true or false");
    assertThat(message(api.post("/api/stream", "{\"name\":\"x\",\"profiles\":[{\"name\":\"a\",\"width\":99999,"
        + "\"height\":10,\"bitrate\":1000}]}"))).contains("out of range");
    assertThat(message(api.post("/api/webhook", "{\"name\":\"h\",\"url\":\"ftp://x/\",\"events\":[\"stream.idle\"]}")))
        .contains("http://");
    assertThat(message(api.post("/api/webhook", "{\"name\":\"h\",\"url\":\"http://x/\",\"events\":[\"stream.nope\"]}")))
        .contains("unknown event");
    String id = api.post("/api/stream", "{\"name\":\"badpatch\"}").body().path("id").asText();
    assertThat(message(api.patch("/api/stream/" + id, "{\"suspended\":1}"))).isEqualTo(
        "\"suspended\" must be true or false");
    ApiClient.Answer put = api.send("PUT", "/api/stream", "{}");
    assertThat(put.status()).isEqualTo(405);
    assertThat(put.body().path("errors").get(0).asText()).contains("PUT");
    assertThat(api.get("/api/stream/" + id).body().path("name").asText()).isEqualTo("badpatch");
  }

  private static String message(ApiClient.Answer a) {
    assertThat(a.status()).as(a.text()).isEqualTo(400);
    return a.body().path("errors").get(0).asText();
  }

  @Test
  void deletingALiveStreamCutsItsPublishAndRefusesItsKeyWhileAnotherGoesOn() throws Exception {
    Path clip = TestMedia.source(320, 180, 30, 14, "flv");
    JsonNode live = api.post("/api/stream", "{\"name\":\"goes-on\"}").body();
    JsonNode doomed = api.post("/api/stream", "{\"name\":\"deleted\"}").body();
    String liveId = live.path("id").asText();
    String doomedId = doomed.path("id").asText();
    CompletableFuture<String> publishing = ApiClient.publish(clip, node, live.path("streamKey").asText());
    long doomedStart = System.nanoTime();
    CompletableFuture<String> doomedPublishing = ApiClient.publish(clip, node, doomed.path("streamKey").asText());
    await("both streams to be live", Duration.ofSeconds(60),
        () -> api.get("/api/stream/" + liveId).body().path("sourceSegments").asLong() >= 1
            && api.get("/api/stream/" + doomedId).body().path("sourceSegments").asLong() >= 1);
    assertThat(api.get("/api/stream/" + liveId).body().path("isActive").asBoolean()).isTrue();
    assertThat(api.get("/api/stream/" + doomedId).body().path("isActive").asBoolean()).isTrue();

    // deleting a live stream cuts its publish at once (the 14 s clip is far from its end), the other goes on
    assertThat(api.delete("/api/stream/" + doomedId).status()).isEqualTo(204);
    assertThat(doomedPublishing).failsWithin(Duration.ofSeconds(8));
    assertThat((System.nanoTime() - doomedStart) / 1e9).as("seconds the deleted stream published")
        .isLessThan(12.0);
    long before = api.get("/api/stream/" + liveId).body().path("sourceSegments").asLong();
    assertThatThrownBy(() -> ApiClient.publish(clip, node, doomed.path("streamKey").asText()).join())
        .hasCauseInstanceOf(MediaException.class);
    assertThatThrownBy(() -> ApiClient.publish(clip, node, "unkn-ownk-eyxx-xxxx").join())
        .hasCauseInstanceOf(MediaException.class);
    await("segments to keep arriving on the other stream", Duration.ofSeconds(30),
        () -> api.get("/api/stream/" + liveId).body().path("sourceSegments").asLong() >= before + 2);

    publishing.get(2, TimeUnit.MINUTES);
    await("the stream to go idle", Duration.ofSeconds(60),
        () -> !api.get("/api/stream/" + liveId).body().path("isActive").asBoolean(true));
    JsonNode after = api.get("/api/stream/" + liveId).body();
    assertThat(after.path("sourceSegments").asLong()).isGreaterThanOrEqualTo(6);
    assertThat(after.path("transcodedSegments").asLong()).isEqualTo(after.path("sourceSegments").asLong());
    assertThat(after.path("sourceSegmentsDuration").asDouble()).isBetween(12.0, 16.0);
    assertThat(after.path("sourceBytes").asLong()).isPositive();
    assertThat(after.path("transcodedBytes").asLong()).isPositive();
    assertThat(after.path("lastSeen").asLong()).isGreaterThan(after.path("createdAt").asLong());

    JsonNode sessions = api.get("/api/stream/" + liveId + "/sessions").body();
    assertThat(sessions.size()).isEqualTo(1);
    JsonNode session = sessions.get(0);
    assertThat(session.path("parentId").asText()).isEqualTo(liveId);
    assertThat(session.path("isActive").asBoolean(true)).isFalse();
    assertThat(session.path("recordingStatus").asText()).isEqualTo("none");
    assertThat(session.path("sourceSegments").asLong()).isEqualTo(after.path("sourceSegments").asLong());

    JsonNode health = api.get("/api/stream/" + liveId + "/health").body();
    assertThat(health.path("segmentsIn").asLong()).isEqualTo(after.path("sourceSegments").asLong());
    assertThat(health.path("segmentsOut").asLong()).isEqualTo(health.path("segmentsIn").asLong());
    assertThat(health.path("failures").asLong(-1)).isZero();
    assertThat(health.path("realTimeRatio").asDouble()).isPositive();
    assertThat(health.path("lastSegmentAt").asLong()).isPositive();

    // the HLS is served under the playback id, with the ladder's rendition
    String playbackId = live.path("playbackId").asText();
    assertThat(api.text("/stream/" + playbackId + ".m3u8")).contains(playbackId + "/P144p.m3u8");
    assertThat(api.text("/stream/" + playbackId + "/P144p.m3u8")).contains("#EXT-X-ENDLIST");
    // the refused publishes made no streams of their own
    assertThat(api.text("/stream/" + doomed.path("streamKey").asText() + ".m3u8")).doesNotContain("#EXTM3U");
  }
}
