package io.jlivepeer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlivepeer.node.broadcaster.BroadcasterNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The demo as an app developer would start: an API key, then its streams created through B's stream API
 * (docs/api.md), each published to its stream key. A stream of the same name from an earlier run of the demo (same
 * data dir) is reused, so the dashboard does not fill up with copies.
 */
final class DemoStreams implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One API stream: where to publish and where to play. */
  record Stream(String id, String name, String streamKey, String playbackId, String playbackUrl) {}

  private final String base;
  private final String apiKey;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  DemoStreams(BroadcasterNode node) {
    this.base = "http://127.0.0.1:" + node.httpAddress().getPort();
    this.apiKey = node.studio().createApiKey("demo");
  }

  String apiKey() {
    return apiKey;
  }

  String dashboardUrl() {
    return base + "/dashboard/#key=" + apiKey;
  }

  /** The stream called {@code name}, created through POST /api/stream unless the API already has one. */
  Stream stream(String name) {
    JsonNode list = call("GET", "/api/stream", null, 200);
    for (JsonNode s : list) {
      if (s.path("name").asText().equals(name) && !s.path("suspended").asBoolean()) {
        return of(s);
      }
    }
    return of(call("POST", "/api/stream", JSON.createObjectNode().put("name", name).toString(), 201));
  }

  private static Stream of(JsonNode s) {
    return new Stream(s.path("id").asText(), s.path("name").asText(), s.path("streamKey").asText(),
        s.path("playbackId").asText(), s.path("playbackUrl").asText());
  }

  private JsonNode call(String method, String path, String body, int expected) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + apiKey)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != expected) {
        throw new CliException("demo: the broadcaster's stream API answered " + method + " " + path + " with HTTP "
            + r.statusCode() + ": " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new CliException("demo: cannot reach the broadcaster's stream API at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("demo: interrupted while creating its streams");
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
