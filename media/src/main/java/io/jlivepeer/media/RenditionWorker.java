package io.jlivepeer.media;

import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * Runs one {@link RenditionEncoder} on its own platform thread, so that a session scales and feeds its renditions
 * in parallel while the session's thread demuxes and decodes (the ffmpeg program likewise runs decoding, filtering
 * and each encoder on separate threads). The encoder is confined to that thread; frames cross over as new
 * references ({@code av_frame_clone}: no pixel copy), at most {@link #IN_FLIGHT} per rendition so a slow
 * rendition holds back decoding instead of piling up decoded frames. The first failure is kept and reported by
 * {@link #finish}; later work for the segment is skipped.
 */
final class RenditionWorker implements AutoCloseable {
  private static final int IN_FLIGHT = 6;

  private final RenditionEncoder encoder;
  private final ExecutorService thread;
  private final Semaphore slots = new Semaphore(IN_FLIGHT);
  private volatile RuntimeException failure;

  RenditionWorker(RenditionEncoder encoder, String threadName) {
    this.encoder = encoder;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  void begin(AVFrame first, AVRational timeBase, AVRational rate, AVCodecParameters audioParams,
      List<AVPacket> audio, AVRational audioTimeBase) {
    failure = null;
    submitFrame(first, f -> encoder.beginSegment(f, timeBase, rate, audioParams, audio, audioTimeBase));
  }

  void offer(AVFrame frame) {
    submitFrame(frame, encoder::offer);
  }

  private void submitFrame(AVFrame frame, java.util.function.Consumer<AVFrame> work) {
    if (failure != null) {
      return;
    }
    slots.acquireUninterruptibly();
    AVFrame ref = av_frame_clone(frame);
    if (ref == null || ref.isNull()) {
      slots.release();
      throw new MediaException("out of native memory for a frame reference");
    }
    try {
      thread.execute(() -> {
        try {
          if (failure == null) {
            work.accept(ref);
          }
        } catch (RuntimeException e) {
          failure = e;
        } finally {
          av_frame_free(ref);
          slots.release();
        }
      });
    } catch (RuntimeException e) {
      av_frame_free(ref);
      slots.release();
      throw e;
    }
  }

  /** Ends the segment; the future fails with the segment's first error. */
  Future<Rendition> finish(long endPts) {
    return thread.submit(() -> {
      if (failure != null) {
        throw failure;
      }
      return encoder.finishSegment(endPts);
    });
  }

  /** Drops the segment's state after a failure (waits until done). */
  void abort() {
    await(thread.submit(() -> {
      encoder.abortSegment();
      return null;
    }));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("interrupted while transcoding", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new MediaException("transcoding failed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    Callable<Void> close = () -> {
      encoder.close();
      return null;
    };
    try {
      await(thread.submit(close));
    } finally {
      thread.shutdown();
    }
  }
}
