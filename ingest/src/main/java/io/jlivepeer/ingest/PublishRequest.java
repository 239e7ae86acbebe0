package io.jlivepeer.ingest;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A publisher asks to go live: {@code rtmp://host:1935/<app>/<manifestId>[/<streamKey>]}.
 *
 * @param app {@code live} or {@code stream}
 * @param manifestId the stream's id from the URL, or 8 generated hex characters when the URL had none
 * @param streamKey the segment after the manifest id, if any (a secret the listener may check)
 * @param remoteAddress the publisher's address, for logs and access control
 */
public record PublishRequest(String app, String manifestId, Optional<String> streamKey,
    InetSocketAddress remoteAddress) {
  public PublishRequest {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(manifestId, "manifestId");
    Objects.requireNonNull(streamKey, "streamKey");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
  }
}
