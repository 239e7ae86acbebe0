package io.jlivepeer.node;

import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/** How B and T move segments over HTTPS to and from O (the B->O->T->O->B overhead, docs/benchmarks.md). */
final class Transfers {
  /**
   * HTTP/1.1 with keep-alive for segment and rendition bodies: measured on loopback, java.net.http's HTTP/2 moves a
   * 1.1 MB segment about 1.5x slower (16 KiB DATA frames, each wrapped and flow-controlled on its own), and a
   * segment body gains nothing from multiplexing. gRPC keeps HTTP/2.
   */
  static final HttpClient.Version HTTP_VERSION = HttpClient.Version.HTTP_1_1;

  private Transfers() {}

  /** A call that may fail with a checked exception of type {@code E}. */
  interface Call<T, E extends Exception> {
    T call() throws E;
  }

  /** Runs {@code call} on {@code executor}; its checked exception comes back out of {@link #join}. */
  static <T, E extends Exception> CompletableFuture<T> async(Call<T, E> call, Executor executor) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return call.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }, executor);
  }

  /**
   * The result of {@code futures.get(i)}; when it failed with {@code type}, that exception is rethrown and the
   * other futures are cancelled (their downloads stop being waited for).
   */
  static <T, E extends Exception> T join(List<CompletableFuture<T>> futures, int i, Class<E> type) throws E {
    try {
      return futures.get(i).join();
    } catch (CompletionException | CancellationException e) {
      futures.forEach(f -> f.cancel(true));
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (type.isInstance(cause)) {
        throw type.cast(cause);
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new CompletionException(cause);
    }
  }
}
