package io.jlivepeer.ingest;

import io.jlivepeer.media.EsFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A StreamSink fake that records what it is given; safe to read from the test thread. */
class RecordingSink implements StreamSink {
  final List<Map<String, Object>> metadata = new CopyOnWriteArrayList<>();
  final List<byte[]> videoConfigs = new CopyOnWriteArrayList<>();
  final List<byte[]> audioConfigs = new CopyOnWriteArrayList<>();
  final List<String> closeReasons = new CopyOnWriteArrayList<>();
  final AtomicLong videoFrames = new AtomicLong();
  final AtomicLong audioFrames = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  private final boolean keepFrames;
  private final List<EsFrame> frames = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  volatile boolean eventLoopOnly = true;

  RecordingSink(boolean keepFrames) {
    this.keepFrames = keepFrames;
  }

  private void checkThread() {
    if (!Thread.currentThread().getName().startsWith("rtmp-io")) {
      eventLoopOnly = false;
    }
  }

  @Override
  public void onMetadata(Map<String, Object> m) {
    checkThread();
    metadata.add(m);
  }

  @Override
  public void onVideoConfig(byte[] record) {
    checkThread();
    videoConfigs.add(record);
  }

  @Override
  public void onAudioConfig(byte[] config) {
    checkThread();
    audioConfigs.add(config);
  }

  @Override
  public void onFrame(EsFrame frame) {
    checkThread();
    (frame.kind() == EsFrame.Kind.VIDEO ? videoFrames : audioFrames).incrementAndGet();
    bytes.addAndGet(frame.payload().length);
    if (keepFrames) {
      synchronized (frames) {
        frames.add(frame);
      }
    }
  }

  @Override
  public void onClose(String reason) {
    checkThread();
    closeReasons.add(reason);
    closed.countDown();
  }

  List<EsFrame> frames(EsFrame.Kind kind) {
    synchronized (frames) {
      return frames.stream().filter(f -> f.kind() == kind).toList();
    }
  }

  boolean awaitClose(long seconds) throws InterruptedException {
    return closed.await(seconds, TimeUnit.SECONDS);
  }
}
