package io.jlivepeer.node.orchestrator;

import com.google.protobuf.ByteString;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscodeData;
import io.jlivepeer.wire.proto.TranscodeResult;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * O's transcode sessions: one sticky media session per B stream (auth-token session), at most
 * {@code -maxSessions} of them, each running one segment at a time under its lock; the renditions go into the
 * rendition store and are signed for B. Admission and closing are serialized by one lock; a closed session's media
 * session is closed on the {@code closer} executor, after any segment it is running.
 */
final class TranscodeSessions {
  // logs under the core's name, as before the sessions had a class of their own
  private static final Logger log = LoggerFactory.getLogger(OrchestratorCore.class);

  private final OrchestratorConfig config;
  private final Transcoder transcoder;
  private final EthKey key;
  private final Clock clock;
  private final Executor closer;
  private final RenditionStore store;
  private final OrchestratorMetrics metrics;
  private final Supplier<String> baseUrl;
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final Object admission = new Object();

  TranscodeSessions(OrchestratorConfig config, Transcoder transcoder, EthKey key, Clock clock, Executor closer,
      RenditionStore store, OrchestratorMetrics metrics, Supplier<String> baseUrl) {
    this.config = config;
    this.transcoder = transcoder;
    this.key = key;
    this.clock = clock;
    this.closer = closer;
    this.store = store;
    this.metrics = metrics;
    this.baseUrl = baseUrl;
  }

  int size() {
    return sessions.size();
  }

  Optional<Session> admit(String sessionId) {
    synchronized (admission) {
      Session existing = sessions.get(sessionId);
      if (existing != null) {
        return Optional.of(existing);
      }
      if (sessions.size() >= config.maxSessions()) {
        return Optional.empty();
      }
      Session created = new Session(sessionId);
      sessions.put(sessionId, created);
      log.info("transcode session {} opened ({} of {})", sessionId, sessions.size(), config.maxSessions());
      return Optional.of(created);
    }
  }

  void close(String sessionId, String why) {
    Session session;
    synchronized (admission) {
      session = sessions.remove(sessionId);
    }
    if (session != null) {
      log.info("transcode session {} closed: {}", sessionId, why);
      closer.execute(session::close); // waits for a running segment without holding the caller
    }
    store.removeSession(sessionId);
  }

  /** Closes sessions that sent nothing for the configured idle time. */
  void closeIdle() {
    Instant cutoff = clock.instant().minus(config.sessionIdleTimeout());
    for (Session s : List.copyOf(sessions.values())) {
      if (s.pending.get() == 0 && s.lastUsed.isBefore(cutoff)) {
        close(s.id, "idle for " + config.sessionIdleTimeout().toSeconds() + " s");
      }
    }
  }

  void closeAll() {
    for (String id : List.copyOf(sessions.keySet())) {
      close(id, "orchestrator stopping");
    }
  }

  /** One B stream on this O: a sticky media transcode session, opened on the first segment. */
  final class Session {
    final String id;
    final AtomicInteger pending = new AtomicInteger();
    final ReentrantLock lock = new ReentrantLock();
    volatile Instant lastUsed = clock.instant();
    private Transcoder.TranscodeSession media; // guarded by lock
    private List<VideoProfile> ladder = List.of(); // guarded by lock
    private boolean closed; // guarded by lock

    Session(String id) {
      this.id = id;
    }

    TranscodeResult.Builder transcode(SegData seg, List<VideoProfile> profiles, byte[] data) {
      lock.lock();
      try {
        if (closed) {
          return TranscodeResult.newBuilder().setError("transcode session " + id + " has ended; call GetOrchestrator");
        }
        long started = System.nanoTime();
        io.jlivepeer.media.TranscodeResult out;
        try {
          if (media == null || !ladder.equals(profiles) || seg.getForceSessionReinit()) {
            if (media != null) {
              media.close();
              media = null;
            }
            media = transcoder.open(id, profiles);
            ladder = profiles;
          }
          out = media.transcode(new Segment(
              seg.getManifestId().toStringUtf8(), seg.getSeq(), Math.max(0, seg.getDuration()), data));
        } catch (RuntimeException e) {
          metrics.segmentsFailed.increment();
          log.warn("session {} segment {} failed to transcode: {}", id, seg.getSeq(), e.toString());
          // the decoder may be in a bad state after a failure: start fresh with the next segment
          if (media != null) {
            media.close();
            media = null;
          }
          return TranscodeResult.newBuilder().setError("transcode failed: " + e.getMessage());
        }
        metrics.transcoded(System.nanoTime() - started);
        return data(seg, out);
      } finally {
        lock.unlock();
      }
    }

    private TranscodeResult.Builder data(SegData seg, io.jlivepeer.media.TranscodeResult out) {
      TranscodeData.Builder td = TranscodeData.newBuilder();
      List<byte[]> bytes = new ArrayList<>(out.renditions().size());
      for (Rendition r : out.renditions()) {
        String key = RenditionStore.key(id, r.profile().name(), seg.getSeq());
        store.put(key, r.data());
        bytes.add(r.data());
        td.addSegments(TranscodedSegmentData.newBuilder()
            .setUrl(baseUrl.get() + RenditionStore.key(id, encodePathSegment(r.profile().name()), seg.getSeq()))
            .setPixels(r.encodedPixels()));
      }
      td.setSig(ByteString.copyFrom(SigningPayloads.sign(key, SigningPayloads.transcodeResult(bytes))));
      return TranscodeResult.newBuilder().setData(td);
    }

    void close() {
      lock.lock();
      try {
        closed = true;
        if (media != null) {
          media.close();
          media = null;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters (profile names may hold e.g. '#' or '?'). */
  static String encodePathSegment(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
