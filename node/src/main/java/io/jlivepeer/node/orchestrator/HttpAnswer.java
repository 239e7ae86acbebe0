package io.jlivepeer.node.orchestrator;

import java.nio.charset.StandardCharsets;

/** What O's HTTP routes answer, independent of Netty. */
record HttpAnswer(int status, String contentType, byte[] body) {
  static final String PROTOBUF = "application/octet-stream";
  static final String TEXT = "text/plain; charset=utf-8";

  static HttpAnswer text(int status, String message) {
    return new HttpAnswer(status, TEXT, message.getBytes(StandardCharsets.UTF_8));
  }

  static HttpAnswer protobuf(byte[] body) {
    return new HttpAnswer(200, PROTOBUF, body);
  }
}
