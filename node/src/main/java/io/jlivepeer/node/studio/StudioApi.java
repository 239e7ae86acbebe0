package io.jlivepeer.node.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.playback.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/...}: the stream API's HTTP handler (docs/api.md). Runs on the HTTP server's virtual threads. Errors
 * are always {@code {"errors":["<message>"]}}: 401 without a valid key, 404 for an unknown id or path, 400 for a
 * body that is not the JSON asked for, 405 for a method the path does not take.
 */
final class StudioApi {
  private static final Logger log = LoggerFactory.getLogger(StudioApi.class);
  static final String PREFIX = "/api/";
  private static final int MAX_NAME = 500;
  private static final int DELIVERY_LOG_LIMIT = 200;

  /** An answer other than 2xx, with the message the client sees. */
  private static final class ApiError extends RuntimeException {
    final HttpResponseStatus status;

    ApiError(HttpResponseStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final Studio studio;

  StudioApi(Studio studio) {
    this.studio = studio;
  }

  Route route() {
    return Route.of(PREFIX, r -> CompletableFuture.completedFuture(handle(r)), HttpMethod.GET, HttpMethod.POST,
        HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.PUT, HttpMethod.OPTIONS); // PUT: a JSON 405
  }

  FullHttpResponse handle(FullHttpRequest request) {
    try {
      if (HttpMethod.OPTIONS.equals(request.method())) {
        return cors(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
      }
      String path = new QueryStringDecoder(request.uri()).path();
      List<String> parts = new ArrayList<>();
      for (String p : path.substring(PREFIX.length()).split("/")) {
        if (!p.isEmpty()) {
          parts.add(p);
        }
      }
      Optional<String> host = Optional.ofNullable(request.headers().get(HttpHeaderNames.HOST));
      if (parts.size() == 2 && parts.get(0).equals("playback")) {
        only(request, HttpMethod.GET);
        return json(HttpResponseStatus.OK, playback(parts.get(1), host));
      }
      authorize(request);
      if (parts.isEmpty()) {
        throw notFound("no endpoint " + path);
      }
      return switch (parts.get(0)) {
        case "stream" -> streams(request, parts, host);
        case "webhook" -> webhooks(request, parts);
        case "network" -> {
          if (parts.size() != 1) {
            throw notFound("no endpoint " + path);
          }
          only(request, HttpMethod.GET);
          yield json(HttpResponseStatus.OK, network());
        }
        default -> throw notFound("no endpoint " + path + "; see docs/api.md");
      };
    } catch (ApiError e) {
      return error(e.status, e.getMessage());
    } catch (StudioException e) {
      log.error("stream API: {} {} failed: {}", request.method(), request.uri(), e.getMessage(), e);
      return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the broadcaster could not complete the request; see"
          + " its log");
    }
  }

  // ---- streams

  private FullHttpResponse streams(FullHttpRequest request, List<String> parts, Optional<String> host) {
    if (parts.size() == 1) {
      if (HttpMethod.POST.equals(request.method())) {
        ObjectNode body = object(request);
        String name = text(body, "name", true).orElseThrow();
        boolean record = bool(body, "record").orElse(false);
        List<VideoProfile> profiles = profiles(body).orElse(List.of());
        StreamRecord s = studio.create(name, record, profiles);
        return json(HttpResponseStatus.CREATED, StudioJson.stream(studio, s, host));
      }
      only(request, HttpMethod.GET);
      ArrayNode a = studio.json.createArrayNode();
      studio.streams().forEach(s -> a.add(StudioJson.stream(studio, s, host)));
      return json(HttpResponseStatus.OK, a);
    }
    StreamRecord s = studio.stream(parts.get(1)).orElseThrow(() -> notFound("no stream " + parts.get(1)));
    if (parts.size() == 2) {
      if (HttpMethod.GET.equals(request.method())) {
        return json(HttpResponseStatus.OK, StudioJson.stream(studio, s, host));
      }
      if (HttpMethod.DELETE.equals(request.method())) {
        studio.updateStream(s.id(), StreamRecord::asDeleted);
        log.info("stream API: deleted stream {} ({}); its key is refused from now on", s.name(), s.id());
        return cors(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
      }
      only(request, HttpMethod.PATCH);
      ObjectNode body = object(request);
      Optional<String> name = text(body, "name", false);
      Optional<Boolean> record = bool(body, "record");
      Optional<Boolean> suspended = bool(body, "suspended");
      Optional<List<VideoProfile>> profiles = profiles(body);
      studio.updateStream(s.id(), r -> r.withSettings(name.orElse(r.name()), record.orElse(r.record()),
          suspended.orElse(r.suspended()), profiles.orElse(r.profiles())));
      return cors(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
    }
    if (parts.size() == 3 && parts.get(2).equals("sessions")) {
      only(request, HttpMethod.GET);
      ArrayNode a = studio.json.createArrayNode();
      studio.sessions(s).forEach(x -> a.add(StudioJson.session(studio, x)));
      return json(HttpResponseStatus.OK, a);
    }
    if (parts.size() == 3 && parts.get(2).equals("health")) {
      only(request, HttpMethod.GET);
      return json(HttpResponseStatus.OK, health(s));
    }
    throw notFound("no endpoint /api/" + String.join("/", parts));
  }

  private ObjectNode health(StreamRecord s) {
    ObjectNode n = studio.json.createObjectNode();
    LiveSessions.Health h = studio.health(s.playbackId());
    n.put("isActive", h.active());
    n.put("segmentsIn", h.segmentsIn());
    n.put("segmentsOut", h.segmentsOut());
    n.put("failures", h.failures());
    n.put("realTimeRatio", Math.round(h.realTimeRatio() * 1000) / 1000.0);
    n.put("orchestrator", studio.orchestratorOf(s.playbackId()).orElse("local"));
    n.put("lastSegmentAt", h.lastSegmentAt());
    return n;
  }

  // ---- playback and network

  private ObjectNode playback(String id, Optional<String> host) {
    ObjectNode n = studio.json.createObjectNode();
    Optional<StreamRecord> s = studio.byPlaybackId(id);
    String url;
    boolean live;
    if (s.isPresent()) {
      n.put("type", "live");
      url = StudioJson.playbackUrl(studio, s.get(), host);
      live = studio.isActive(s.get());
    } else {
      SessionRecord session = studio.store.session(id).filter(x -> x.recordingUrl().isPresent())
          .filter(x -> studio.stream(x.streamId()).isPresent())
          .orElseThrow(() -> notFound("no stream or recording with playback id " + id));
      n.put("type", "recording");
      url = session.recordingUrl().orElseThrow();
      live = false;
    }
    ObjectNode meta = n.putObject("meta");
    meta.put("live", live ? 1 : 0);
    meta.putArray("source").addObject().put("hrn", "HLS (TS)").put("type", "html5/application/vnd.apple.mpegurl")
        .put("url", url);
    return n;
  }

  private ObjectNode network() {
    ObjectNode n = studio.json.createObjectNode();
    ArrayNode orchs = n.putArray("orchestrators");
    for (Studio.OrchestratorSummary o : studio.orchestrators()) {
      orchs.addObject().put("uri", o.uri()).put("address", o.address()).put("pricePerPixel", o.pricePerPixel())
          .put("score", o.score()).put("sessions", o.sessions()).put("suspended", o.suspended());
    }
    Studio.BroadcasterAccount a = studio.account();
    n.putObject("broadcaster").put("address", a.address()).put("deposit", a.deposit()).put("reserve", a.reserve())
        .put("onChain", a.onChain());
    return n;
  }

  // ---- webhooks

  private FullHttpResponse webhooks(FullHttpRequest request, List<String> parts) {
    if (parts.size() == 1) {
      if (HttpMethod.POST.equals(request.method())) {
        ObjectNode body = object(request);
        String name = text(body, "name", true).orElseThrow();
        String url = text(body, "url", true).orElseThrow();
        checkUrl(url);
        JsonNode events = body.get("events");
        if (events == null || !events.isArray() || events.isEmpty()) {
          throw bad("\"events\" must be a non-empty array of " + Webhook.EVENTS);
        }
        List<String> list = new ArrayList<>();
        for (JsonNode e : events) {
          if (!e.isTextual() || !Webhook.EVENTS.contains(e.asText())) {
            throw bad("unknown event " + e + "; known events: " + Webhook.EVENTS);
          }
          if (!list.contains(e.asText())) {
            list.add(e.asText());
          }
        }
        Optional<String> secret = text(body, "sharedSecret", false);
        Webhook w = new Webhook(UUID.randomUUID().toString(), name, url, list, secret, studio.clock.millis());
        studio.store.addWebhook(w);
        studio.webhooks.reloadHooks();
        log.info("stream API: webhook {} ({}) added for {}", w.name(), w.url(), w.events());
        return json(HttpResponseStatus.CREATED, StudioJson.webhook(studio, w));
      }
      only(request, HttpMethod.GET);
      ArrayNode a = studio.json.createArrayNode();
      studio.store.webhooks().forEach(w -> a.add(StudioJson.webhook(studio, w)));
      return json(HttpResponseStatus.OK, a);
    }
    Webhook w = studio.store.webhooks().stream().filter(x -> x.id().equals(parts.get(1))).findFirst()
        .orElseThrow(() -> notFound("no webhook " + parts.get(1)));
    if (parts.size() == 2) {
      if (HttpMethod.DELETE.equals(request.method())) {
        studio.store.deleteWebhook(w.id());
        studio.webhooks.reloadHooks();
        return cors(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
      }
      only(request, HttpMethod.GET);
      return json(HttpResponseStatus.OK, StudioJson.webhook(studio, w));
    }
    if (parts.size() == 3 && parts.get(2).equals("log")) {
      only(request, HttpMethod.GET);
      ArrayNode a = studio.json.createArrayNode();
      studio.store.deliveries(w.id(), DELIVERY_LOG_LIMIT).forEach(d -> a.add(StudioJson.delivery(studio, d)));
      return json(HttpResponseStatus.OK, a);
    }
    throw notFound("no endpoint /api/" + String.join("/", parts));
  }

  private static void checkUrl(String url) {
    try {
      URI u = new URI(url);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw bad("\"url\" must be an absolute http:// or https:// URL, got " + url);
      }
    } catch (java.net.URISyntaxException e) {
      throw bad("\"url\" is not a URL: " + e.getMessage());
    }
  }

  // ---- request helpers

  private void authorize(FullHttpRequest request) {
    String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header == null || header.isBlank()) {
      throw new ApiError(HttpResponseStatus.UNAUTHORIZED, "missing API key: send 'Authorization: Bearer <apiKey>'"
          + " (create a key with `livepeer cli apikey`)");
    }
    String h = header.strip();
    if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiError(HttpResponseStatus.UNAUTHORIZED, "the Authorization header must be 'Bearer <apiKey>'");
    }
    if (!studio.authorized(h.substring(7).strip())) {
      throw new ApiError(HttpResponseStatus.UNAUTHORIZED, "invalid API key");
    }
  }

  private static void only(FullHttpRequest request, HttpMethod method) {
    if (!method.equals(request.method()) && !(HttpMethod.HEAD.equals(request.method())
        && HttpMethod.GET.equals(method))) {
      throw new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " is not allowed here");
    }
  }

