package io.jlivepeer.node.transcoder;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.CappedBodies;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.Transfers;
import io.jlivepeer.wire.TranscodeResultsCodec;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.NotifySegment;
import io.jlivepeer.wire.proto.SegData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * T's work on each NotifySegment, on the virtual thread it was handed to: download the input from O, transcode it
 * in the stream session's sticky media session (one segment at a time per session), post the renditions (or the
 * failure) to O's {@code /transcodeResults}. A NotifySegment without a URL tears its session down.
 */
final class TaskWorker {
  private static final Logger log = LoggerFactory.getLogger(TranscoderNode.class);
  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_INPUT_BYTES = 64 << 20;

  private final TranscoderConfig config;
  private final Transcoder media;
  private final HttpClient http;
  private final TranscoderMetrics metrics;
  /** True once T stops: a finished task is then not posted (O re-dispatches it anyway). */
  private final BooleanSupplier closed;
  private final ConcurrentHashMap<String, StreamSession> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong tasksDone = new AtomicLong();

  TaskWorker(TranscoderConfig config, Transcoder media, TranscoderMetrics metrics, BooleanSupplier closed) {
    this.config = config;
    this.media = media;
    this.metrics = metrics;
    this.closed = closed;
    this.http = HttpClient.newBuilder()
        .version(Transfers.HTTP_VERSION)
        .sslContext(WireClients.trustAllSslContext())
        .connectTimeout(Duration.ofSeconds(4))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  TranscoderMetrics metrics() {
    return metrics;
  }

  long tasksDone() {
    return tasksDone.get();
  }

  int sessions() {
    return sessions.size();
  }

  /** Forgets every stream session and closes them on a thread of their own. */
  void closeSessions() {
    List<StreamSession> open = new ArrayList<>();
    for (String id : List.copyOf(sessions.keySet())) {
      StreamSession s = sessions.remove(id);
      if (s != null) {
        open.add(s);
      }
    }
    // a session closes after its running segment (native code is not interruptible): do not hold close() for it
    Thread.ofVirtual().name("transcoder-close").start(() -> open.forEach(StreamSession::close));
  }

  void handle(NotifySegment notify) {
    SegData seg = notify.getSegData();
    String sessionId = seg.getAuthToken().getSessionId();
    if (notify.getUrl().isEmpty()) {
      StreamSession s = sessions.remove(sessionId);
      if (s != null) {
        s.close();
        log.info("session {} torn down by the orchestrator", sessionId);
      }
      return;
    }
    metrics.tasks.increment();
    TranscodeResultsCodec.Encoded body;
    long decodedPixels = 0;
    boolean ok = false;
    try {
      List<VideoProfile> profiles = WireProfiles.profilesOf(seg);
      long t0 = System.nanoTime();
      byte[] input = download(notify.getUrl());
      long t1 = System.nanoTime();
      metrics.download.observeNanos(t1 - t0);
      StreamSession session = sessions.computeIfAbsent(sessionId, id -> {
        log.info("session {} (stream {}) opened on this transcoder", id, seg.getManifestId().toStringUtf8());
        return new StreamSession(id);
      });
      TranscodeResult out = session.transcode(profiles, new Segment(seg.getManifestId().toStringUtf8(),
          seg.getSeq(), Math.max(0, seg.getDuration()), input));
      metrics.transcoded(Math.max(0, seg.getDuration()), System.nanoTime() - t1);
      decodedPixels = out.decodedPixels();
      body = encode(out);
      ok = true;
    } catch (RuntimeException e) {
      metrics.failed.increment();
      log.warn("task {} (session {} segment {}) failed: {}", notify.getTaskId(), sessionId, seg.getSeq(),
          e.toString());
      body = TranscodeResultsCodec.encodeFailure(e.getMessage() == null ? e.toString() : e.getMessage());
    }
    if (closed.getAsBoolean()) {
      return;
    }
    long p0 = System.nanoTime();
    if (!post(notify.getTaskId(), decodedPixels, body) && ok) {
      metrics.failed.increment();
    }
    metrics.post.observeNanos(System.nanoTime() - p0);
  }

  private TranscodeResultsCodec.Encoded encode(TranscodeResult out) {
    List<TranscodeResultsCodec.Part> parts = new ArrayList<>(out.renditions().size());
    for (Rendition r : out.renditions()) {
      parts.add(new TranscodeResultsCodec.Part(WireHeaders.CONTENT_TYPE_SEGMENT, r.data(), r.encodedPixels()));
    }
    // a random 128-bit boundary inside a rendition is practically impossible; try a few in case
    for (int attempt = 0; ; attempt++) {
      try {
        return TranscodeResultsCodec.encode(parts, TranscodeResultsCodec.newBoundary(random));
      } catch (WireException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private byte[] download(String url) {
    URI uri = URI.create(url);
    try {
      // straight into an array of the declared length: no stream, no chunk list joined at the end
      HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri)
              .timeout(DOWNLOAD_TIMEOUT)
              .header("Authorization", WireHeaders.TRANSCODER_AUTHORIZATION)
              .header(WireHeaders.CREDENTIALS, config.orchSecret())
              .GET().build(),
          CappedBodies.cappedBody(MAX_INPUT_BYTES));
      if (response.statusCode() != 200) {
        throw new NodeException("input download from " + uri + " answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new NodeException("cannot download the input from " + uri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeException("interrupted downloading " + uri, e);
    }
  }

  /** True when O took the results (HTTP 200). */
  private boolean post(long taskId, long decodedPixels, TranscodeResultsCodec.Encoded body) {
    URI uri = URI.create(config.orchestratorUrl() + "/transcodeResults");
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", WireHeaders.TRANSCODER_AUTHORIZATION)
              .header(WireHeaders.CREDENTIALS, config.orchSecret())
              .header(WireHeaders.TASK_ID, Long.toString(taskId))
              .header(WireHeaders.PIXELS, Long.toString(decodedPixels))
              .header("Content-Type", body.contentType())
              .POST(HttpRequest.BodyPublishers.ofByteArray(body.body()))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        log.warn("orchestrator answered {} to the results of task {}: {}", response.statusCode(), taskId,
            response.body());
        return false;
      } else if (!body.contentType().equals(WireHeaders.CONTENT_TYPE_TRANSCODING_ERROR)) {
        tasksDone.incrementAndGet();
      }
      return true;
    } catch (IOException e) {
      log.warn("cannot post the results of task {} to {}: {}", taskId, uri, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** One stream session: a media transcode session reused across its segments (sticky), one segment at a time. */
  private final class StreamSession {
    private final String id;
    private Transcoder.TranscodeSession open; // guarded by this
    private List<VideoProfile> ladder = List.of(); // guarded by this
    private boolean closed; // guarded by this

    StreamSession(String id) {
      this.id = id;
    }

    synchronized TranscodeResult transcode(List<VideoProfile> profiles, Segment segment) {
      if (closed) {
        throw new NodeException("session " + id + " was torn down");
      }
      if (open == null || !ladder.equals(profiles)) {
        if (open != null) {
          open.close();
        }
        open = media.open(id, profiles);
        ladder = profiles;
      }
      try {
        return open.transcode(segment);
      } catch (RuntimeException e) {
        open.close(); // the decoder may be in a bad state: start fresh with the next segment
        open = null;
        throw e;
      }
    }

    synchronized void close() {
      closed = true;
      if (open != null) {
        open.close();
        open = null;
      }
    }
  }
}
