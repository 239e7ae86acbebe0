package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfile;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpPushHandlerTest {
  private static final VideoProfile P240 = VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30);
  private static final VideoProfile P360 = VideoProfile.of("P360p30fps16x9", 640, 360, 1_200_000, 30);
  private static byte[] goodTs;

  /** A fake transcoder: two "renditions" derived from the input so the test can recognise them. */
  private final ConcurrentLinkedQueue<HttpPushSegment> received = new ConcurrentLinkedQueue<>();
  private final HttpPushSink fakeTranscoder = pushed -> {
    received.add(pushed);
    byte[] in = pushed.segment().data();
    return CompletableFuture.completedFuture(List.of(
        new Rendition(P240, Arrays.copyOf(in, 188), 100),
        new Rendition(P360, Arrays.copyOfRange(in, 188, 188 * 3), 200)));
  };
  private final HttpPushHandler handler = new HttpPushHandler(HttpPushConfig.defaults(), fakeTranscoder);
  private final List<FullHttpResponse> responses = new ArrayList<>();

  @BeforeAll
  static void media() throws Exception {
    goodTs = Files.readAllBytes(TestMedia.source(320, 180, 30, 2, "ts"));
  }

  @AfterEach
  void release() {
    responses.forEach(FullHttpResponse::release);
  }

  private static FullHttpRequest push(HttpMethod method, String uri, byte[] body, Map<String, String> headers) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body));
    headers.forEach((k, v) -> request.headers().set(k, v));
    return request;
  }

  private FullHttpResponse send(HttpPushHandler h, FullHttpRequest request) throws Exception {
    try {
      FullHttpResponse response = h.apply(request).get(30, TimeUnit.SECONDS);
      responses.add(response);
      return response;
    } finally {
      request.release();
    }
  }

  private FullHttpResponse send(FullHttpRequest request) throws Exception {
    return send(handler, request);
  }

  private static String body(FullHttpResponse response) {
    return response.content().toString(StandardCharsets.UTF_8);
  }

  @Test
  void answersRenditionsAsMultipartWhenAsked() throws Exception {
    FullHttpResponse response = send(push(HttpMethod.POST, "/live/abc123/7.ts", goodTs, Map.of(
        "Content-Duration", "2000", "Content-Resolution", "320x180", "Accept", "multipart/mixed")));

    assertThat(response.status().code()).isEqualTo(200);
    String contentType = response.headers().get("Content-Type");
    assertThat(contentType).startsWith("multipart/mixed; boundary=");
    String boundary = contentType.substring("multipart/mixed; boundary=".length());
    List<MultipartTestParser.Part> parts = MultipartTestParser.parse(ByteBufUtil.getBytes(response.content()), boundary);
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).headers()).containsExactly(
        Map.entry("Content-Type", "video/MP2T"),
        Map.entry("Content-Length", "188"),
        Map.entry("Content-Disposition", "attachment; filename=\"P240p30fps16x9_7.ts\""),
        Map.entry("Rendition-Name", "P240p30fps16x9"));
    assertThat(parts.get(0).data()).isEqualTo(Arrays.copyOf(goodTs, 188));
    assertThat(parts.get(1).headers()).containsEntry("Rendition-Name", "P360p30fps16x9")
        .containsEntry("Content-Disposition", "attachment; filename=\"P360p30fps16x9_7.ts\"")
        .containsEntry("Content-Length", "376");
    assertThat(parts.get(1).data()).isEqualTo(Arrays.copyOfRange(goodTs, 188, 564));
    assertThat(response.headers().getInt("Content-Length")).isEqualTo(response.content().readableBytes());

    HttpPushSegment pushed = received.poll();
    assertThat(pushed).isNotNull();
    assertThat(pushed.manifestId()).isEqualTo("abc123");
    assertThat(pushed.segment().seq()).isEqualTo(7);
    assertThat(pushed.segment().durationMillis()).isEqualTo(2000);
    assertThat(pushed.segment().data()).isEqualTo(goodTs);
    assertThat(pushed.width()).isEqualTo(320);
    assertThat(pushed.height()).isEqualTo(180);
  }

  @Test
  void writesTheExactMultipartLayout() {
    HttpPushMultipart.Body body = HttpPushMultipart.write(
        List.of(new Rendition(P240, new byte[] {1, 2}, 0), new Rendition(P360, new byte[] {3}, 0)), 5);
    String b = body.boundary();
    byte[] expected = ("--" + b + "\r\n"
        + "Content-Type: video/MP2T\r\nContent-Length: 2\r\n"
        + "Content-Disposition: attachment; filename=\"P240p30fps16x9_5.ts\"\r\nRendition-Name: P240p30fps16x9\r\n\r\n"
        + "\u0001\u0002\r\n--" + b + "\r\n"
        + "Content-Type: video/MP2T\r\nContent-Length: 1\r\n"
        + "Content-Disposition: attachment; filename=\"P360p30fps16x9_5.ts\"\r\nRendition-Name: P360p30fps16x9\r\n\r\n"
        + "\u0003\r\n--" + b + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
    assertThat(body.bytes()).isEqualTo(expected);
    assertThat(b).matches("[0-9a-f]{32}");
    HttpPushMultipart.Body none = HttpPushMultipart.write(List.of(), 0);
    assertThat(new String(none.bytes(), StandardCharsets.US_ASCII)).isEqualTo("--" + none.boundary() + "--\r\n");
  }

  @Test
  void answersEmpty200WithoutMultipartAndAcceptsPut() throws Exception {
    FullHttpResponse response = send(push(HttpMethod.PUT, "/live/s1/0.ts?token=x", goodTs, Map.of()));

    assertThat(response.status().code()).isEqualTo(200);
    assertThat(response.content().readableBytes()).isZero();
    HttpPushSegment pushed = received.poll();
    assertThat(pushed).isNotNull();
    // No Content-Duration: derived from the video timestamps of the 2 s clip.
    assertThat(pushed.segment().durationMillis()).isBetween(1950L, 2050L);
    assertThat(pushed.hasResolution()).isFalse();
  }

  @Test
  void rejectsBadPathsAndSequenceNumbers() throws Exception {
    for (String uri : List.of("/live/abc", "/live/abc/x.ts", "/live/abc/-1.ts", "/live/../etc/1.ts",
        "/live/a%2Fb/1.ts", "/live/abc/1.mp4", "/live/abc/99999999999999999999.ts", "/live/abc/1.ts/extra")) {
      FullHttpResponse response = send(push(HttpMethod.POST, uri, goodTs, Map.of()));
      assertThat(response.status().code()).as(uri).isEqualTo(400);
      assertThat(body(response)).as(uri).contains("expected /live/<manifestID>/<seq>.ts");
    }
    assertThat(received).isEmpty();
  }

  @Test
  void rejectsBadHeaders() throws Exception {
    for (Map<String, String> headers : List.of(Map.of("Content-Duration", "abc"),
        Map.of("Content-Duration", "0"), Map.of("Content-Duration", "400000"),
        Map.of("Content-Resolution", "big"), Map.of("Content-Resolution", "0x720"),
        Map.of("Content-Resolution", "99999x1"))) {
      FullHttpResponse response = send(push(HttpMethod.POST, "/live/abc/1.ts", goodTs, headers));
      assertThat(response.status().code()).as(headers.toString()).isEqualTo(400);
      assertThat(response.headers().get("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    }
    assertThat(received).isEmpty();
  }

  @Test
  void rejectsOversizedAndEmptyBodies() throws Exception {
    HttpPushHandler small = new HttpPushHandler(new HttpPushConfig(188 * 10, 300_000), fakeTranscoder);

    FullHttpResponse tooBig = send(small, push(HttpMethod.POST, "/live/abc/1.ts", goodTs, Map.of()));
    assertThat(tooBig.status().code()).isEqualTo(413);
    assertThat(body(tooBig)).contains("over the limit of 1880 bytes");

    FullHttpResponse empty = send(push(HttpMethod.POST, "/live/abc/1.ts", new byte[0], Map.of()));
    assertThat(empty.status().code()).isEqualTo(400);
    assertThat(body(empty)).contains("empty body");
  }

  @Test
  void rejectsCorruptTransportStreamsWithTheReason() throws Exception {
    byte[] random = new byte[188 * 50];
    new Random(1).nextBytes(random);
    FullHttpResponse randomAnswer = send(push(HttpMethod.POST, "/live/abc/1.ts", random, Map.of()));
    assertThat(randomAnswer.status().code()).isEqualTo(422);
    assertThat(body(randomAnswer)).startsWith("invalid MPEG-TS segment: packet 0 (byte offset 0) does not start");

    FullHttpResponse truncated =
        send(push(HttpMethod.POST, "/live/abc/2.ts", Arrays.copyOf(goodTs, goodTs.length / 2 + 7), Map.of()));
    assertThat(truncated.status().code()).isEqualTo(422);
    assertThat(body(truncated)).contains("not a multiple of the 188-byte MPEG-TS packet size");

    FullHttpResponse noTables = send(push(HttpMethod.POST, "/live/abc/3.ts", TsCheckTest.withoutPids(goodTs, 0), Map.of()));
    assertThat(noTables.status().code()).isEqualTo(422);
    assertThat(body(noTables)).contains("no PAT");
    assertThat(received).isEmpty();
  }

  @Test
  void hidesSinkFailuresBehindA500() throws Exception {
    HttpPushHandler failing = new HttpPushHandler(HttpPushConfig.defaults(),
        pushed -> CompletableFuture.failedFuture(new MediaException("x264 crashed at /opt/secret/lib.so")));
    HttpPushHandler throwing = new HttpPushHandler(HttpPushConfig.defaults(), pushed -> {
      throw new IllegalStateException("bug with password=hunter2");
    });

    for (HttpPushHandler h : List.of(failing, throwing)) {
      FullHttpResponse response = send(h, push(HttpMethod.POST, "/live/abc/4.ts", goodTs,
          Map.of("Accept", "multipart/mixed")));
      assertThat(response.status().code()).isEqualTo(500);
      assertThat(body(response)).isEqualTo("could not process segment 4 of stream abc\n");
    }
  }

  @Test
  void rejectsOtherMethods() throws Exception {
    FullHttpResponse response = send(push(HttpMethod.GET, "/live/abc/1.ts", new byte[0], Map.of()));
    assertThat(response.status().code()).isEqualTo(405);
  }

  @Test
  void corruptPushesDoNotDisturbAConcurrentGoodOne() throws Exception {
    CountDownLatch inSink = new CountDownLatch(1);
    CountDownLatch badDone = new CountDownLatch(1);
    HttpPushHandler slow = new HttpPushHandler(HttpPushConfig.defaults(), pushed -> {
      inSink.countDown();
      try {
        // hold the good push inside the transcoder while the corrupt ones are answered
        assertThat(badDone.await(10, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return fakeTranscoder.onSegment(pushed);
    });
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Future<FullHttpResponse> good = pool.submit(() -> send(slow, push(HttpMethod.POST, "/live/good/0.ts", goodTs,
          Map.of("Accept", "multipart/mixed", "Content-Duration", "2000"))));
      assertThat(inSink.await(10, TimeUnit.SECONDS)).isTrue();
      List<Future<FullHttpResponse>> bad = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        byte[] junk = new byte[188 * 20 + i];
        new Random(i).nextBytes(junk);
        int seq = i;
        bad.add(pool.submit(() -> send(slow, push(HttpMethod.POST, "/live/bad/" + seq + ".ts", junk, Map.of()))));
      }
      for (Future<FullHttpResponse> f : bad) {
        assertThat(f.get(10, TimeUnit.SECONDS).status().code()).isEqualTo(422);
      }
      badDone.countDown();

      FullHttpResponse goodAnswer = good.get(10, TimeUnit.SECONDS);
      assertThat(goodAnswer.status().code()).isEqualTo(200);
      String boundary = goodAnswer.headers().get("Content-Type").replaceFirst(".*boundary=", "");
      assertThat(MultipartTestParser.parse(ByteBufUtil.getBytes(goodAnswer.content()), boundary)).hasSize(2);
    } finally {
      pool.shutdownNow();
    }
    assertThat(received).extracting(HttpPushSegment::manifestId).containsExactly("good");
  }
}
