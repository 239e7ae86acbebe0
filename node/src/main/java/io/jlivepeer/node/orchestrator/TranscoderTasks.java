package io.jlivepeer.node.orchestrator;

import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.wire.TranscodeResultsCodec;
import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.proto.NotifySegment;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tasks O's remote transcoders work on, and T's HTTP side of them (wire.md "O <-> remote T"): the segment a T
 * downloads from {@code /transcoderTask/<taskId>.ts} and the multipart results it posts to
 * {@code /transcodeResults}, both behind the {@code -orchSecret} credentials. A task lives from its NotifySegment
 * until its dispatcher stops waiting; results for a task no longer waited for are refused (404).
 */
final class TranscoderTasks {
  private final String secret;
  private final ConcurrentHashMap<Long, Task> tasks = new ConcurrentHashMap<>();
  private final AtomicLong taskIds = new AtomicLong(System.nanoTime() & 0xffffffffL);

  TranscoderTasks(String secret) {
    this.secret = secret;
  }

  /** A new task for the transcoder {@code remoteId}, findable by its id until {@link #close}. */
  Task open(String remoteId, byte[] input, List<VideoProfile> profiles) {
    long id = taskIds.incrementAndGet();
    Task task = new Task(id, remoteId, input, profiles);
    tasks.put(id, task);
    return task;
  }

  void close(Task task) {
    tasks.remove(task.id);
  }

  /** Fails the tasks of one transcoder (its stream broke): their dispatchers try elsewhere. */
  void failAll(String remoteId, RuntimeException why) {
    for (Task t : tasks.values()) {
      if (t.remoteId.equals(remoteId)) {
        t.result.completeExceptionally(why);
      }
    }
  }

  void failAll(RuntimeException why) {
    for (Task t : tasks.values()) {
      t.result.completeExceptionally(why);
    }
  }

  boolean credentialsValid(String authorization, String credentials) {
    return !secret.isEmpty() && WireHeaders.TRANSCODER_AUTHORIZATION.equals(authorization)
        && RemoteTranscoders.constantTimeEquals(secret, credentials);
  }

  /** The input of a task a T asked for, at {@code /transcoderTask/<taskId>.ts}. */
  Optional<byte[]> input(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (!name.endsWith(".ts")) {
      return Optional.empty();
    }
    try {
      Task t = tasks.get(Long.parseLong(name.substring(0, name.length() - 3)));
      return t == null ? Optional.empty() : Optional.of(t.input);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** {@code POST /transcodeResults}, after the credentials check. */
  HttpAnswer results(String authorization, String credentials, String taskIdHeader, String pixelsHeader,
      String contentType, byte[] body) {
    if (!credentialsValid(authorization, credentials)) {
      return HttpAnswer.text(403, "transcoder credentials refused: send Authorization: "
          + WireHeaders.TRANSCODER_AUTHORIZATION + " and Credentials: <the orchestrator's -orchSecret>");
    }
    long taskId;
    try {
      taskId = Long.parseLong(taskIdHeader.strip());
    } catch (NumberFormatException e) {
      return HttpAnswer.text(400, "TaskId header '" + taskIdHeader + "' is not an integer");
    }
    Task task = tasks.get(taskId);
    if (task == null) {
      return HttpAnswer.text(404, "no task " + taskId + " is waiting (it timed out or went to another transcoder)");
    }
    TranscodeResultsCodec.Outcome outcome;
    try {
      outcome = TranscodeResultsCodec.parse(contentType, body, TranscodeResultsCodec.Limits.defaults());
    } catch (WireException e) {
      // the task stays open: it is re-dispatched when it times out
      return HttpAnswer.text(e.httpStatus(), e.getMessage());
    }
    if (outcome instanceof TranscodeResultsCodec.Renditions r && r.parts().size() != task.profiles.size()) {
      return HttpAnswer.text(400, "transcode result has " + r.parts().size() + " renditions; the task asked for "
          + task.profiles.size());
    }
    try {
      task.decodedPixels = pixelsHeader.isBlank() ? 0 : Long.parseLong(pixelsHeader.strip());
    } catch (NumberFormatException e) {
      return HttpAnswer.text(400, "Pixels header '" + pixelsHeader + "' is not an integer");
    }
    task.result.complete(outcome);
    return HttpAnswer.text(200, "ok");
  }

  /** A segment sent to a T, waiting for its results. */
  static final class Task {
    final long id;
    final String remoteId;
    final byte[] input;
    final List<VideoProfile> profiles;
    final CompletableFuture<TranscodeResultsCodec.Outcome> result = new CompletableFuture<>();
    volatile long decodedPixels;

    Task(long id, String remoteId, byte[] input, List<VideoProfile> profiles) {
      this.id = id;
      this.remoteId = remoteId;
      this.input = input;
      this.profiles = profiles;
    }
  }
}