  private ObjectNode object(FullHttpRequest request) {
    String text = request.content().toString(StandardCharsets.UTF_8);
    JsonNode n;
    try {
      n = studio.json.readTree(text);
    } catch (JsonProcessingException e) {
      throw bad("the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw bad("the body must be a JSON object");
    }
    return (ObjectNode) n;
  }

  private static Optional<String> text(ObjectNode body, String field, boolean required) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw bad("\"" + field + "\" is required");
      }
      return Optional.empty();
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      throw bad("\"" + field + "\" must be a non-empty string");
    }
    if (n.asText().length() > MAX_NAME && !field.equals("url")) {
      throw bad("\"" + field + "\" is longer than " + MAX_NAME + " characters");
    }
    return Optional.of(n.asText());
  }

  private static Optional<Boolean> bool(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isBoolean()) {
      throw bad("\"" + field + "\" must be true or false");
    }
    return Optional.of(n.booleanValue());
  }

  private static Optional<List<VideoProfile>> profiles(ObjectNode body) {
    JsonNode n = body.get("profiles");
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isArray()) {
      throw bad("\"profiles\" must be an array of {\"name\",\"width\",\"height\",\"bitrate\",\"fps\"}");
    }
    if (n.isEmpty()) {
      return Optional.of(List.of()); // the broadcaster's ladder
    }
    try {
      return Optional.of(VideoProfiles.parseJson(n.toString(), "\"profiles\""));
    } catch (MediaException | IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private static ApiError bad(String message) {
    return new ApiError(HttpResponseStatus.BAD_REQUEST, message);
  }

  private static ApiError notFound(String message) {
    return new ApiError(HttpResponseStatus.NOT_FOUND, message);
  }

  // ---- responses

  private FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return cors(r);
  }

  private FullHttpResponse error(HttpResponseStatus status, String message) {
    ObjectNode n = studio.json.createObjectNode();
    n.putArray("errors").add(message);
    return json(status, n);
  }

  private static FullHttpResponse cors(FullHttpResponse r) {
    r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, POST, PATCH, DELETE, OPTIONS");
    r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type, Accept");
    return r;
  }
}
