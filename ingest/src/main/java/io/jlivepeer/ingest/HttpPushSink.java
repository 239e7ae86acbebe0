package io.jlivepeer.ingest;

import io.jlivepeer.media.Rendition;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where {@link HttpPushHandler} hands the segments it accepted (the node implements it with its transcoding
 * session). Called on a request's virtual thread; it may block or return a future completed later.
 */
@FunctionalInterface
public interface HttpPushSink {
  /**
   * Handles one pushed segment. The renditions, in profile order, are returned to the pusher when it asked for
   * {@code multipart/mixed}; an empty list is fine. A failed future (or a throw) becomes a 500 whose body reveals
   * nothing of the failure, which is logged.
   */
  CompletableFuture<List<Rendition>> onSegment(HttpPushSegment pushed);
}
