package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.store.ObjectStore;
import io.jlivepeer.node.store.Recording;
import io.jlivepeer.node.store.RecordingListener;
import io.jlivepeer.node.store.S3ProxyProcess;
import io.jlivepeer.node.store.StoreSetup;
import io.jlivepeer.node.store.UploadQueue;
import io.lindstrom.m3u8.model.MasterPlaylist;
import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.model.MediaSegment;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings and the live copy in a real S3 server (s3proxy process): a real B transcoding locally with FFmpeg, a
 * real RTMP publish from the bundled ffmpeg, every recorded segment checked with ffprobe.
 */
class RecordingIT {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final List<VideoProfile> LADDER = VideoProfiles.defaultLadder();
  private static final int CLIP_SECONDS = 4;

  @TempDir static Path tmp;
  private static S3ProxyProcess s3;
  private static FfmpegTranscoder transcoder;
  private static Path clip;

  @BeforeAll
  static void setUp() throws Exception {
    s3 = S3ProxyProcess.startNew(tmp.resolve("s3"));
    transcoder = new FfmpegTranscoder();
    clip = TestMedia.source(640, 360, 30, CLIP_SECONDS, "flv");
  }

  @AfterAll
  static void tearDown() {
    s3.close();
  }

  private static BroadcasterNode start(Path dir, StoreSetup stores) {
    BroadcasterConfig config = new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), LADDER, dir, 4, Duration.ofSeconds(2), 1000, 20);
    return BroadcasterNode.start(config, transcoder, stores);
  }

  @Test
  void aRecordedStreamBecomesAPlayableVodOfTheFullLadderInTheBucketAndTheLiveCopyToo() throws Exception {
    String recordUrl = s3.bucket("recordings");
    String liveUrl = s3.bucket("live");
    List<Recording> ready = new CopyOnWriteArrayList<>();
    CompletableFuture<Recording> first = new CompletableFuture<>();
    RecordingListener listener = r -> {
      ready.add(r);
      first.complete(r);
    };
    StoreSetup stores = StoreSetup.none().withRecordObjectStore(recordUrl).withObjectStore(liveUrl)
        .withListener(listener).withRecordWhen(id -> id.startsWith("rec"));
    try (BroadcasterNode node = start(tmp.resolve("b1"), stores);
        ObjectStore bucket = ObjectStore.open(recordUrl);
        ObjectStore live = ObjectStore.open(liveUrl)) {
      publish(node, "rec1").get(2, TimeUnit.MINUTES);
      Recording recording = first.get(2, TimeUnit.MINUTES);

      String prefix = "rec1/" + recording.sessionId() + "/";
      assertThat(recording.manifestId()).isEqualTo("rec1");
      assertThat(recording.masterKey()).isEqualTo(prefix + "index.m3u8");
      String base = "http://127.0.0.1:" + node.httpAddress().getPort();
      assertThat(recording.url()).isEqualTo(base + "/recordings/" + prefix + "index.m3u8");

      MasterPlaylist master = new MasterPlaylistParser(ParsingMode.STRICT)
          .readPlaylist(text(bucket.get(recording.masterKey()).orElseThrow()));
      assertThat(master.variants()).extracting(Variant::uri)
          .containsExactly(LADDER.get(0).name() + ".m3u8", LADDER.get(1).name() + ".m3u8", "source.m3u8");
      double sourceSeconds = 0;
      int sourceSegments = 0;
      for (Variant v : master.variants()) {
        String rendition = v.uri().replace(".m3u8", "");
        String playlistText = text(bucket.get(prefix + v.uri()).orElseThrow());
        MediaPlaylist playlist = new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(playlistText);
        assertThat(playlist.playlistType()).as(rendition).contains(PlaylistType.VOD);
        assertThat(playlist.ongoing()).as("ENDLIST in %s", rendition).isFalse();
        double seconds = 0;
        String expectedSize = rendition.equals("source") ? "640,360" : LADDER.stream()
            .filter(p -> p.name().equals(rendition)).map(p -> p.width() + "," + p.height()).findFirst()
            .orElseThrow();
        for (MediaSegment s : playlist.mediaSegments()) {
          byte[] bytes = bucket.get(prefix + s.uri()).orElseThrow(() -> new AssertionError("missing " + s.uri()));
          Path file = Files.write(Files.createTempFile(tmp, rendition, ".ts"), bytes);
          assertThat(probe(file, "v:0", "stream=width,height")).as("%s %s", rendition, s.uri())
              .isEqualTo(expectedSize);
          assertThat(probe(file, "a:0", "stream=codec_name")).as("audio of %s", s.uri()).isEqualTo("aac");
          seconds += s.duration();
        }
        if (rendition.equals("source")) {
          sourceSeconds = seconds;
          sourceSegments = playlist.mediaSegments().size();
        } else {
          assertThat(playlist.mediaSegments()).as("every segment of %s", rendition).hasSize(sourceSegments == 0
              ? playlist.mediaSegments().size() : sourceSegments);
        }
        assertThat(seconds).as("duration of %s", rendition).isCloseTo(CLIP_SECONDS, Offset.offset(0.3));
      }
      assertThat(recording.durationSeconds()).isCloseTo(sourceSeconds, Offset.offset(0.01));
      assertThat(recording.segments()).isEqualTo(sourceSegments);

      // B serves the same bytes from the store
      for (String key : List.of(recording.masterKey(), prefix + "source.m3u8", prefix + "source/0.ts",
          prefix + LADDER.get(1).name() + "/1.ts")) {
        HttpResponse<byte[]> r = get(base + "/recordings/" + key);
        assertThat(r.statusCode()).as(key).isEqualTo(200);
        assertThat(r.body()).as(key).isEqualTo(bucket.get(key).orElseThrow());
      }
      assertThat(get(base + "/recordings/" + prefix + "nothing.m3u8").statusCode()).isEqualTo(404);
      assertThat(get(base + "/recordings/" + "rec1/%2e%2e/x.ts").statusCode()).isEqualTo(400);

      // the live copy: master, media playlists with ENDLIST and their segments
      awaitTrue(() -> live.get("rec1/source.m3u8").map(b -> text(b).contains("#EXT-X-ENDLIST")).orElse(false),
          Duration.ofSeconds(30));
      assertThat(text(live.get("rec1.m3u8").orElseThrow())).contains("rec1/" + LADDER.get(0).name() + ".m3u8");
      for (String rendition : List.of("source", LADDER.get(0).name(), LADDER.get(1).name())) {
        awaitTrue(() -> live.get("rec1/" + rendition + ".m3u8").map(b -> text(b).contains("#EXT-X-ENDLIST"))
            .orElse(false), Duration.ofSeconds(30));
        MediaPlaylist playlist = new MediaPlaylistParser(ParsingMode.STRICT)
            .readPlaylist(text(live.get("rec1/" + rendition + ".m3u8").orElseThrow()));
        assertThat(playlist.mediaSegments()).isNotEmpty();
        for (MediaSegment s : playlist.mediaSegments()) {
          assertThat(live.get("rec1/" + s.uri())).as("live copy of %s", s.uri()).isPresent();
        }
      }

      // not recorded: its id fails the predicate; and the listener fired once
      publish(node, "other").get(2, TimeUnit.MINUTES);
      awaitTrue(() -> live.get("other/source.m3u8").map(b -> text(b).contains("#EXT-X-ENDLIST")).orElse(false),
          Duration.ofSeconds(60));
      assertThat(bucket.list("other/")).isEmpty();
      assertThat(ready).hasSize(1);
    }
  }

  @Test
  void anUnreachableRecordStoreLeavesLiveHlsAloneAndTheRecordingCompletesWhenItReturns() throws Exception {
    String recordUrl = s3.bucket("comeback");
    CompletableFuture<Recording> done = new CompletableFuture<>();
    StoreSetup stores = StoreSetup.none().withRecordObjectStore(recordUrl).withListener(done::complete)
        .withQueue(UploadQueue.Config.defaults().withRetry(Duration.ofMillis(200), Duration.ofSeconds(1)));
    try (BroadcasterNode node = start(tmp.resolve("b2"), stores)) {
      s3.stop();
      try {
        publish(node, "down").get(2, TimeUnit.MINUTES);
        String base = "http://127.0.0.1:" + node.httpAddress().getPort() + "/stream/down/";
        for (String rendition : List.of("source", LADDER.get(0).name(), LADDER.get(1).name())) {
          awaitTrue(() -> {
            HttpResponse<byte[]> r = get(base + rendition + ".m3u8");
            return r.statusCode() == 200 && text(r.body()).contains("#EXT-X-ENDLIST");
          }, Duration.ofSeconds(60));
        }
        assertThat(node.stats().segmentsFailed()).isZero();
        assertThat(node.objectStores().recordQueue().orElseThrow().healthy()).isFalse();
        assertThat(done).isNotDone();
      } finally {
        s3.start();
      }
      Recording recording = done.get(90, TimeUnit.SECONDS);
      assertThat(recording.durationSeconds()).isCloseTo(CLIP_SECONDS, Offset.offset(0.3));
      try (ObjectStore bucket = ObjectStore.open(recordUrl)) {
        assertThat(bucket.list("down/" + recording.sessionId() + "/source/")).hasSize(recording.segments());
      }
    }
  }

  // --- helpers ---

  private static CompletableFuture<Void> publish(BroadcasterNode node, String id) {
    String url = "rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live/" + id;
    return CompletableFuture.runAsync(() -> TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner",
        "-loglevel", "error", "-re", "-i", clip.toString(), "-c", "copy", "-f", "flv", url), 120));
  }

  private static HttpResponse<byte[]> get(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String probe(Path file, String stream, String entries) {
    return TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", stream,
        "-show_entries", entries, "-of", "csv=p=0", file.toString()), 60)
        .lines().filter(l -> !l.isBlank()).findFirst().orElse("");
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", timeout).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }
}
