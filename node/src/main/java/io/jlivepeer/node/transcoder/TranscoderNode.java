package io.jlivepeer.node.transcoder;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.node.MediaCapabilities;
import io.jlivepeer.node.MetricsServer;
import io.jlivepeer.node.NodeException;
import io.jlivepeer.node.Refusals;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.proto.NotifySegment;
import io.jlivepeer.wire.proto.RegisterRequest;
import io.jlivepeer.wire.proto.TranscoderGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote transcoder role (T) of wire.md: registers with an orchestrator over {@code net.Transcoder}
 * (trust-all TLS, O's certificate is self-signed), keeps the stream open, and for each NotifySegment downloads the
 * input, transcodes it with a media {@link Transcoder} session kept per stream session (sticky), and posts the
 * renditions as multipart to {@code https://<O>/transcodeResults}. Reconnects with exponential back-off up to
 * {@link TranscoderConfig#maxBackoff()}; a wrong secret or a refused capacity is fatal: {@link #await} throws.
 * This class is the registration and its lifecycle; the work on each task is {@link TaskWorker}'s.
 */
public final class TranscoderNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TranscoderNode.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  private final TranscoderConfig config;
  private final ManagedChannel channel;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final TaskWorker tasks;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Object callLock = new Object();
  private ClientCallStreamObserver<RegisterRequest> call; // guarded by callLock
  private Duration backoff = FIRST_BACKOFF; // guarded by callLock
  private volatile boolean closed;
  private volatile boolean streamOpen;

  private TranscoderNode(TranscoderConfig config, Transcoder media) {
    this.config = config;
    this.channel = WireClients.grpcChannel(config.orchHost(), config.orchPort());
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "transcoder-reconnect");
      t.setDaemon(true);
      return t;
    });
    this.workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("transcoder-task-", 1).factory());
    TranscoderMetrics metrics = new TranscoderMetrics(this::sessions, config.maxSessions(), () -> streamOpen ? 1 : 0);
    this.tasks = new TaskWorker(config, media, metrics, () -> closed);
  }

  /** The {@code GET /metrics} text (Prometheus 0.0.4); serve it with {@link MetricsServer}. */
  public String metricsText() {
    return tasks.metrics().render();
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
    return tasks.tasksDone();
  }

  /** Stream sessions with an open media transcode session on this T. */
  public int sessions() {
    return tasks.sessions();
  }

  // ---------------------------------------------------------------------------------------------- registration

  private void connect() {
    if (closed || done.isDone()) {
      return;
    }
    RegisterRequest request = RegisterRequest.newBuilder()
        .setSecret(config.orchSecret())
        .setCapacity(config.maxSessions())
        .setCapabilities(MediaCapabilities.offered().toProto())
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
            tasks.handle(notify);
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
      if (status.getCode() == Status.Code.PERMISSION_DENIED && description.contains(Refusals.INVALID_SECRET)) {
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
    tasks.closeSessions();
  }

  /** Stops at once: the registration stream is cut, so O re-dispatches whatever this T was working on. */
  @Override
  public void close() {
    stopWork();
    done.complete(null);
  }
}
