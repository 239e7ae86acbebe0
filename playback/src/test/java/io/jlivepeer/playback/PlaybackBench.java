package io.jlivepeer.playback;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Serving throughput on loopback: many viewers polling media playlists and fetching 1 MB segments. Opt-in:
 * {@code ./mvnw -B -q -o -pl playback -am verify -Djlivepeer.bench=true -Dtest=PlaybackBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "jlivepeer.bench", matches = "true")
class PlaybackBench {
  private static final int VIEWERS = Integer.getInteger("bench.viewers", 64);
  private static final int ROUNDS = 200;
  private static final int SEGMENT_BYTES = 1 << 20;

  @Test
  void servesPlaylistsAndSegmentsToManyViewers() throws Exception {
    HlsStreams streams = new HlsStreams(HlsConfig.defaults(), new InMemorySegmentStore());
    List<HlsVariant> ladder = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ladder.add(new HlsVariant("r" + i, 640, 360, 1_000_000, "avc1.64001f,mp4a.40.2", 30));
    }
    streams.startStream("bench", ladder);
    for (HlsVariant v : ladder) {
      for (int seq = 0; seq < 10; seq++) {
        streams.addSegment("bench", v.name(), seq, 2000, new byte[SEGMENT_BYTES]);
      }
    }
    try (HttpServer server = HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0),
        List.of(new HlsHttpHandler(streams).route()))) {
      String base = "http://127.0.0.1:" + server.port() + "/stream/bench/";
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      AtomicLong playlists = new AtomicLong();
      AtomicLong segmentBytes = new AtomicLong();
      long start = System.nanoTime();
      try (ExecutorService viewers = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> done = new ArrayList<>();
        for (int v = 0; v < VIEWERS; v++) {
          String rendition = "r" + (v % 4);
          done.add(viewers.submit(() -> {
            for (int round = 0; round < ROUNDS; round++) {
              HttpResponse<String> playlist = client.send(
                  HttpRequest.newBuilder(URI.create(base + rendition + ".m3u8")).build(),
                  HttpResponse.BodyHandlers.ofString());
              assertThat(playlist.statusCode()).isEqualTo(200);
              playlists.incrementAndGet();
              if (round % 10 == 0) {
                HttpResponse<byte[]> segment = client.send(
                    HttpRequest.newBuilder(URI.create(base + rendition + "/" + (round / 10 % 10) + ".ts")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
                assertThat(segment.body()).hasSize(SEGMENT_BYTES);
                segmentBytes.addAndGet(segment.body().length);
              }
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("BENCH playback: %d viewers, %d playlist GETs + %d MB of segments in %.2f s:"
              + " %.0f playlist req/s, %.0f MB/s of segments (with playlists interleaved)%n",
          VIEWERS, playlists.get(), segmentBytes.get() >> 20, seconds, playlists.get() / seconds,
          (segmentBytes.get() >> 20) / seconds);
    }
  }

  @Test
  void rawKeepAliveLatency() throws Exception {
    HlsStreams streams = new HlsStreams(HlsConfig.defaults(), new InMemorySegmentStore());
    streams.startStream("bench", List.of(new HlsVariant("r0", 640, 360, 1_000_000, "", 30)));
    for (int seq = 0; seq < 10; seq++) {
      streams.addSegment("bench", "r0", seq, 2000, new byte[SEGMENT_BYTES]);
    }
    try (HttpServer server = HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0),
            List.of(new HlsHttpHandler(streams).route()));
        java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setTcpNoDelay(true);
      var out = socket.getOutputStream();
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      for (String path : List.of("/stream/bench/r0.m3u8", "/stream/bench/r0/3.ts")) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes();
        int n = path.endsWith(".ts") ? 200 : 2000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          out.write(request);
          out.flush();
          readResponse(in);
        }
        double micros = (System.nanoTime() - start) / 1e3 / n;
        System.out.printf("BENCH raw keep-alive %s: %.0f us per request%n", path, micros);
      }
    }
  }

  private static void readResponse(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException();
      }
      head.append((char) b);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    assertThat(m.find()).isTrue();
    in.readNBytes(Integer.parseInt(m.group(1)));
  }
}
