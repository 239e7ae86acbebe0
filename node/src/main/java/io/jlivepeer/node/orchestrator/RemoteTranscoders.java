package io.jlivepeer.node.orchestrator;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.Refusals;
import io.jlivepeer.wire.TranscodeResultsCodec;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.AuthToken;
import io.jlivepeer.wire.proto.NotifySegment;
import io.jlivepeer.wire.proto.RegisterRequest;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscoderGrpc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * O's pool of remote transcoders (wire.md "O <-> remote T"), seen by {@link OrchestratorCore} as just another media
 * {@link Transcoder}: each stream session sticks to the registered T with the lowest load/capacity; a segment is
 * sent as a NotifySegment and waited for up to max(8 s, 4 x segment duration). When the T's stream breaks or it
 * times out, the segment goes to another T, or to the local transcoder when O also transcodes itself, so no task is
 * dropped silently: it either completes or fails with a reason. The tasks in flight and T's side of them (input
 * download, result upload) are {@link TranscoderTasks}.
 */
final class RemoteTranscoders implements Transcoder {
  private static final Logger log = LoggerFactory.getLogger(RemoteTranscoders.class);
  private static final Duration MIN_TIMEOUT = Duration.ofSeconds(8);

  private final String secret;
  private final Optional<Transcoder> local;
  private final Supplier<String> baseUrl;
  private final String orchId;
  private final CopyOnWriteArrayList<Remote> remotes = new CopyOnWriteArrayList<>();
  private final TranscoderTasks tasks;
  private final AtomicInteger remoteIds = new AtomicInteger();
  private final Object assignment = new Object();

  RemoteTranscoders(String secret, Optional<Transcoder> local, Supplier<String> baseUrl, String orchId) {
    this.secret = secret;
    this.local = local;
    this.baseUrl = baseUrl;
    this.orchId = orchId;
    this.tasks = new TranscoderTasks(secret);
  }

  int registered() {
    return remotes.size();
  }

  /** Sessions assigned to each registered T, in registration order (for tests and metrics). */
  List<Integer> loads() {
    List<Integer> out = new ArrayList<>();
    for (Remote r : remotes) {
      out.add(r.load.get());
    }
    return out;
  }

