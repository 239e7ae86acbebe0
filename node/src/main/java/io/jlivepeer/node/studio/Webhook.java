package io.jlivepeer.node.studio;

import java.util.List;
import java.util.Optional;

/** A registered receiver: which events it wants and the secret its deliveries are signed with. */
record Webhook(String id, String name, String url, List<String> events, Optional<String> sharedSecret,
    long createdAt) {
  static final List<String> EVENTS = List.of("stream.started", "stream.idle", "recording.ready");

  Webhook {
    events = List.copyOf(events);
  }
}
