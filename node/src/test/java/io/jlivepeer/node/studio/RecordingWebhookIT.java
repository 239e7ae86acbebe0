package io.jlivepeer.node.studio;

import static io.jlivepeer.node.studio.ApiClient.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.broadcaster.BroadcasterConfig;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import io.jlivepeer.node.studio.WebhookReceiver.Received;
import io.jlivepeer.node.store.ObjectStore;
import io.jlivepeer.node.store.S3ProxyProcess;
import io.jlivepeer.node.store.StoreSetup;
import io.lindstrom.m3u8.model.MasterPlaylist;
import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.model.PlaylistType;
import io.lindstrom.m3u8.model.Variant;
import io.lindstrom.m3u8.parser.MasterPlaylistParser;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import io.lindstrom.m3u8.parser.ParsingMode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole recording path through the stream API: a real B whose record store is a real S3 server (s3proxy
 * process), a stream created with {@code record: true}, a webhook to a real HTTP receiver on loopback, a real RTMP
 * publish from the bundled ffmpeg. When the publish ends, recording.ready arrives signed, the session says ready
 * with its URL, the bucket holds a VOD HLS of the whole ladder plus source (sizes checked with ffprobe), and B serves
 * the recording's master playlist at that URL.
 */
class RecordingWebhookIT {
  private static final String SECRET = "recording hooks secret";
  private static final List<VideoProfile> LADDER = List.of(VideoProfile.of("P144p", 256, 144, 200_000, 30),
      VideoProfile.of("P180p", 320, 180, 300_000, 30));
  private static final int CLIP_SECONDS = 4;

  @TempDir Path tmp;

  @Test
  void aRecordedApiStreamEndsAsARecordingReadyWebhookAndAVodOfTheFullLadderInTheBucket() throws Exception {
    Path clip = TestMedia.source(426, 240, 30, CLIP_SECONDS, "flv");
    WebhookReceiver receiver = WebhookReceiver.start(SECRET, 0);
    try (S3ProxyProcess s3 = S3ProxyProcess.startNew(tmp.resolve("s3"))) {
      String recordUrl = s3.bucket("recordings");
      BroadcasterConfig config = new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
          new InetSocketAddress("127.0.0.1", 0), LADDER, tmp.resolve("b"), 4, Duration.ofSeconds(2), 1000, 10);
      try (BroadcasterNode node = BroadcasterNode.start(config, new FfmpegTranscoder(),
              StoreSetup.none().withRecordObjectStore(recordUrl));
          ObjectStore bucket = ObjectStore.open(recordUrl)) {
        ApiClient api = new ApiClient(node, node.studio().createApiKey("recording-it"));
        String hookUrl = receiver.url();
        assertThat(api.post("/api/webhook", "{\"name\":\"rec\",\"url\":\"" + hookUrl + "\","
            + "\"events\":[\"recording.ready\"],\"sharedSecret\":\"" + SECRET + "\"}").status()).isEqualTo(201);
        JsonNode stream = api.post("/api/stream", "{\"name\":\"recorded\",\"record\":true}").body();
        assertThat(stream.path("record").asBoolean()).isTrue();
        String streamId = stream.path("id").asText();
        String playbackId = stream.path("playbackId").asText();

        ApiClient.publish(clip, node, stream.path("streamKey").asText()).get(1, TimeUnit.MINUTES);
        await("recording.ready at the receiver", Duration.ofSeconds(60),
            () -> receiver.received().stream().anyMatch(r -> r.event().equals("recording.ready")));

        JsonNode sessions = api.get("/api/stream/" + streamId + "/sessions").body();
        assertThat(sessions.size()).isEqualTo(1);
        JsonNode session = sessions.get(0);
        String sessionId = session.path("id").asText();
        assertThat(session.path("recordingStatus").asText()).isEqualTo("ready");
        String recordingUrl = session.path("recordingUrl").asText();
        assertThat(recordingUrl).isEqualTo(api.base() + "/recordings/" + playbackId + "/" + sessionId
            + "/index.m3u8");

        List<Received> ready = receiver.received().stream().filter(r -> r.event().equals("recording.ready")).toList();
        assertThat(ready).hasSize(1);
        Received hook = ready.get(0);
        assertThat(hook.signatureOk()).as("Livepeer-Signature verifies with the shared secret").isTrue();
        assertThat(hook.body().path("stream").path("id").asText()).isEqualTo(streamId);
        assertThat(hook.body().path("payload").path("sessionId").asText()).isEqualTo(sessionId);
        assertThat(hook.body().path("payload").path("recordingUrl").asText()).isEqualTo(recordingUrl);

        String prefix = playbackId + "/" + sessionId + "/";
        byte[] masterBytes = bucket.get(prefix + "index.m3u8")
            .orElseThrow(() -> new AssertionError("no " + prefix + "index.m3u8 in the bucket"));
        MasterPlaylist master = new MasterPlaylistParser(ParsingMode.STRICT).readPlaylist(text(masterBytes));
        assertThat(master.variants()).extracting(Variant::uri)
            .containsExactlyInAnyOrder("P144p.m3u8", "P180p.m3u8", "source.m3u8");
        Map<String, String> sizes = Map.of("P144p", "256,144", "P180p", "320,180", "source", "426,240");
        int sourceSegments = -1;
        for (Variant v : master.variants()) {
          String rendition = v.uri().replace(".m3u8", "");
          String playlistText = text(bucket.get(prefix + v.uri()).orElseThrow(() -> new AssertionError(
              "no " + prefix + v.uri())));
          assertThat(playlistText).as(rendition).contains("#EXT-X-ENDLIST");
          MediaPlaylist playlist = new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(playlistText);
          assertThat(playlist.playlistType()).as(rendition).contains(PlaylistType.VOD);
          assertThat(playlist.mediaSegments()).as(rendition).isNotEmpty();
          if (sourceSegments < 0) {
            sourceSegments = playlist.mediaSegments().size();
          }
          assertThat(playlist.mediaSegments()).as("segments of %s", rendition).hasSize(sourceSegments);
          String first = playlist.mediaSegments().get(0).uri();
          byte[] bytes = bucket.get(prefix + first).orElseThrow(() -> new AssertionError("missing " + first));
          Path file = Files.write(tmp.resolve(rendition + "-first.ts"), bytes);
          assertThat(probe(file)).as("size of %s's first segment", rendition).isEqualTo(sizes.get(rendition));
        }
        assertThat(session.path("sourceSegments").asInt(sourceSegments)).isEqualTo(sourceSegments);

        HttpResponse<byte[]> served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(recordingUrl))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.statusCode()).as("GET recordingUrl").isEqualTo(200);
        assertThat(text(served.body())).as("B serves the bucket's master playlist").isEqualTo(text(masterBytes));
      }
    } finally {
      receiver.close();
    }
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String probe(Path file) {
    return TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
        "-show_entries", "stream=width,height", "-of", "csv=p=0", file.toString()), 60)
        .lines().filter(l -> !l.isBlank()).findFirst().orElse("");
  }
}
