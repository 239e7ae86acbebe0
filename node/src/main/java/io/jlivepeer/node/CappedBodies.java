package io.jlivepeer.node;

import io.jlivepeer.payments.Keccak;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Response bodies with a cap, for B's segment answers and rendition downloads and T's input downloads: a peer can
 * make us hold at most the cap, and a body that declares its length goes straight into an array of that size.
 */
public final class CappedBodies {
  private CappedBodies() {}

  /** A response body over its cap: the exchange is abandoned rather than buffered. */
  public static final class BodyTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLarge(long max) {
      super("the body is over " + max + " bytes");
    }
  }

  /** Collects a response body up to {@code max} bytes; a longer one fails with {@link BodyTooLarge}. */
  public static HttpResponse.BodyHandler<byte[]> cappedBody(long max) {
    return info -> new CappedBody(info, max, false);
  }

  /** A downloaded body and its keccak256, computed while it arrived. */
  public record HashedBody(byte[] data, byte[] keccak) {}

  /**
   * As {@link #cappedBody}, hashing the body as it arrives: B's check of O's signature then needs no second pass
   * over the renditions after the last one is in.
   */
  public static HttpResponse.BodyHandler<HashedBody> cappedHashedBody(long max) {
    return info -> {
      CappedBody body = new CappedBody(info, max, true);
      return HttpResponse.BodySubscribers.mapping(body, data -> new HashedBody(data, body.hash()));
    };
  }

  /** A body up to a cap; with a declared length within the cap it goes straight into an array of that size. */
  private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final long max;
    private final byte[] sized;
    private int filled;
    private final ByteArrayOutputStream out;
    private final Optional<Keccak.Hasher> hasher;
    private byte[] hash = new byte[0];
    private Flow.Subscription subscription;

    CappedBody(HttpResponse.ResponseInfo info, long max, boolean hashing) {
      this.max = max;
      long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
      this.sized = declared >= 0 && declared <= max ? new byte[(int) declared] : null;
      this.out = new ByteArrayOutputStream(sized == null ? 8192 : 0);
      this.hasher = hashing ? Optional.of(Keccak.incremental()) : Optional.empty();
    }

    byte[] hash() {
      return hash;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        int n = b.remaining();
        if (sized != null && filled + (long) n <= sized.length) {
          b.get(sized, filled, n);
          hasher.ifPresent(h -> h.update(sized, filled, n));
          filled += n;
          continue;
        }
        if (sized != null || out.size() + (long) n > max) {
          subscription.cancel();
          result.completeExceptionally(sized != null
              ? new IOException("the body is longer than its Content-Length of " + sized.length + " bytes")
              : new BodyTooLarge(max));
          return;
        }
        byte[] chunk = new byte[n];
        b.get(chunk);
        out.writeBytes(chunk);
        hasher.ifPresent(h -> h.update(chunk, 0, n));
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      byte[] data = sized == null ? out.toByteArray()
          : filled == sized.length ? sized : java.util.Arrays.copyOf(sized, filled);
      hash = hasher.map(Keccak.Hasher::digest).orElse(hash);
      result.complete(data);
    }
  }
}