  /** {registered transcoders, their total capacity, their total load} for /metrics. */
  long[] totals() {
    long[] out = new long[3];
    for (Remote r : remotes) {
      out[0]++;
      out[1] += r.capacity;
      out[2] += r.load.get();
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- registration

  void register(RegisterRequest request, StreamObserver<NotifySegment> stream) {
    if (secret.isEmpty() || !constantTimeEquals(secret, request.getSecret())) {
      log.warn("a transcoder tried to register with a wrong secret");
      stream.onError(Status.PERMISSION_DENIED.withDescription(Refusals.INVALID_SECRET).asRuntimeException());
      return;
    }
    if (request.getCapacity() <= 0) {
      stream.onError(Status.INVALID_ARGUMENT.withDescription("transcoder capacity must be positive, got "
          + request.getCapacity() + "; start it with -maxSessions N").asRuntimeException());
      return;
    }
    Remote remote = new Remote("t" + remoteIds.incrementAndGet(), (int) Math.min(Integer.MAX_VALUE,
        request.getCapacity()), stream);
    if (stream instanceof ServerCallStreamObserver<NotifySegment> server) {
      server.setOnCancelHandler(() -> lost(remote, "its stream broke"));
    }
    remotes.add(remote);
    log.info("remote transcoder {} registered with capacity {}", remote.id, remote.capacity);
  }

  private void lost(Remote remote, String why) {
    if (!remote.alive) {
      return;
    }
    remote.alive = false;
    remotes.remove(remote);
    log.warn("remote transcoder {} is gone ({}); re-dispatching its tasks", remote.id, why);
    tasks.failAll(remote.id, new MediaException("remote transcoder " + remote.id + " disconnected"));
  }

  void closeAll() {
    for (Remote r : remotes) {
      r.alive = false;
      try {
        r.stream.onCompleted();
      } catch (RuntimeException e) {
        log.debug("closing transcoder stream {}: {}", r.id, e.toString());
      }
    }
    remotes.clear();
    tasks.failAll(new MediaException("orchestrator stopping"));
  }

  // ---------------------------------------------------------------------------------------------- HTTP side

  boolean credentialsValid(String authorization, String credentials) {
    return tasks.credentialsValid(authorization, credentials);
  }

  /** The input of a task a T asked for, at {@code /transcoderTask/<taskId>.ts}. */
  Optional<byte[]> input(String path) {
    return tasks.input(path);
  }

  /** {@code POST /transcodeResults}, after the credentials check. */
  HttpAnswer results(String authorization, String credentials, String taskIdHeader, String pixelsHeader,
      String contentType, byte[] body) {
    return tasks.results(authorization, credentials, taskIdHeader, pixelsHeader, contentType, body);
  }

  // ---------------------------------------------------------------------------------------------- dispatch

  @Override
  public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
    return new RemoteSession(sessionId, profiles);
  }

  private Optional<Remote> leastLoaded(Set<Remote> excluded) {
    Remote best = null;
    for (Remote r : remotes) {
      if (!r.alive || excluded.contains(r)) {
        continue;
      }
      if (best == null || (double) r.load.get() / r.capacity < (double) best.load.get() / best.capacity) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  private final class RemoteSession implements TranscodeSession {
    private final String id;
    private final List<VideoProfile> profiles;
    private Remote assigned; // guarded by assignment
    private TranscodeSession localSession; // the local fall-back, opened on first need

    RemoteSession(String id, List<VideoProfile> profiles) {
      this.id = id;
      this.profiles = List.copyOf(profiles);
    }

    @Override
    public TranscodeResult transcode(Segment segment) {
      Set<Remote> tried = new HashSet<>();
      List<String> failures = new ArrayList<>();
      while (true) {
        Optional<Remote> target = pick(tried);
        if (target.isEmpty()) {
          if (local.isPresent()) {
            if (localSession == null) {
              localSession = local.get().open(id, profiles);
            }
            return localSession.transcode(segment);
          }
          throw new MediaException("no remote transcoder could take segment " + segment.seq() + " of session " + id
              + (failures.isEmpty() ? " (none registered)" : ": " + String.join("; ", failures)));
        }
        Remote remote = target.get();
        tried.add(remote);
        try {
          return dispatch(remote, segment);
        } catch (RemoteFailure e) {
          failures.add(e.getMessage());
          log.warn("session {} segment {}: {}; trying elsewhere", id, segment.seq(), e.getMessage());
          unassign(remote);
        }
      }
    }

    private Optional<Remote> pick(Set<Remote> tried) {
      synchronized (assignment) {
        if (assigned != null && assigned.alive && !tried.contains(assigned)) {
          return Optional.of(assigned);
        }
        if (assigned != null) {
          assigned.load.decrementAndGet();
          assigned = null;
        }
        Optional<Remote> best = leastLoaded(tried);
        best.ifPresent(r -> {
          r.load.incrementAndGet();
          assigned = r;
        });
        return best;
      }
    }

    private void unassign(Remote remote) {
      synchronized (assignment) {
        if (assigned == remote) {
          remote.load.decrementAndGet();
          assigned = null;
        }
      }
    }

    private TranscodeResult dispatch(Remote remote, Segment segment) {
      TranscoderTasks.Task task = tasks.open(remote.id, segment.data(), profiles);
      long taskId = task.id;
      try {
        SegData.Builder seg = SegData.newBuilder()
            .setManifestId(com.google.protobuf.ByteString.copyFromUtf8(segment.streamId()))
            .setSeq(segment.seq())
            .setDuration((int) Math.min(Integer.MAX_VALUE, segment.durationMillis()))
            .setAuthToken(AuthToken.newBuilder().setSessionId(id));
        WireProfiles.setProfiles(seg, profiles);
        NotifySegment notify = NotifySegment.newBuilder()
            .setUrl(baseUrl.get() + "/transcoderTask/" + taskId + ".ts")
            .setSegData(seg)
            .setTaskId(taskId)
            .setOrchId(orchId)
            .build();
        if (!remote.send(notify)) {
          throw new RemoteFailure("transcoder " + remote.id + " stream is closed");
        }
        long timeoutMs = Math.max(MIN_TIMEOUT.toMillis(), 4L * segment.durationMillis());
        TranscodeResultsCodec.Outcome outcome;
        try {
          outcome = task.result.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          throw new RemoteFailure("transcoder " + remote.id + " did not answer task " + taskId + " within "
              + timeoutMs + " ms");
        } catch (ExecutionException e) {
          throw new RemoteFailure(e.getCause().getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new MediaException("interrupted waiting for a remote transcoder", e);
        }
        return switch (outcome) {
          case TranscodeResultsCodec.Failure f -> throw new MediaException("remote transcoder " + remote.id
              + " failed: " + f.message());
          case TranscodeResultsCodec.Renditions r -> {
            List<Rendition> out = new ArrayList<>();
            for (int i = 0; i < profiles.size(); i++) {
              TranscodeResultsCodec.Part p = r.parts().get(i);
              out.add(new Rendition(profiles.get(i), p.data(), p.pixels()));
            }
            yield new TranscodeResult(task.decodedPixels, out);
          }
        };
      } finally {
        tasks.close(task);
      }
    }

    @Override
    public void close() {
      Remote r;
      synchronized (assignment) {
        r = assigned;
        if (r != null) {
          r.load.decrementAndGet();
          assigned = null;
        }
      }
      if (r != null && r.alive) {
        // wire.md: an empty url and only the session id tears the session down on T
        r.send(NotifySegment.newBuilder().setSegData(SegData.newBuilder()
            .setAuthToken(AuthToken.newBuilder().setSessionId(id))).setOrchId(orchId).build());
      }
      if (localSession != null) {
        localSession.close();
      }
    }
  }

  /** A registered T and its gRPC stream (StreamObserver is not thread-safe, hence {@link #send}'s lock). */
  private final class Remote {
    final String id;
    final int capacity;
    final StreamObserver<NotifySegment> stream;
    final AtomicInteger load = new AtomicInteger();
    volatile boolean alive = true;

    Remote(String id, int capacity, StreamObserver<NotifySegment> stream) {
      this.id = id;
      this.capacity = capacity;
      this.stream = stream;
    }

    synchronized boolean send(NotifySegment notify) {
      if (!alive) {
        return false;
      }
      try {
        stream.onNext(notify);
        return true;
      } catch (RuntimeException e) {
        lost(this, "send failed: " + e);
        return false;
      }
    }
  }

  /** A remote attempt failed in a way another transcoder may not (stream broke, timeout). */
  private static final class RemoteFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RemoteFailure(String message) {
      super(message);
    }
  }

  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code net.Transcoder}. */
  static final class Grpc extends TranscoderGrpc.TranscoderImplBase {
    private final RemoteTranscoders pool;

    Grpc(RemoteTranscoders pool) {
      this.pool = pool;
    }

    @Override
    public void registerTranscoder(RegisterRequest request, StreamObserver<NotifySegment> response) {
      pool.register(request, response);
    }
  }
}
