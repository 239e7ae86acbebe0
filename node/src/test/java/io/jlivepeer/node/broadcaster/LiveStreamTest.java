package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.node.Counters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LiveStreamTest {
  private static final VideoProfile P = VideoProfile.of("P144p30fps16x9", 256, 144, 400_000, 30);

  /** A transcoder whose sessions wait on a gate, so tests control when work finishes. */
  private static final class GatedTranscoder implements Transcoder {
    final CountDownLatch gate = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Override
    public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
      log.add("open");
      return new TranscodeSession() {
        @Override
        public TranscodeResult transcode(Segment segment) {
          entered.countDown();
          try {
            gate.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          log.add("transcode " + segment.seq());
          return new TranscodeResult(1, List.of(new Rendition(P, new byte[] {(byte) segment.seq()}, 1)));
        }

        @Override
        public void close() {
          log.add("close");
        }
      };
    }
  }

  /** Records what reaches the playlists, in order. */
  private static final class RecordingOutput implements SegmentOutput {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void streamStarted(String manifestId, SourceInfo source) {
      events.add("start");
    }

    @Override
    public void sourceSegment(Segment segment) {
      events.add("source " + segment.seq());
    }

    @Override
    public void renditions(Segment source, List<Rendition> renditions) {
      events.add("renditions " + source.seq());
    }

    @Override
    public void streamEnded(String manifestId) {
      events.add("end");
    }
  }

  private static Segment seg(long seq) {
    return new Segment("s", seq, 2000, new byte[188]);
  }

  private static final SourceInfo SOURCE = new SourceInfo(0, 0, 0, SourceInfo.UNKNOWN_BANDWIDTH_BPS, "");

  @Test
  void handlesStartsSegmentsAndEndsInOrderAndReopensTheSessionAfterARestart() throws Exception {
    GatedTranscoder transcoder = new GatedTranscoder();
    RecordingOutput output = new RecordingOutput();
    Counters counters = new Counters();
    LiveStream stream = new LiveStream("s", transcoder, List.of(P), output, counters, 10);
    stream.start(SOURCE);
    CompletableFuture<TranscodeResult> first = stream.submit(seg(0), true);
    stream.end();
    stream.start(SOURCE);
    CompletableFuture<TranscodeResult> second = stream.submit(seg(0), true);
    stream.end();
    transcoder.gate.countDown();
    second.get(10, TimeUnit.SECONDS);
    stream.shutDown(10_000);
    assertThat(first).isCompleted();
    assertThat(output.events).containsExactly("start", "source 0", "renditions 0", "end", "start", "source 0",
        "renditions 0", "end");
    assertThat(transcoder.log).containsExactly("open", "transcode 0", "close", "open", "transcode 0", "close");
    assertThat(counters.snapshot().segmentsOut()).isEqualTo(2);
  }

  @Test
  void skipsTheOldestWaitingLiveSegmentWhenTranscodingFallsBehind() throws Exception {
    GatedTranscoder transcoder = new GatedTranscoder();
    RecordingOutput output = new RecordingOutput();
    Counters counters = new Counters();
    LiveStream stream = new LiveStream("s", transcoder, List.of(P), output, counters, 2);
    stream.start(SOURCE);
    List<CompletableFuture<TranscodeResult>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(stream.submit(seg(i), true));
    }
    transcoder.gate.countDown();
    futures.get(4).get(10, TimeUnit.SECONDS);
    long skipped = futures.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    assertThat(skipped).isPositive();
    assertThat(counters.snapshot().segmentsDropped()).isEqualTo(skipped);
    assertThat(counters.snapshot().segmentsOut() + skipped).isEqualTo(5);
    assertThatThrownBy(() -> futures.stream().filter(CompletableFuture::isCompletedExceptionally).findFirst()
        .orElseThrow().get()).isInstanceOf(ExecutionException.class).hasMessageContaining("behind real time");
  }

  @Test
  void pushedSegmentsAreNeverSkipped() throws Exception {
    GatedTranscoder transcoder = new GatedTranscoder();
    Counters counters = new Counters();
    LiveStream stream = new LiveStream("s", transcoder, List.of(P), new RecordingOutput(), counters, 1);
    List<CompletableFuture<TranscodeResult>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      futures.add(stream.submit(seg(i), false));
    }
    transcoder.gate.countDown();
    for (var f : futures) {
      assertThat(f.get(10, TimeUnit.SECONDS).renditions()).hasSize(1);
    }
    assertThat(counters.snapshot().segmentsDropped()).isZero();
  }

  @Test
  void shutdownFailsQueuedWorkAndRefusesMore() throws Exception {
    GatedTranscoder transcoder = new GatedTranscoder();
    LiveStream stream = new LiveStream("s", transcoder, List.of(P), new RecordingOutput(), new Counters(), 10);
    CompletableFuture<TranscodeResult> running = stream.submit(seg(0), false);
    CompletableFuture<TranscodeResult> queued = stream.submit(seg(1), false);
    assertThat(transcoder.entered.await(10, TimeUnit.SECONDS)).isTrue(); // segment 0 is in the transcoder
    Thread releaser = Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      transcoder.gate.countDown();
    });
    stream.shutDown(10_000);
    releaser.join();
    assertThat(stream.busy()).isFalse();
    assertThat(running.get(1, TimeUnit.SECONDS).renditions()).hasSize(1);
    assertThatThrownBy(queued::get).hasMessageContaining("shutting down");
    assertThatThrownBy(() -> stream.submit(seg(2), false).get()).hasMessageContaining("shutting down");
  }
}
