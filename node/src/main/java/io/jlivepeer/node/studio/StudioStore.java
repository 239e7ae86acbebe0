package io.jlivepeer.node.studio;

import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The stream API's SQLite file in B's data dir: API key hashes, streams, sessions, webhooks, the webhook outbox and
 * its delivery log. One connection, every call serialized on this object; callers are virtual threads (API requests,
 * stream workers, the webhook dispatcher), never an event loop. Another process (`livepeer cli apikey`) may add
 * keys to the same file while B runs: WAL mode and a busy timeout make that safe.
 */
final class StudioStore implements AutoCloseable {
  static final String FILE_NAME = "studio.sqlite";

  /** One queued webhook event. */
  record Event(String id, String webhookId, String event, long createdAt, String body, int attempts, long nextAt,
      String state) {}

  /** One delivery attempt of an event, for GET /api/webhook/<id>/log. */
  record Delivery(String eventId, String event, long at, int attempt, int statusCode, String error, long durationMillis,
      boolean success) {}

  private final Connection db;

  private StudioStore(Connection db) {
    this.db = db;
  }

  static StudioStore open(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(FILE_NAME).toAbsolutePath());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL"); // an accepted webhook event must survive a crash: fsync each write
        s.execute("PRAGMA busy_timeout=5000");
        s.execute("CREATE TABLE IF NOT EXISTS api_keys (hash TEXT PRIMARY KEY, name TEXT NOT NULL,"
            + " created_at INTEGER NOT NULL)");
        s.execute("""
            CREATE TABLE IF NOT EXISTS streams (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL,
              last_seen INTEGER NOT NULL, record INTEGER NOT NULL, suspended INTEGER NOT NULL,
              deleted INTEGER NOT NULL, stream_key TEXT NOT NULL UNIQUE, playback_id TEXT NOT NULL UNIQUE,
              profiles TEXT NOT NULL, source_segments INTEGER NOT NULL, transcoded_segments INTEGER NOT NULL,
              source_ms INTEGER NOT NULL, transcoded_ms INTEGER NOT NULL, source_bytes INTEGER NOT NULL,
              transcoded_bytes INTEGER NOT NULL)""");
        s.execute("""
            CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, stream_id TEXT NOT NULL,
              created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, active INTEGER NOT NULL,
              record INTEGER NOT NULL, recording_status TEXT NOT NULL, recording_url TEXT,
              source_segments INTEGER NOT NULL, transcoded_segments INTEGER NOT NULL, source_ms INTEGER NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS sessions_stream ON sessions(stream_id, created_at)");
        s.execute("""
            CREATE TABLE IF NOT EXISTS webhooks (id TEXT PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL,
              events TEXT NOT NULL, shared_secret TEXT, created_at INTEGER NOT NULL, deleted INTEGER NOT NULL)""");
        s.execute("""
            CREATE TABLE IF NOT EXISTS webhook_events (id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL,
              event TEXT NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL,
              next_at INTEGER NOT NULL, state TEXT NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS webhook_events_due ON webhook_events(state, next_at)");
        s.execute("""
            CREATE TABLE IF NOT EXISTS webhook_deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT,
              webhook_id TEXT NOT NULL, event_id TEXT NOT NULL, event TEXT NOT NULL, at INTEGER NOT NULL,
              attempt INTEGER NOT NULL, status_code INTEGER NOT NULL, error TEXT NOT NULL,
              duration_ms INTEGER NOT NULL, success INTEGER NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS webhook_deliveries_hook ON webhook_deliveries(webhook_id, seq)");
      }
      return new StudioStore(c);
    } catch (SQLException | IOException e) {
      throw new StudioException("cannot open the stream API database " + dataDir.resolve(FILE_NAME) + ": "
          + e.getMessage() + " (is the data dir writable?)", e);
    }
  }

  // ---- API keys

  synchronized void addKey(String hash, String name, long at) {
    update("INSERT INTO api_keys (hash, name, created_at) VALUES (?,?,?)", hash, name, at);
  }

  synchronized boolean hasKey(String hash) {
    return count("SELECT count(*) FROM api_keys WHERE hash = ?", hash) > 0;
  }

  synchronized long keyCount() {
    return count("SELECT count(*) FROM api_keys");
  }

  // ---- streams

  synchronized void saveStream(StreamRecord s) {
    StreamRecord.Totals t = s.totals();
    update("""
        INSERT OR REPLACE INTO streams (id, name, created_at, last_seen, record, suspended, deleted, stream_key,
          playback_id, profiles, source_segments, transcoded_segments, source_ms, transcoded_ms, source_bytes,
          transcoded_bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", s.id(), s.name(), s.createdAt(), s.lastSeen(),
        bit(s.record()), bit(s.suspended()), bit(s.deleted()), s.streamKey(), s.playbackId(),
        profilesJson(s.profiles()), t.sourceSegments(), t.transcodedSegments(), t.sourceMillis(), t.transcodedMillis(),
        t.sourceBytes(), t.transcodedBytes());
  }

  /** Saves streams and sessions in one transaction (one fsync). */
  synchronized void saveAll(List<StreamRecord> streams, List<SessionRecord> sessions) {
    try {
      db.setAutoCommit(false);
      streams.forEach(this::saveStream);
      sessions.forEach(this::saveSession);
      db.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        db.rollback();
      } catch (SQLException ignored) {
        // reported below
      }
      throw e instanceof SQLException q ? failure(q) : (RuntimeException) e;
    } finally {
      try {
        db.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the next call reports a broken connection
      }
    }
  }

  synchronized List<StreamRecord> streams() {
    List<StreamRecord> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement("SELECT * FROM streams ORDER BY created_at, id");
        ResultSet r = ps.executeQuery()) {
      while (r.next()) {
        out.add(new StreamRecord(r.getString("id"), r.getString("name"), r.getLong("created_at"),
            r.getLong("last_seen"), r.getInt("record") != 0, r.getInt("suspended") != 0, r.getInt("deleted") != 0,
            r.getString("stream_key"), r.getString("playback_id"), parseProfiles(r.getString("profiles")),
            new StreamRecord.Totals(r.getLong("source_segments"), r.getLong("transcoded_segments"),
                r.getLong("source_ms"), r.getLong("transcoded_ms"), r.getLong("source_bytes"),
                r.getLong("transcoded_bytes"))));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return out;
  }

  // ---- sessions

  synchronized void saveSession(SessionRecord s) {
    update("""
        INSERT OR REPLACE INTO sessions (id, stream_id, created_at, last_seen, active, record, recording_status,
          recording_url, source_segments, transcoded_segments, source_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
        s.id(), s.streamId(), s.createdAt(), s.lastSeen(), bit(s.active()), bit(s.record()), s.recordingStatus(),
        s.recordingUrl().orElse(null), s.sourceSegments(), s.transcodedSegments(), s.sourceMillis());
  }

  synchronized List<SessionRecord> sessions(String streamId) {
    return querySessions("SELECT * FROM sessions WHERE stream_id = ? ORDER BY created_at DESC, id", streamId);
  }

  synchronized Optional<SessionRecord> session(String id) {
    return querySessions("SELECT * FROM sessions WHERE id = ?", id).stream().findFirst();
  }

  /** At start: a session still marked active was cut off by a stop or crash of B. */
  synchronized int endDanglingSessions() {
    return update("UPDATE sessions SET active = 0 WHERE active = 1");
  }

  private List<SessionRecord> querySessions(String sql, Object... args) {
    List<SessionRecord> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(sql, args); ResultSet r = ps.executeQuery()) {
      while (r.next()) {
        out.add(new SessionRecord(r.getString("id"), r.getString("stream_id"), r.getLong("created_at"),
            r.getLong("last_seen"), r.getInt("active") != 0, r.getInt("record") != 0, r.getString("recording_status"),
            Optional.ofNullable(r.getString("recording_url")), r.getLong("source_segments"),
            r.getLong("transcoded_segments"), r.getLong("source_ms")));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return out;
  }

  // ---- webhooks

  synchronized void addWebhook(Webhook w) {
    update("INSERT INTO webhooks (id, name, url, events, shared_secret, created_at, deleted) VALUES (?,?,?,?,?,?,0)",
        w.id(), w.name(), w.url(), String.join(",", w.events()), w.sharedSecret().orElse(null), w.createdAt());
  }

  synchronized boolean deleteWebhook(String id) {
    boolean deleted = update("UPDATE webhooks SET deleted = 1 WHERE id = ? AND deleted = 0", id) > 0;
    // queued events for a deleted receiver are not sent any more (their log rows stay)
    update("UPDATE webhook_events SET state = 'cancelled' WHERE webhook_id = ? AND state = 'pending'", id);
    return deleted;
  }

  synchronized List<Webhook> webhooks() {
    List<Webhook> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement("SELECT * FROM webhooks WHERE deleted = 0 ORDER BY created_at, id");
        ResultSet r = ps.executeQuery()) {
      while (r.next()) {
        out.add(new Webhook(r.getString("id"), r.getString("name"), r.getString("url"),
            Arrays.stream(r.getString("events").split(",")).filter(e -> !e.isEmpty()).toList(),
            Optional.ofNullable(r.getString("shared_secret")), r.getLong("created_at")));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return out;
  }

  // ---- outbox

  synchronized void addEvent(Event e) {
    update("INSERT OR IGNORE INTO webhook_events (id, webhook_id, event, created_at, body, attempts, next_at, state)"
        + " VALUES (?,?,?,?,?,?,?,?)", e.id(), e.webhookId(), e.event(), e.createdAt(), e.body(), e.attempts(),
        e.nextAt(), e.state());
  }

  /** Pending events, soonest first. */
  synchronized List<Event> pendingEvents(int limit) {
    List<Event> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(
        "SELECT * FROM webhook_events WHERE state = 'pending' ORDER BY next_at, created_at LIMIT ?", limit);
        ResultSet r = ps.executeQuery()) {
      while (r.next()) {
        out.add(new Event(r.getString("id"), r.getString("webhook_id"), r.getString("event"), r.getLong("created_at"),
            r.getString("body"), r.getInt("attempts"), r.getLong("next_at"), r.getString("state")));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return out;
  }

  /** Records one attempt and the event's new state, atomically. */
  synchronized void attempted(Event e, String webhookId, Delivery d, String state, long nextAt) {
    try {
      db.setAutoCommit(false);
      update("UPDATE webhook_events SET attempts = ?, next_at = ?, state = ? WHERE id = ? AND state = 'pending'",
          d.attempt(), nextAt, state, e.id());
      update("INSERT INTO webhook_deliveries (webhook_id, event_id, event, at, attempt, status_code, error,"
          + " duration_ms, success) VALUES (?,?,?,?,?,?,?,?,?)", webhookId, d.eventId(), d.event(), d.at(),
          d.attempt(), d.statusCode(), d.error(), d.durationMillis(), bit(d.success()));
      db.commit();
    } catch (SQLException ex) {
      try {
        db.rollback();
      } catch (SQLException ignored) {
        // the failure below says what went wrong
      }
      throw failure(ex);
    } finally {
      try {
        db.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the connection is unusable anyway; the next call reports it
      }
    }
  }

  synchronized List<Delivery> deliveries(String webhookId, int limit) {
    List<Delivery> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(
        "SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY seq DESC LIMIT ?", webhookId, limit);
        ResultSet r = ps.executeQuery()) {
      while (r.next()) {
        out.add(new Delivery(r.getString("event_id"), r.getString("event"), r.getLong("at"), r.getInt("attempt"),
            r.getInt("status_code"), r.getString("error"), r.getLong("duration_ms"), r.getInt("success") != 0));
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return out;
  }

  synchronized Optional<Event> event(String id) {
    try (PreparedStatement ps = prepare("SELECT * FROM webhook_events WHERE id = ?", id);
        ResultSet r = ps.executeQuery()) {
      if (!r.next()) {
        return Optional.empty();
      }
      return Optional.of(new Event(r.getString("id"), r.getString("webhook_id"), r.getString("event"),
          r.getLong("created_at"), r.getString("body"), r.getInt("attempts"), r.getLong("next_at"),
          r.getString("state")));
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  // ---- helpers

  static String profilesJson(List<VideoProfile> profiles) {
    StringBuilder b = new StringBuilder("[");
    for (VideoProfile p : profiles) {
      if (b.length() > 1) {
        b.append(',');
      }
      // names are printable ASCII without quotes' special meaning checked by VideoProfile; escape anyway
      b.append("{\"name\":\"").append(p.name().replace("\\", "\\\\").replace("\"", "\\\"")).append("\",\"width\":")
          .append(p.width()).append(",\"height\":").append(p.height()).append(",\"bitrate\":").append(p.bitrateBps())
          .append(",\"fps\":").append(p.fps()).append('}');
    }
    return b.append(']').toString();
  }

  private static List<VideoProfile> parseProfiles(String json) {
    if (json == null || json.equals("[]")) {
      return List.of();
    }
    try {
      return VideoProfiles.parseJson(json, "stored stream profiles");
    } catch (MediaException e) {
      throw new StudioException("the stream API database holds bad profiles (" + e.getMessage() + ")", e);
    }
  }

  private static int bit(boolean b) {
    return b ? 1 : 0;
  }

  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    PreparedStatement ps = db.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }

  private int update(String sql, Object... args) {
    try (PreparedStatement ps = prepare(sql, args)) {
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private long count(String sql, Object... args) {
    try (PreparedStatement ps = prepare(sql, args); ResultSet r = ps.executeQuery()) {
      return r.next() ? r.getLong(1) : 0;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static StudioException failure(SQLException e) {
    return new StudioException("stream API database error: " + e.getMessage(), e);
  }
}
