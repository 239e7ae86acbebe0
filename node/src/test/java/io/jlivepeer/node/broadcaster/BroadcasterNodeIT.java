package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.lindstrom.m3u8.model.MasterPlaylist;
import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.model.MediaSegment;
import io.lindstrom.m3u8.model.Variant;
import io.lindstrom.m3u8.parser.MasterPlaylistParser;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import io.lindstrom.m3u8.parser.ParsingMode;
import java.io.ByteArrayOutputStream;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole media node: real RTMP from the bundled ffmpeg CLI, real segmenting and x264 encodes, HLS over HTTP,
 * checked with ffprobe and a real HLS parser.
 */
class BroadcasterNodeIT {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static FfmpegTranscoder transcoder;

  @TempDir static Path dataDir;

  @BeforeAll
  static void setUp() {
    transcoder = new FfmpegTranscoder();
  }

  @AfterAll
  static void tearDown() {
    // FfmpegTranscoder holds no process-wide resources beyond its sessions, which each test closes.
  }

  private static BroadcasterNode start(List<VideoProfile> ladder, Path dir) {
    BroadcasterConfig config = new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), ladder, dir, 4, Duration.ofSeconds(2),
        1000 /* never skip: the test checks every segment */, 50);
    return BroadcasterNode.start(config, transcoder);
  }

  @Test
  void transcodes1080pRtmpPublishIntoTheStandardLadderServedAsHls() throws Exception {
    Path clip = TestMedia.source(1920, 1080, 30, 20, "flv");
    List<VideoProfile> ladder = VideoProfiles.standardLadder();
    try (BroadcasterNode node = start(ladder, dataDir.resolve("ladder"))) {
      publish(clip, node, "ladder").get(3, TimeUnit.MINUTES);
      String base = "http://127.0.0.1:" + node.httpAddress().getPort() + "/stream/";
      awaitEnded(base + "ladder/source.m3u8", Duration.ofMinutes(3));
      awaitAllRenditionsEnded(base, "ladder", ladder, Duration.ofMinutes(3));

      MasterPlaylist master = new MasterPlaylistParser(ParsingMode.STRICT).readPlaylist(get(base + "ladder.m3u8"));
      assertThat(master.variants()).extracting(Variant::uri)
          .containsExactly("ladder/P720p30fps16x9.m3u8".replace("P720p30fps16x9", ladder.get(0).name()),
              "ladder/" + ladder.get(1).name() + ".m3u8", "ladder/" + ladder.get(2).name() + ".m3u8",
              "ladder/" + ladder.get(3).name() + ".m3u8", "ladder/source.m3u8");
      for (Variant v : master.variants()) {
        assertThat(v.bandwidth()).isPositive();
        assertThat(v.codecs()).anyMatch(c -> c.startsWith("avc1.")).anyMatch(c -> c.startsWith("mp4a.40."));
      }

      MediaPlaylist source = mediaPlaylist(base + "ladder/source.m3u8");
      assertThat(source.mediaSegments()).hasSizeBetween(10, 11); // 20 s cut at 2 s keyframes
      double sourceSeconds = source.mediaSegments().stream().mapToDouble(MediaSegment::duration).sum();
      assertThat(sourceSeconds).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.2));

      for (VideoProfile p : ladder) {
        String playlistUrl = base + "ladder/" + p.name() + ".m3u8";
        MediaPlaylist playlist = mediaPlaylist(playlistUrl);
        assertThat(playlist.ongoing()).as("ENDLIST on %s", p.name()).isFalse();
        assertThat(playlist.mediaSegments()).as("every segment of %s", p.name()).hasSize(source.mediaSegments().size());
        Path joined = Files.createTempFile(dataDir, p.name(), ".ts");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (MediaSegment s : playlist.mediaSegments()) {
          byte[] bytes = getBytes(URI.create(playlistUrl).resolve(s.uri()).toString());
          Path one = Files.createTempFile(dataDir, p.name() + "-seg", ".ts");
          Files.write(one, bytes);
          assertThat(firstVideoPacketFlags(one)).as("%s %s starts with a keyframe", p.name(), s.uri()).contains("K");
          all.writeBytes(bytes);
        }
        Files.write(joined, all.toByteArray());
        assertThat(probe(joined, "v:0", "stream=width,height")).as("size of %s", p.name())
            .isEqualTo(p.width() + "," + p.height());
        assertThat(probe(joined, "a:0", "stream=codec_name")).as("audio of %s", p.name()).isEqualTo("aac");
        double kbps = videoKbps(joined);
        assertThat(kbps).as("average video bitrate of %s (target %d kbps)", p.name(), p.bitrateBps() / 1000)
            .isBetween(p.bitrateBps() / 1000.0 * 0.85, p.bitrateBps() / 1000.0 * 1.15);
      }
    }
  }

  @Test
  void twoPublishersAtOnceBothComplete() throws Exception {
    Path clip = TestMedia.source(640, 360, 30, 8, "flv");
    List<VideoProfile> ladder = VideoProfiles.defaultLadder();
    try (BroadcasterNode node = start(ladder, dataDir.resolve("two"))) {
      CompletableFuture<Void> a = publish(clip, node, "first");
      CompletableFuture<Void> b = publish(clip, node, "second");
      CompletableFuture.allOf(a, b).get(2, TimeUnit.MINUTES);
      String base = "http://127.0.0.1:" + node.httpAddress().getPort() + "/stream/";
      for (String id : List.of("first", "second")) {
        awaitAllRenditionsEnded(base, id, ladder, Duration.ofMinutes(2));
        int sourceCount = mediaPlaylist(base + id + "/source.m3u8").mediaSegments().size();
        assertThat(sourceCount).isBetween(4, 5);
        for (VideoProfile p : ladder) {
          assertThat(mediaPlaylist(base + id + "/" + p.name() + ".m3u8").mediaSegments()).hasSize(sourceCount);
        }
      }
      assertThat(node.stats().segmentsFailed()).isZero();
    }
  }

  @Test
  void aPublisherThatComesBackGetsADiscontinuity() throws Exception {
    Path clip = TestMedia.source(640, 360, 30, 4, "flv");
    List<VideoProfile> ladder = List.of(VideoProfiles.preset("P240p30fps16x9").orElseThrow());
    try (BroadcasterNode node = start(ladder, dataDir.resolve("restart"))) {
      String base = "http://127.0.0.1:" + node.httpAddress().getPort() + "/stream/";
      publish(clip, node, "again").get(1, TimeUnit.MINUTES);
      awaitAllRenditionsEnded(base, "again", ladder, Duration.ofMinutes(1));
      publish(clip, node, "again").get(1, TimeUnit.MINUTES);
      awaitAllRenditionsEnded(base, "again", ladder, Duration.ofMinutes(1));
      for (String rendition : List.of("source", "P240p30fps16x9")) {
        String text = get(base + "again/" + rendition + ".m3u8");
        MediaPlaylist playlist = new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(text);
        List<MediaSegment> segments = playlist.mediaSegments();
        assertThat(segments).as(rendition).hasSizeGreaterThanOrEqualTo(4);
        assertThat(segments.stream().filter(MediaSegment::discontinuity).count()).as(rendition).isEqualTo(1);
        int firstOfSecond = segments.size() / 2;
        assertThat(segments.get(firstOfSecond).discontinuity()).as("discontinuity at the restart of %s", rendition)
            .isTrue();
        for (MediaSegment s : segments) {
          assertThat(getBytes(URI.create(base + "again/" + rendition + ".m3u8").resolve(s.uri()).toString()))
              .isNotEmpty();
        }
      }
    }
  }

  // --- helpers ---

  /**
   * The bundled ffmpeg CLI as the RTMP client, publishing in real time as a live encoder does ({@code -re};
   * without it ffmpeg closes the socket while megabytes are still in flight, and its close resets the connection).
   */
  private static CompletableFuture<Void> publish(Path clip, BroadcasterNode node, String id) {
    String url = "rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live/" + id;
    return CompletableFuture.runAsync(() -> TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner",
        "-loglevel", "error", "-re", "-i", clip.toString(), "-c", "copy", "-f", "flv", url), 120));
  }

  private static void awaitAllRenditionsEnded(String base, String id, List<VideoProfile> ladder, Duration timeout)
      throws Exception {
    awaitEnded(base + id + "/source.m3u8", timeout);
    for (VideoProfile p : ladder) {
      awaitEnded(base + id + "/" + p.name() + ".m3u8", timeout);
    }
  }

  /** Waits until the media playlist carries ENDLIST and, after a restart, its last segment is listed. */
  private static void awaitEnded(String url, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && r.body().contains("#EXT-X-ENDLIST")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no #EXT-X-ENDLIST in " + url + " within " + timeout);
  }

  private static MediaPlaylist mediaPlaylist(String url) throws Exception {
    return new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(get(url));
  }

  private static String get(String url) throws Exception {
    return new String(getBytes(url), StandardCharsets.UTF_8);
  }

  private static byte[] getBytes(String url) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as("GET %s", url).isEqualTo(200);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as("CORS on %s", url).contains("*");
    return r.body();
  }

  private static String probe(Path file, String stream, String entries) {
    return TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", stream,
        "-show_entries", entries, "-of", "csv=p=0", file.toString()), 60)
        .lines().filter(l -> !l.isBlank()).findFirst().orElse(""); // MPEG-TS lists streams per program too
  }

  private static String firstVideoPacketFlags(Path file) {
    return TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
        "-show_entries", "packet=flags", "-read_intervals", "%+#1", "-of", "csv=p=0", file.toString()), 60).strip();
  }

  /** Average video bitrate from packet sizes over the packets' time span. */
  private static double videoKbps(Path file) {
    String out = TestMedia.run(List.of(FfmpegBinaries.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
        "-show_entries", "packet=size,pts_time,duration_time", "-of", "csv=p=0", file.toString()), 60);
    long bytes = 0;
    double first = Double.MAX_VALUE;
    double last = 0;
    double lastDuration = 0;
    List<String> lines = new ArrayList<>(out.lines().filter(l -> !l.isBlank()).toList());
    for (String line : lines) {
      String[] f = line.split(",");
      double pts = Double.parseDouble(f[0]);
      double duration = f[1].equals("N/A") ? 0 : Double.parseDouble(f[1]);
      bytes += Long.parseLong(f[2]);
      first = Math.min(first, pts);
      if (pts >= last) {
        last = pts;
        lastDuration = duration;
      }
    }
    double seconds = last + lastDuration - first;
    return bytes * 8 / seconds / 1000;
  }
}
