package io.jlivepeer.node.studio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The tests' client of a real broadcaster's /api on loopback. */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** status and parsed body (null when empty) */
  record Answer(int status, JsonNode body, String text) {}

  private final String base;
  private final String key;

  ApiClient(BroadcasterNode node, String key) {
    this.base = "http://127.0.0.1:" + node.httpAddress().getPort();
    this.key = key;
  }

  ApiClient withKey(String other) {
    return new ApiClient(base, other);
  }

  private ApiClient(String base, String key) {
    this.base = base;
    this.key = key;
  }

  String base() {
    return base;
  }

  Answer get(String path) {
    return send("GET", path, null);
  }

  Answer post(String path, String body) {
    return send("POST", path, body);
  }

  Answer patch(String path, String body) {
    return send("PATCH", path, body);
  }

  Answer delete(String path) {
    return send("DELETE", path, null);
  }

  Answer send(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (!key.isEmpty()) {
      b.header("Authorization", "Bearer " + key);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode n = r.body().isEmpty() ? null : JSON.readTree(r.body());
      return new Answer(r.statusCode(), n, r.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  String text(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The bundled ffmpeg publishing {@code clip} in real time to rtmp://B/live/<name>; fails if ffmpeg fails. */
  static CompletableFuture<String> publish(Path clip, BroadcasterNode node, String name) {
    String url = "rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live/" + name;
    return CompletableFuture.supplyAsync(() -> TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(),
        "-hide_banner", "-loglevel", "error", "-re", "-i", clip.toString(), "-c", "copy", "-f", "flv", url), 120),
        // a thread per publish: the common pool has one thread on 2 cores and would run publishes one by one
        task -> Thread.ofPlatform().daemon().name("publish-" + name).start(task));
  }

  /** Polls until {@code check} holds, failing after {@code timeout}. */
  static void await(String what, Duration timeout, java.util.function.BooleanSupplier check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
