package io.jlivepeer.p2p;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of one swarm node, written by the engine thread and read by the metrics page. */
public final class SwarmMetrics {
  final AtomicLong bytesFromOrigin = new AtomicLong();
  final AtomicLong bytesFromPeers = new AtomicLong();
  final AtomicLong bytesUploaded = new AtomicLong();
  final AtomicLong chunksUploaded = new AtomicLong();
  final AtomicLong chunksRejected = new AtomicLong();
  final AtomicLong chunksUnverifiable = new AtomicLong();
  final AtomicLong duplicateChunks = new AtomicLong();
  final AtomicLong peersChoked = new AtomicLong();
  final AtomicLong lostChunks = new AtomicLong();
  final AtomicLong channels = new AtomicLong();
  final AtomicLong chunksInjected = new AtomicLong();
  final Map<DecodeException.Reason, AtomicLong> dropped = new EnumMap<>(DecodeException.Reason.class);
  final AtomicLong droppedOther = new AtomicLong();

  public SwarmMetrics() {
    for (DecodeException.Reason r : DecodeException.Reason.values()) {
      dropped.put(r, new AtomicLong());
    }
  }

  public long bytesFromOrigin() {
    return bytesFromOrigin.get();
  }

  public long bytesFromPeers() {
    return bytesFromPeers.get();
  }

  public long bytesUploaded() {
    return bytesUploaded.get();
  }

  public long chunksRejected() {
    return chunksRejected.get();
  }

  public long peersChoked() {
    return peersChoked.get();
  }

  public long datagramsDropped() {
    return dropped.values().stream().mapToLong(AtomicLong::get).sum() + droppedOther.get();
  }

  /** Prometheus text lines for this swarm, names under {@code prefix} (e.g. {@code livepeer_peer_p2p}). */
  public void render(StringBuilder out, String prefix, String labels) {
    line(out, prefix + "_bytes_from_origin_total", "counter", "verified chunk bytes received from the origin (B)",
        labels, bytesFromOrigin.get());
    line(out, prefix + "_bytes_from_peers_total", "counter", "verified chunk bytes received from other peers",
        labels, bytesFromPeers.get());
    line(out, prefix + "_bytes_uploaded_total", "counter", "chunk bytes sent to other nodes", labels,
        bytesUploaded.get());
    line(out, prefix + "_chunks_injected_total", "counter", "chunks the injector put into the swarm", labels,
        chunksInjected.get());
    line(out, prefix + "_chunks_rejected_total", "counter", "chunks that failed the integrity check (forged)",
        labels, chunksRejected.get());
    line(out, prefix + "_chunks_unverifiable_total", "counter", "chunks dropped for lack of hashes to check them",
        labels, chunksUnverifiable.get());
    line(out, prefix + "_chunks_lost_total", "counter", "chunks sent but not acknowledged in time", labels,
        lostChunks.get());
    line(out, prefix + "_peers_choked_total", "counter", "peers choked for sending forged content", labels,
        peersChoked.get());
    line(out, prefix + "_channels", "gauge", "open channels", labels, channels.get());
    String name = prefix + "_datagrams_dropped_total";
    out.append("# HELP ").append(name).append(" datagrams dropped as malformed, by reason\n");
    out.append("# TYPE ").append(name).append(" counter\n");
    for (Map.Entry<DecodeException.Reason, AtomicLong> e : dropped.entrySet()) {
      out.append(name).append('{').append(labels.isEmpty() ? "" : labels + ",").append("reason=\"")
          .append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append("\"} ").append(e.getValue().get())
          .append('\n');
    }
    out.append(name).append('{').append(labels.isEmpty() ? "" : labels + ",").append("reason=\"protocol\"} ")
        .append(droppedOther.get()).append('\n');
  }

  static void line(StringBuilder out, String name, String type, String help, String labels, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(labels.isEmpty() ? "" : "{" + labels + "}").append(' ').append(value).append('\n');
  }
}
