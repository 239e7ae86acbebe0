package io.jlivepeer.node.broadcaster;

import io.jlivepeer.media.MediaException;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.node.CappedBodies.HashedBody;
import io.jlivepeer.node.CappedBodies;
import io.jlivepeer.node.Transfers;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One attempt's HTTP with an orchestrator, bounded in time: the segment POST (upload within
 * {@link RemoteConfig#uploadTimeout}, O's whole answer within the request timeout) and the parallel rendition
 * downloads. Every exchange runs {@code HttpClient.send} on the broadcaster's own executor (see {@link #start}); a
 * caller waits on its future and cancels it when it gives up, which aborts the exchange.
 */
final class OrchestratorExchange {
  /** Largest answer to a segment POST: a serialized TranscodeResult is a few hundred bytes. */
  private static final long MAX_ANSWER_BYTES = 1L << 20;

  private final RemoteConfig config;
  private final HttpClient http;
  private final ExecutorService executor;

  OrchestratorExchange(RemoteConfig config, ExecutorService executor) {
    this.config = config;
    this.executor = executor;
    this.http = HttpClient.newBuilder()
        .version(Transfers.HTTP_VERSION)
        .sslContext(WireClients.trustAllSslContext())
        .connectTimeout(config.discoveryTimeout())
        .executor(executor)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Sends the segment: the upload must be done within {@link RemoteConfig#uploadTimeout} and the whole exchange,
   * O's answer body included, within {@code timeout} (java.net.http's own request timeout stops at the response
   * headers, and it has no upload timeout).
   */
  HttpResponse<byte[]> send(HttpRequest request, Segment segment, OrchestratorPool.Orch o, Duration timeout)
      throws AttemptFailed {
    TrackedBody body = new TrackedBody(request.bodyPublisher().orElseThrow());
    HttpRequest tracked = HttpRequest.newBuilder(request, (name, value) -> true).POST(body).build();
    long start = System.nanoTime();
    Future<HttpResponse<byte[]>> exchange = start(tracked, CappedBodies.cappedBody(MAX_ANSWER_BYTES), o);
    Duration uploadTimeout = RemoteConfig.uploadTimeout(segment.durationMillis());
    long deadline = start + timeout.toNanos();
    long uploadBy = Math.min(deadline, start + uploadTimeout.toNanos());
    try {
      try {
        return exchange.get(Math.max(0, uploadBy - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        if (!body.done) {
          throw new AttemptFailed("upload not done within " + uploadTimeout.toMillis() + " ms");
        }
      }
      return exchange.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AttemptFailed("no complete answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw failure(e.getCause(), "the segment POST", o);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("interrupted while sending a segment to " + o, e);
    } finally {
      exchange.cancel(true); // no-op when it completed; otherwise interrupting send() aborts the exchange
    }
  }

  /** Every rendition, fetched in parallel; all of them must be complete within {@code timeout}. */
  List<HashedBody> downloadAll(List<TranscodedSegmentData> outs, Duration timeout,
      OrchestratorPool.Orch o) throws AttemptFailed {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Future<HttpResponse<HashedBody>>> calls = new ArrayList<>();
    try {
      for (TranscodedSegmentData out : outs) {
        HttpRequest get;
        try {
          get = HttpRequest.newBuilder(URI.create(out.getUrl())).timeout(timeout).GET().build();
        } catch (IllegalArgumentException e) {
          throw new AttemptFailed("bad rendition URL " + out.getUrl());
        }
        calls.add(start(get, CappedBodies.cappedHashedBody(config.maxRenditionBytes()), o));
      }
      List<HashedBody> data = new ArrayList<>();
      for (int i = 0; i < calls.size(); i++) {
        String url = outs.get(i).getUrl();
        HttpResponse<HashedBody> r;
        try {
          r = calls.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          throw new AttemptFailed("rendition download " + url + " not complete within " + timeout.toMillis()
              + " ms");
        } catch (ExecutionException e) {
          throw failure(e.getCause(), "rendition download " + url, o);
        }
        if (r.statusCode() != 200) {
          throw new AttemptFailed("rendition download " + url + " answered HTTP " + r.statusCode());
        }
        data.add(r.body());
      }
      return data;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("interrupted while downloading renditions from " + o, e);
    } finally {
      calls.forEach(c -> c.cancel(true));
    }
  }

  /**
   * Runs {@code HttpClient.send} on a thread of ours. Not {@code sendAsync}: its future is completed through
   * CompletableFuture's default executor, the common ForkJoinPool, which has a single worker on a 2-core machine;
   * whatever keeps that worker busy (it was the demo itself, run from a test) held O's answers back for good.
   * Cancelling the returned future interrupts {@code send}, which aborts the exchange.
   */
  private <T> Future<HttpResponse<T>> start(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      OrchestratorPool.Orch o) throws AttemptFailed {
    try {
      return executor.submit(() -> http.send(request, handler));
    } catch (RejectedExecutionException e) {
      throw new AttemptFailed("the broadcaster is stopping; not sending to " + o);
    }
  }

  private AttemptFailed failure(Throwable cause, String what, OrchestratorPool.Orch o) {
    if (cause instanceof HttpTimeoutException) {
      return new AttemptFailed(what + " timed out");
    }
    if (cause instanceof CappedBodies.BodyTooLarge) {
      return new AttemptFailed(what + ": " + cause.getMessage());
    }
    return new AttemptFailed(what + " to " + o + " failed: " + cause);
  }

  /** Passes the body through and notes when all of it was handed to the HTTP client. */
  private static final class TrackedBody implements HttpRequest.BodyPublisher {
    private final HttpRequest.BodyPublisher delegate;
    volatile boolean done;

    TrackedBody(HttpRequest.BodyPublisher delegate) {
      this.delegate = delegate;
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      delegate.subscribe(new Flow.Subscriber<ByteBuffer>() {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
          subscriber.onSubscribe(subscription);
        }

        @Override
        public void onNext(ByteBuffer item) {
          subscriber.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
          subscriber.onError(throwable);
        }

        @Override
        public void onComplete() {
          done = true;
          subscriber.onComplete();
        }
      });
    }
  }
}
