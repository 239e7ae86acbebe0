package io.jlivepeer.cli;

import io.jlivepeer.node.MetricsServer;
import io.jlivepeer.node.broadcaster.OrchestratorWebhook;
import io.jlivepeer.node.broadcaster.RemoteTranscoder;
import io.jlivepeer.node.transcoder.TranscoderNode;
import java.net.URI;
import java.util.Optional;

/**
 * The optional network add-ons of a node's role, wired from flags: the broadcaster's {@code -orchWebhookUrl} poller
 * and the transcoder's {@code -monitor} metrics listener. Closing stops whichever was started.
 */
final class Discovery implements AutoCloseable {
  private final Optional<OrchestratorWebhook> webhook;
  private final Optional<MetricsServer> metrics;

  private Discovery(Optional<OrchestratorWebhook> webhook, Optional<MetricsServer> metrics) {
    this.webhook = webhook;
    this.metrics = metrics;
  }

  /** A line for the operator about what was started, if anything. */
  Optional<String> describe() {
    return webhook.map(w -> "Orchestrators: also from the webhook (polled every minute)")
        .or(() -> metrics.map(m -> "Metrics: http://" + Main.printableHost(m.address().getHostString()) + ":"
            + m.address().getPort() + "/metrics"));
  }

  /** Starts the webhook poller when {@code -orchWebhookUrl} is set (B is then in remote mode). */
  static Discovery start(NodeFlags flags, Optional<RemoteTranscoder> remote) {
    if (flags.orchWebhookUrl == null || flags.orchWebhookUrl.isBlank() || remote.isEmpty()) {
      return new Discovery(Optional.empty(), Optional.empty());
    }
    URI url;
    try {
      url = URI.create(flags.orchWebhookUrl.strip());
    } catch (IllegalArgumentException e) {
      throw new CliException("-orchWebhookUrl '" + flags.orchWebhookUrl + "' is not a URL: " + e.getMessage());
    }
    OrchestratorWebhook.Config config = OrchestratorWebhook.Config.defaults(url)
        .withTrustedByDefault(flags.orchWebhookTrusted);
    return new Discovery(Optional.of(OrchestratorWebhook.start(config, remote.get().pool())), Optional.empty());
  }

  /** T's {@code /metrics} on {@code -cliAddr} when {@code -monitor} is set; a no-op closeable otherwise. */
  static Discovery transcoderMetrics(NodeFlags flags, String cliAddr, TranscoderNode node) {
    if (!flags.monitor) {
      return new Discovery(Optional.empty(), Optional.empty());
    }
    MetricsServer server = MetricsServer.start(HostPort.parse("cliAddr", cliAddr), node::metricsText);
    return new Discovery(Optional.empty(), Optional.of(server));
  }

  @Override
  public void close() {
    webhook.ifPresent(OrchestratorWebhook::close);
    metrics.ifPresent(MetricsServer::close);
  }
}
