package io.jlivepeer.node.transcoder;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.MetricsServer;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.Transfers;
import io.jlivepeer.node.broadcaster.RemoteTranscoder;
import io.jlivepeer.node.orchestrator.OrchestratorCore;
import io.jlivepeer.node.orchestrator.RemoteTranscoders;
import io.jlivepeer.wire.TranscodeResultsCodec;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.NotifySegment;
import io.jlivepeer.wire.proto.RegisterRequest;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscoderGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote transcoder role (T) of wire.md: registers with an orchestrator over {@code net.Transcoder}
 * (trust-all TLS, O's certificate is self-signed), keeps the stream open, and for each NotifySegment downloads the
 * input, transcodes it with a media {@link Transcoder} session kept per stream session (sticky), and posts the
 * renditions as multipart to {@code https://<O>/transcodeResults}. Reconnects with exponential back-off up to
 * {@link TranscoderConfig#maxBackoff()}; a wrong secret or a refused capacity is fatal: {@link #await} throws.
 */
public final class TranscoderNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TranscoderNode.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_INPUT_BYTES = 64 << 20;

  private final TranscoderConfig config;
  private final Transcoder media;
  private final ManagedChannel channel;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final ConcurrentHashMap<String, StreamSession> sessions = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong tasksDone = new AtomicLong();
  private final Object callLock = new Object();
  private ClientCallStreamObserver<RegisterRequest> call; // guarded by callLock
  private Duration backoff = FIRST_BACKOFF; // guarded by callLock
  private volatile boolean closed;
  private volatile boolean streamOpen;
  private final TranscoderMetrics metrics;

  private TranscoderNode(TranscoderConfig config, Transcoder media) {
    this.config = config;
    this.media = media;
    this.channel = WireClients.grpcChannel(config.orchHost(), config.orchPort());
    this.http = HttpClient.newBuilder()
        .version(Transfers.HTTP_VERSION)
        .sslContext(WireClients.trustAllSslContext())
        .connectTimeout(Duration.ofSeconds(4))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "transcoder-reconnect");
      t.setDaemon(true);
      return t;
    });
    this.workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("transcoder-task-", 1).factory());
    this.metrics = new TranscoderMetrics(sessions::size, config.maxSessions(), () -> streamOpen ? 1 : 0);
  }

  /** The {@code GET /metrics} text (Prometheus 0.0.4); serve it with {@link MetricsServer}. */
  public String metricsText() {
    return metrics.render();
  }

  /** Starts T: registers with the orchestrator now, in the background; see {@link #await}. */
  public static TranscoderNode start(TranscoderConfig config, Transcoder media) {
    TranscoderNode node = new TranscoderNode(config, media);
    node.connect();
    return node;
  }

  /**
   * Waits until T stops: returns when {@link #close} was called, throws {@link NodeException} when the orchestrator
   * refused T for good (wrong secret, refused capacity).
   */
  public void await() throws InterruptedException {
    try {
      done.get();
    } catch (ExecutionException e) {
      throw (NodeException) e.getCause();
    }
  }

  /** As {@link #await()}, giving up after {@code timeout}; false when T is still running. */
  public boolean await(Duration timeout) throws InterruptedException {
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw (NodeException) e.getCause();
    }
  }

  /** Segments transcoded and posted so far (failures reported to O not counted). */
  public long tasksDone() {
    return tasksDone.get();
  }

  /** Stream sessions with an open media transcode session on this T. */
  public int sessions() {
    return sessions.size();
  }

  // ---------------------------------------------------------------------------------------------- registration

  private void connect() {
    if (closed || done.isDone()) {
      return;
    }
    RegisterRequest request = RegisterRequest.newBuilder()
        .setSecret(config.orchSecret())
        .setCapacity(config.maxSessions())
        .setCapabilities(OrchestratorCore.offeredCapabilities().toProto())
        .build();
    TranscoderGrpc.newStub(channel).registerTranscoder(request, new Registration());
  }

  private final class Registration implements ClientResponseObserver<RegisterRequest, NotifySegment> {
    @Override
    public void beforeStart(ClientCallStreamObserver<RegisterRequest> requestStream) {
      synchronized (callLock) {
        call = requestStream;
      }
      streamOpen = true;
    }

    @Override
    public void onNext(NotifySegment notify) {
      synchronized (callLock) {
        backoff = FIRST_BACKOFF; // O is talking to us: the registration works
      }
      try {
        workers.execute(() -> {
          try {
            handle(notify);
          } catch (RuntimeException e) {
            // e.g. a media session interrupted while closing during shutdown: log, never kill the worker silently
            log.warn("task {} ended with {}", notify.getTaskId(), e.toString());
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        log.debug("task {} dropped: transcoder stopping", notify.getTaskId());
      }
    }

    @Override
    public void onError(Throwable t) {
      streamOpen = false;
      if (closed) {
        return;
      }
      Status status = Status.fromThrowable(t);
      String description = status.getDescription() == null ? "" : status.getDescription();
      if (status.getCode() == Status.Code.PERMISSION_DENIED && description.contains(RemoteTranscoders.INVALID_SECRET)) {
        fatal("orchestrator refused our -orchSecret (" + config.orchHost() + ":" + config.orchPort() + " said: "
            + description + "); start this transcoder with the -orchSecret the orchestrator was started with");
        return;
      }
      if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
        fatal("orchestrator " + config.orchHost() + ":" + config.orchPort() + " refused this transcoder: "
            + description);
        return;
      }
      retry(status.getCode() + (description.isEmpty() ? "" : ": " + description));
    }

    @Override
    public void onCompleted() {
      streamOpen = false;
      if (!closed) {
        retry("the orchestrator ended the registration stream");
      }
    }
  }

  private void fatal(String message) {
    log.error(message);
    done.completeExceptionally(new NodeException(message));
    stopWork();
  }

  private void retry(String why) {
    Duration wait;
    synchronized (callLock) {
      wait = backoff;
      backoff = backoff.multipliedBy(2).compareTo(config.maxBackoff()) > 0 ? config.maxBackoff()
          : backoff.multipliedBy(2);
    }
    log.warn("lost the orchestrator {}:{} ({}); registering again in {} ms", config.orchHost(), config.orchPort(),
        why, wait.toMillis());
    try {
      scheduler.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("not reconnecting: transcoder stopping");
    }
  }

  // ---------------------------------------------------------------------------------------------- tasks

  private void handle(NotifySegment notify) {
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
    if (closed) {
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
          RemoteTranscoder.cappedBody(MAX_INPUT_BYTES));
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

  // ---------------------------------------------------------------------------------------------- shutdown

  private void stopWork() {
    closed = true;
    synchronized (callLock) {
      if (call != null) {
        call.cancel("transcoder stopping", null);
      }
    }
    scheduler.shutdownNow();
    workers.shutdownNow();
    channel.shutdownNow();
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

  /** Stops at once: the registration stream is cut, so O re-dispatches whatever this T was working on. */
  @Override
  public void close() {
    stopWork();
    done.complete(null);
  }
}
