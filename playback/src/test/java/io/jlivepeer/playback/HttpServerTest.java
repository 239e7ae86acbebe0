package io.jlivepeer.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpServerTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch slowStarted = new CountDownLatch(1);
  private final CountDownLatch twoSlowStarted = new CountDownLatch(2);
  private HttpServer server;
  // HTTP/1.1: with the default HTTP/2 the JDK client may hold a second request to a new host back until the first
  // one's h2c upgrade is decided, so the two slow requests would not hold both handler slots at once
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() {
    List<Route> routes = List.of(
        Route.of("/echo/", HttpServerTest::echo, HttpMethod.GET, HttpMethod.POST),
        Route.of("/echo/deeper/", req -> text("deeper"), HttpMethod.GET),
        Route.of("/boom", req -> {
          throw new IllegalStateException("secret database password is hunter2");
        }, HttpMethod.GET),
        Route.of("/fail", req -> CompletableFuture.failedFuture(new RuntimeException("internal detail /etc/x")),
            HttpMethod.GET),
        Route.of("/slow", req -> {
          slowStarted.countDown();
          twoSlowStarted.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return text("slow");
        }, HttpMethod.GET),
        Route.of("/thread", req -> text(Thread.currentThread().isVirtual() + " " + Thread.currentThread().getName()),
            HttpMethod.GET));
    HttpServerConfig config = HttpServerConfig.defaults("127.0.0.1", 0).withMaxRequestBytes(1024)
        .withMaxConcurrentRequests(2);
    server = HttpServer.start(config, routes);
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
  }

  private static CompletableFuture<FullHttpResponse> echo(FullHttpRequest request) {
    String body = request.method() + " " + request.uri() + " " + request.content().toString(StandardCharsets.UTF_8);
    return text(body);
  }

  private static CompletableFuture<FullHttpResponse> text(String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set("Content-Type", "text/plain");
    return CompletableFuture.completedFuture(response);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesByLongestPrefixAndPassesTheRequestThrough() throws Exception {
    HttpResponse<String> echoed = client.send(
        HttpRequest.newBuilder(uri("/echo/x?q=1")).POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(echoed.statusCode()).isEqualTo(200);
    assertThat(echoed.body()).isEqualTo("POST /echo/x?q=1 hello");
    assertThat(get("/echo/deeper/y").body()).isEqualTo("deeper");
  }

  @Test
  void runsHandlersOnVirtualThreads() throws Exception {
    assertThat(get("/thread").body()).startsWith("true http-handler-");
  }

  @Test
  void putsCorsHeadersOnEveryResponse() throws Exception {
    for (String path : List.of("/echo/a", "/nothing-here", "/boom")) {
      HttpResponse<String> response = get(path);
      assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).as(path).contains("*");
      assertThat(response.headers().firstValue("Access-Control-Allow-Headers")).as(path).isPresent();
      assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).as(path)
          .contains("GET, HEAD, POST, PUT, OPTIONS");
      assertThat(response.headers().firstValue("Access-Control-Expose-Headers")).as(path)
          .hasValueSatisfying(v -> assertThat(v).contains("Rendition-Name"));
    }
  }

  @Test
  void answersCorsPreflight() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/echo/a"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://player.example")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-duration")
            .build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).contains("GET, HEAD, OPTIONS, POST");
    assertThat(response.headers().firstValue("Access-Control-Allow-Headers"))
        .hasValueSatisfying(v -> assertThat(v).contains("Content-Duration"));
    assertThat(response.headers().firstValue("Access-Control-Max-Age")).contains("86400");
  }

  @Test
  void answersUnknownPaths404AndWrongMethods405() throws Exception {
    HttpResponse<String> missing = get("/nowhere");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("not found\n");
    assertThat(missing.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");

    HttpResponse<String> wrong = client.send(
        HttpRequest.newBuilder(uri("/boom")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(405);
    assertThat(wrong.headers().firstValue("Allow")).contains("GET, HEAD, OPTIONS");
  }

  @Test
  void hidesHandlerFailuresBehindAPlain500() throws Exception {
    for (String path : List.of("/boom", "/fail")) {
      HttpResponse<String> response = get(path);
      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body()).isEqualTo("internal server error\n").doesNotContain("hunter2", "/etc");
    }
    assertThat(get("/echo/after").statusCode()).isEqualTo(200);
  }

  @Test
  void answersHeadWithoutBodyButWithLength() throws Exception {
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(uri("/echo/h")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue("HEAD /echo/h ".length());
  }

  @Test
  void rejectsDotSegmentsBeforeAnyHandler() throws Exception {
    for (String target : List.of("/echo/../boom", "/echo/%2e%2e/boom", "/echo/%2E./x", "/echo/./x", "/echo/a\\..\\b")) {
      String response = RawHttp.exchange(server.port(),
          "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(response).as(target).startsWith("HTTP/1.1 400 ");
      assertThat(response).as(target).contains("access-control-allow-origin: *");
    }
  }

  @Test
  void answersMalformedRequests400() throws Exception {
    String response = RawHttp.exchange(server.port(), "GARBAGE\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400 ").contains("malformed HTTP request");
  }

  @Test
  void refusesBodiesOverTheLimitWith413() throws Exception {
    String head = "POST /echo/big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n";
    byte[] request = new byte[head.length() + 5000];
    System.arraycopy(head.getBytes(StandardCharsets.ISO_8859_1), 0, request, 0, head.length());

    String response = RawHttp.exchange(server.port(), request);

    assertThat(response).startsWith("HTTP/1.1 413 ").contains("larger than the limit of 1024 bytes")
        .contains("access-control-allow-origin: *");
  }

  @Test
  void keepsPipelinedResponsesInRequestOrder() throws Exception {
    CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return RawHttp.exchange(server.port(), "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /echo/fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
    release.countDown();

    String both = answer.get(10, TimeUnit.SECONDS);
    assertThat(both.indexOf("slow")).isPositive().isLessThan(both.indexOf("GET /echo/fast"));
  }

  @Test
  void answers503WhenAllHandlerSlotsAreBusy() throws Exception {
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(HttpRequest.newBuilder(uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> second =
        client.sendAsync(HttpRequest.newBuilder(uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(twoSlowStarted.await(5, TimeUnit.SECONDS)).isTrue();
    // Both slots (maxConcurrentRequests = 2) are now taken by the two slow requests.
    HttpResponse<String> third = null;
    for (int attempt = 0; attempt < 500; attempt++) {
      third = get("/echo/busy");
      if (third.statusCode() == 503) {
        break;
      }
      Thread.sleep(10);
    }
    assertThat(third).isNotNull();
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.headers().firstValue("Retry-After")).contains("1");
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(get("/echo/free").statusCode()).isEqualTo(200);
  }

  @Test
  void failsClearlyWhenThePortIsTaken() {
    HttpServerConfig taken = HttpServerConfig.defaults("127.0.0.1", server.port());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpServer.start(taken, List.of()))
        .isInstanceOf(PlaybackException.class).hasMessageContaining("could not listen for HTTP");
  }

  @Test
  void closesIdleConnectionsButNotOnesWaitingForASlowHandler() throws Exception {
    HttpServerConfig quick = new HttpServerConfig("127.0.0.1", 0, 1024, 4096, 16384, Duration.ofMillis(200), 4, 1);
    List<Route> routes = List.of(Route.of("/wait", req -> {
      try {
        Thread.sleep(700); // longer than the idle timeout
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return text("waited");
    }, HttpMethod.GET));
    try (HttpServer quickServer = HttpServer.start(quick, routes)) {
      // keep-alive request: answered although the handler outlasts the idle timeout, then closed once idle
      String answer = RawHttp.exchange(quickServer.port(), "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(answer).startsWith("HTTP/1.1 200 OK").endsWith("waited");

      long start = System.nanoTime();
      try (java.net.Socket silent = new java.net.Socket("127.0.0.1", quickServer.port())) {
        silent.setSoTimeout(5000);
        assertThat(silent.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
  }
}
