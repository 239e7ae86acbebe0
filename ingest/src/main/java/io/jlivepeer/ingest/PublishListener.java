package io.jlivepeer.ingest;

import java.util.Optional;

/**
 * Decides whether a publish may go live, and where its media goes.
 *
 * <p>Called on the connection's Netty event loop: answer quickly and never block (no chain calls, no disk or
 * network I/O here; hand such work to another thread and let the sink queue frames meanwhile).
 */
@FunctionalInterface
public interface PublishListener {
  /**
   * Returns the sink for the stream's media, or empty to refuse the publish (the publisher gets
   * {@code NetStream.Publish.BadName} "publish refused"). Throwing an {@link IngestException} also refuses, and its
   * message becomes the reason sent to the publisher, so keep it free of internals.
   */
  Optional<StreamSink> onPublish(PublishRequest request);
}
