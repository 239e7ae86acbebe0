package io.jlivepeer.node.studio;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An app developer's webhook endpoint for tests: a real HTTP server on loopback at {@code /hook} that answers 204 and
 * keeps every delivery with whether its {@code Livepeer-Signature} verifies with the shared secret (docs/api.md).
 */
final class WebhookReceiver implements AutoCloseable {
  /** One delivery: the event's id and type, its raw and parsed body, whether the signature verified. */
  record Received(String id, String event, String rawBody, JsonNode body, boolean signatureOk) {}

  private final HttpServer server;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

  private WebhookReceiver(String secret, int port) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/hook", exchange -> {
      String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      JsonNode n = ApiClient.JSON.readTree(raw);
      received.add(new Received(n.path("id").asText(), n.path("event").asText(), raw, n,
          verifies(secret, exchange.getRequestHeaders().getFirst("Livepeer-Signature"), raw)));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
  }

  /** Listens on {@code port} of loopback (0: any free port). */
  static WebhookReceiver start(String secret, int port) {
    return new WebhookReceiver(secret, port);
  }

  /** The URL to register as the webhook's {@code url}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** A snapshot of the deliveries so far, in arrival order. */
  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** The receiver's side of docs/api.md: v1 is hex HMAC-SHA256(secret, "<t>.<body>"), t a positive time. */
  static boolean verifies(String secret, String header, String body) {
    if (header == null) {
      return false;
    }
    Map<String, String> parts = Arrays.stream(header.split(",")).map(p -> p.split("=", 2))
        .filter(p -> p.length == 2).collect(Collectors.toMap(p -> p[0], p -> p[1], (a, b) -> a));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String expected = HexFormat.of().formatHex(mac.doFinal((parts.get("t") + "." + body)
          .getBytes(StandardCharsets.UTF_8)));
      return expected.equals(parts.get("v1")) && Long.parseLong(parts.get("t")) > 0;
    } catch (java.security.GeneralSecurityException | NumberFormatException e) {
      return false;
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
