package io.jlivepeer.node.studio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jlivepeer.media.VideoProfile;
import java.util.Optional;

/** The API's JSON shapes, after Livepeer Studio's (field names as in docs/api.md). */
final class StudioJson {
  private StudioJson() {}

  static ObjectNode stream(Studio studio, StreamRecord s, Optional<String> host) {
    ObjectNode n = studio.json.createObjectNode();
    n.put("id", s.id());
    n.put("kind", "stream");
    n.put("name", s.name());
    n.put("createdAt", s.createdAt());
    n.put("lastSeen", s.lastSeen());
    n.put("isActive", studio.isActive(s));
    n.put("record", s.record());
    n.put("suspended", s.suspended());
    n.put("streamKey", s.streamKey());
    n.put("playbackId", s.playbackId());
    n.set("profiles", profiles(studio, s));
    StreamRecord.Totals t = s.totals();
    n.put("sourceSegments", t.sourceSegments());
    n.put("transcodedSegments", t.transcodedSegments());
    n.put("sourceSegmentsDuration", t.sourceMillis() / 1000.0);
    n.put("transcodedSegmentsDuration", t.transcodedMillis() / 1000.0);
    n.put("sourceBytes", t.sourceBytes());
    n.put("transcodedBytes", t.transcodedBytes());
    n.put("ingest", studio.ingestUrl(host));
    n.put("playbackUrl", playbackUrl(studio, s, host));
    return n;
  }

  static String playbackUrl(Studio studio, StreamRecord s, Optional<String> host) {
    return studio.httpBase(host) + "/stream/" + s.playbackId() + ".m3u8";
  }

  static ArrayNode profiles(Studio studio, StreamRecord s) {
    ArrayNode a = studio.json.createArrayNode();
    for (VideoProfile p : s.profiles()) {
      a.addObject().put("name", p.name()).put("width", p.width()).put("height", p.height())
          .put("bitrate", p.bitrateBps()).put("fps", p.fps());
    }
    return a;
  }

  static ObjectNode session(Studio studio, SessionRecord s) {
    ObjectNode n = studio.json.createObjectNode();
    n.put("id", s.id());
    n.put("kind", "session");
    n.put("parentId", s.streamId());
    n.put("createdAt", s.createdAt());
    n.put("lastSeen", s.lastSeen());
    n.put("isActive", s.active());
    n.put("record", s.record());
    n.put("recordingStatus", s.recordingStatus());
    s.recordingUrl().ifPresent(u -> n.put("recordingUrl", u));
    n.put("sourceSegments", s.sourceSegments());
    n.put("transcodedSegments", s.transcodedSegments());
    n.put("sourceSegmentsDuration", s.sourceMillis() / 1000.0);
    return n;
  }

  static ObjectNode webhook(Studio studio, Webhook w) {
    ObjectNode n = studio.json.createObjectNode();
    n.put("id", w.id());
    n.put("kind", "webhook");
    n.put("name", w.name());
    n.put("url", w.url());
    ArrayNode events = n.putArray("events");
    w.events().forEach(events::add);
    n.put("createdAt", w.createdAt());
    // the secret is write-only: say whether there is one, never echo it
    n.put("signed", w.sharedSecret().isPresent());
    return n;
  }

  static ObjectNode delivery(Studio studio, StudioStore.Delivery d) {
    ObjectNode n = studio.json.createObjectNode();
    n.put("eventId", d.eventId());
    n.put("event", d.event());
    n.put("createdAt", d.at());
    n.put("attempt", d.attempt());
    n.put("statusCode", d.statusCode());
    n.put("success", d.success());
    if (!d.error().isEmpty()) {
      n.put("error", d.error());
    }
    n.put("durationMs", d.durationMillis());
    return n;
  }
}
