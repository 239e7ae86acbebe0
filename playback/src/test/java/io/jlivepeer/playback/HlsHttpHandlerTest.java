package io.jlivepeer.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.lindstrom.m3u8.model.MasterPlaylist;
import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.parser.MasterPlaylistParser;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import io.lindstrom.m3u8.parser.ParsingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HlsHttpHandlerTest {
  private final HlsStreams streams = new HlsStreams(HlsConfig.defaults(), new InMemorySegmentStore());
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;

  @BeforeEach
  void start() {
    streams.startStream("live1", List.of(
        HlsVariant.source(1280, 720, 4_000_000, "avc1.64001f,mp4a.40.2", 30),
        new HlsVariant("P360p30fps16x9", 640, 360, 1_300_000, "avc1.4d401e,mp4a.40.2", 30)));
    streams.addSegment("live1", "source", 0, 2000, new byte[] {0x47, 1});
    streams.addSegment("live1", "P360p30fps16x9", 0, 2000, new byte[] {0x47, 2});
    server = HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0), List.of(new HlsHttpHandler(streams).route()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void servesMasterPlaylistAsMpegurlWithoutCaching() throws Exception {
    HttpResponse<byte[]> response = get("/stream/live1.m3u8");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/vnd.apple.mpegurl");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-cache");
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    MasterPlaylist master = new MasterPlaylistParser(ParsingMode.STRICT).readPlaylist(new String(response.body()));
    assertThat(master.variants()).extracting(v -> v.uri())
        .containsExactly("live1/source.m3u8", "live1/P360p30fps16x9.m3u8");
  }

  @Test
  void servesMediaPlaylistsAndSegmentsAtTheUrlsThePlaylistsName() throws Exception {
    URI master = URI.create("http://127.0.0.1:" + server.port() + "/stream/live1.m3u8");
    URI mediaUri = master.resolve("live1/P360p30fps16x9.m3u8");
    HttpResponse<String> mediaResponse = client.send(HttpRequest.newBuilder(mediaUri).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(mediaResponse.statusCode()).isEqualTo(200);
    assertThat(mediaResponse.headers().firstValue("Content-Type")).contains("application/vnd.apple.mpegurl");
    MediaPlaylist media = new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(mediaResponse.body());

    URI segmentUri = mediaUri.resolve(media.mediaSegments().get(0).uri());
    HttpResponse<byte[]> segment = client.send(HttpRequest.newBuilder(segmentUri).build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(segmentUri.getPath()).isEqualTo("/stream/live1/P360p30fps16x9/0.ts");
    assertThat(segment.statusCode()).isEqualTo(200);
    assertThat(segment.body()).containsExactly(0x47, 2);
    assertThat(segment.headers().firstValue("Content-Type")).contains("video/MP2T");
    assertThat(segment.headers().firstValue("Cache-Control")).contains("public, max-age=86400");
  }

  @Test
  void answers404ForUnknownStreamsRenditionsAndSegments() throws Exception {
    for (String path : List.of("/stream/nope.m3u8", "/stream/live1/P720.m3u8", "/stream/live1/source/9.ts",
        "/stream/nope/source/0.ts", "/stream/live1", "/stream/live1/source/0.mp4", "/stream/a/b/c/d.ts")) {
      HttpResponse<byte[]> response = get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).as(path).contains("*");
    }
  }

  @Test
  void answers400ForUnsafeNamesAndBadSequenceNumbers() throws Exception {
    HttpResponse<byte[]> badId = get("/stream/li%20ve.m3u8");
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(new String(badId.body())).contains("manifest id must be 1-128 characters");
    assertThat(get("/stream/live1/sou%2Frce.m3u8").statusCode()).isEqualTo(400);
    assertThat(get("/stream/live1/source/-1.ts").statusCode()).isEqualTo(400);
    assertThat(get("/stream/live1/source/99999999999999999999.ts").statusCode()).isEqualTo(400);
  }

  @Test
  void rejectsTraversalOutOfTheStreamTree() throws Exception {
    for (String target : List.of("/stream/../../etc/passwd", "/stream/live1/%2e%2e/%2e%2e/x.ts",
        "/stream/..%2f..%2fetc.m3u8", "/stream/live1/..%5c..%5cx.m3u8")) {
      String response = RawHttp.exchange(server.port(),
          "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(response).as(target).startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void answersHeadForSegments() throws Exception {
    HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/stream/live1/source/0.ts"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(2);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void showsEndlistOverHttpOnceTheStreamEnds() throws Exception {
    streams.endStream("live1");
    String text = new String(get("/stream/live1/source.m3u8").body());
    assertThat(new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(text).ongoing()).isFalse();
  }
}
