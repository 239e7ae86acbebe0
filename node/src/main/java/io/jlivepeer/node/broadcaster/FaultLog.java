package io.jlivepeer.node.broadcaster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faults a broadcaster found in orchestrators' results, with their evidence: kept in memory (the last {@value
 * #MAX_KEPT}) for {@code GET /faults} and {@code livepeer cli faults}, and appended as JSON lines to {@value #FILE}
 * in the data dir so they outlive the process. Thread-safe.
 */
public final class FaultLog {
  private static final Logger log = LoggerFactory.getLogger(FaultLog.class);
  static final String FILE = "faults.jsonl";
  static final int MAX_KEPT = 1_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One fault. Hashes and signatures are 0x-hex; {@code score} is milli-dB luma PSNR against the trusted re-transcode
   * (0 for a failed hard check); {@code slash} says what became of the on-chain proof ("not submitted", a tx hash,
   * or the contract's revert).
   */
  public record Fault(Instant at, String stream, long seq, String orchestrator, String orchestratorAddress,
      String kind, String detail, int rendition, String profile, long score, String segmentHash,
      List<String> renditionHashes, String orchestratorSig, String broadcasterSig, String slash) {
    Fault withSlash(String outcome) {
      return new Fault(at, stream, seq, orchestrator, orchestratorAddress, kind, detail, rendition, profile, score,
          segmentHash, renditionHashes, orchestratorSig, broadcasterSig, outcome);
    }
  }

  private final Optional<Path> file;
  private final ArrayDeque<Fault> kept = new ArrayDeque<>();

  /** @param dataDir where {@value #FILE} goes; empty: memory only (tests) */
  public FaultLog(Optional<Path> dataDir) {
    this.file = dataDir.map(d -> d.resolve(FILE));
  }

  synchronized void add(Fault f) {
    kept.addLast(f);
    while (kept.size() > MAX_KEPT) {
      kept.removeFirst();
    }
    file.ifPresent(path -> append(path, f));
  }

  /** Records what came of a fault's proof (the log file gets the updated line appended). */
  synchronized void slashed(Fault f, String outcome) {
    Fault updated = f.withSlash(outcome);
    if (kept.removeIf(k -> k == f)) {
      kept.addLast(updated);
    }
    file.ifPresent(path -> append(path, updated));
  }

  public synchronized List<Fault> faults() {
    return List.copyOf(kept);
  }

  public synchronized int size() {
    return kept.size();
  }

  /** {@code {"faults": [...]}}, newest last. */
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("faults");
    for (Fault f : faults()) {
      list.add(node(f));
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the fault list as JSON", e);
    }
  }

  private static ObjectNode node(Fault f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("at", f.at().toString());
    n.put("stream", f.stream());
    n.put("seq", f.seq());
    n.put("orchestrator", f.orchestrator());
    n.put("orchestratorAddress", f.orchestratorAddress());
    n.put("kind", f.kind());
    n.put("detail", f.detail());
    n.put("rendition", f.rendition());
    n.put("profile", f.profile());
    n.put("score", f.score());
    ObjectNode evidence = n.putObject("evidence");
    evidence.put("segmentHash", f.segmentHash());
    evidence.put("broadcasterSig", f.broadcasterSig());
    ArrayNode hashes = evidence.putArray("renditionHashes");
    f.renditionHashes().forEach(hashes::add);
    evidence.put("orchestratorSig", f.orchestratorSig());
    n.put("slash", f.slash());
    return n;
  }

  private static void append(Path path, Fault f) {
    try {
      Files.writeString(path, JSON.writeValueAsString(node(f)) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.warn("cannot append the fault to {}: {} (it stays in memory)", path, e.getMessage());
    }
  }
}
