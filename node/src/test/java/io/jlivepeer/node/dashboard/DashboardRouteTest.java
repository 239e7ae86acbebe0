package io.jlivepeer.node.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.playback.HttpServer;
import io.jlivepeer.playback.HttpServerConfig;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /dashboard/} on a real HTTP server: the files, their types, and nothing outside the folder. */
class DashboardRouteTest {
  private static final HttpClient http = HttpClient.newHttpClient();
  private static HttpServer server;
  private static String base;

  @BeforeAll
  static void start() {
    server = HttpServer.start(HttpServerConfig.defaults("127.0.0.1", 0), List.of(DashboardRoute.route()));
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesIndexHtmlForTheFolder() throws Exception {
    HttpResponse<String> r = get("/dashboard/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(r.body()).contains("<script src=\"hls.min.js\"></script>").contains("dashboard.js");
    assertThat(get("/dashboard/index.html?x=1").body()).isEqualTo(r.body());
  }

  @Test
  void redirectsTheBarePathToTheFolder() throws Exception {
    HttpResponse<String> r = get("/dashboard");
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("location")).hasValue("/dashboard/");
  }

  @Test
  void servesEachFileWithItsContentType() throws Exception {
    assertThat(get("/dashboard/dashboard.js").headers().firstValue("content-type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(get("/dashboard/dashboard.css").headers().firstValue("content-type"))
        .hasValue("text/css; charset=utf-8");
    assertThat(get("/dashboard/favicon.svg").headers().firstValue("content-type")).hasValue("image/svg+xml");
  }

  @Test
  void servesHlsJsCopiedFromNpmAtBuildTime() throws Exception {
    HttpResponse<String> r = get("/dashboard/hls.min.js");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body().length()).isGreaterThan(100_000);
    assertThat(r.body()).contains("Hls");
    assertThat(get("/dashboard/hls.js.LICENSE.txt").body()).contains("Apache License");
  }

  @Test
  void unknownFilesAndOtherTypesAre404() throws Exception {
    for (String path : List.of("/dashboard/nope.js", "/dashboard/DashboardRoute.class", "/dashboard/dashboard",
        "/dashboardx", "/dashboard/sub/index.html", "/dashboard/.hidden.js")) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).contains("/dashboard/");
    }
  }

  private static final List<String> CLIMBING = List.of("/dashboard/../DashboardRoute.class",
      "/dashboard/..%2fDashboardRoute.class", "/dashboard/%2e%2e/%2e%2e/logback.xml", "/dashboard/..\\dashboard.js",
      "/dashboard//etc/passwd", "/dashboard/%2e%2e%2fdashboard%2fDashboardRoute.class", "/dashboard/%00index.html");

  @Test
  void noPathReachesOutsideTheDashboardFolder() throws Exception {
    // raw request lines (java.net.http would normalise some of these before sending); the server's router answers
    // 400 to dot segments and backslashes before any route sees them, the route itself 404 to the rest
    for (String target : CLIMBING) {
      assertThat(rawStatus(target)).as(target).isIn(400, 404);
    }
  }

  @Test
  void theRouteAloneRefusesEveryClimbingPath() {
    // the same paths straight to the handler, without the router's check in front
    for (String target : CLIMBING) {
      FullHttpResponse r = DashboardRoute.route().handler()
          .apply(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target)).join();
      try {
        assertThat(r.status().code()).as(target).isEqualTo(404);
      } finally {
        r.release();
      }
    }
  }

  private static int rawStatus(String target) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(head.substring(9, 12));
    }
  }
}
