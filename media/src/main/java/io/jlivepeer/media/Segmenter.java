package io.jlivepeer.media;

import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts one published stream (H.264 + AAC frames as they come from RTMP/FLV) into keyframe-aligned MPEG-TS
 * segments (spec media.md, Segments).
 *
 * <p>A segment is cut at the first video keyframe at or after {@link SegmenterConfig#targetDurationMillis}, so
 * every segment starts with an IDR preceded by SPS/PPS. Audio goes into the segment its timestamp falls in:
 * audio that arrives ahead of the video is held back (a small bounded queue) until the video catches up.
 * Segments are numbered from {@code firstSeq} upward; timestamps keep the publisher's timeline so segments
 * concatenate without gaps. A segment's duration is the next segment's first video pts minus its own; the
 * last one (from {@link #finish()}) ends one frame after its last video frame.
 *
 * <p>Threading: not thread-safe; call it from one thread at a time (the connection's event loop). It is cheap
 * enough for that: each frame costs two copies of its bytes (Annex B conversion, packetization) into reused
 * buffers; the only per-segment allocation is the segment's own byte array. {@link SegmentSink#accept} is
 * called on the calling thread and must hand heavy work elsewhere.
 *
 * <p>Errors: a malformed codec configuration or access unit raises {@link MediaException} and leaves the
 * segmenter usable (the bad frame is not written).
 */
public final class Segmenter {
  private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);
  /** Audio held back waiting for the video to catch up: about 5 s of AAC, far more than any sane interleave. */
  static final int PENDING_AUDIO_LIMIT = 256;
  /** Video frames held while a cut waits for audio: a B-frame pyramid's reorder delay is a few frames. */
  static final int HELD_VIDEO_LIMIT = 16;
  private static final long NONE = Long.MIN_VALUE;

  private final String streamId;
  private final SegmenterConfig config;
  private final SegmentSink sink;
  private final TsMuxer muxer = new TsMuxer();
  private long nextSeq;
  private boolean finished;

  private byte[] videoConfig = new byte[0];
  private byte[] audioConfig = new byte[0];

  private final Timeline videoTime = new Timeline("video");
  private final Timeline audioTime = new Timeline("audio");

  private boolean open;
  /** Video keyframes drive the cuts (false until the first keyframe, and for an audio-only stream). */
  private boolean videoStarted;
  private long segmentStart;
  /** Start of the first segment; audio before it is dropped. */
  private long streamStart = NONE;
  private boolean cutAtNextKeyframe;

  private long lastVideoDts = NONE;
  private long maxVideoPts = NONE;
  private long videoFrameMillis;
  private long lastAudioPts = NONE;
  private long audioFrameMillis;
  private long lastKeyframePts = NONE;
  private boolean longGopWarned;
  private long droppedVideo;
  private long droppedAudio;
  private boolean warnedVideoBeforeConfig;
  private boolean warnedAudioBeforeConfig;

  /** A keyframe cut waiting for the audio before its presentation time; see {@link #startCut}. */
  private boolean cutPending;
  private long cutPts;
  private final long[] heldDts = new long[HELD_VIDEO_LIMIT];
  private final long[] heldPts = new long[HELD_VIDEO_LIMIT];
  private final boolean[] heldKey = new boolean[HELD_VIDEO_LIMIT];
  private final byte[][] heldData = new byte[HELD_VIDEO_LIMIT][];
  private int heldCount;

  private final long[] pendingPts = new long[PENDING_AUDIO_LIMIT];
  private final byte[][] pendingData = new byte[PENDING_AUDIO_LIMIT][];
  private int pendingHead;
  private int pendingCount;

  /**
   * @param streamId the stream's manifest id, copied into every segment
   * @param config cutting rules and limits
   * @param firstSeq sequence number of the first segment (0 for a new stream)
   * @param sink receives each finished segment, on the calling thread
   */
  public Segmenter(String streamId, SegmenterConfig config, long firstSeq, SegmentSink sink) {
    this.streamId = Objects.requireNonNull(streamId, "streamId");
    this.config = Objects.requireNonNull(config, "config");
    this.sink = Objects.requireNonNull(sink, "sink");
    if (firstSeq < 0) {
      throw new IllegalArgumentException("firstSeq must be >= 0, got " + firstSeq);
    }
    this.nextSeq = firstSeq;
  }

  /**
   * The AVC sequence header (FLV AVCPacketType 0): an AVCDecoderConfigurationRecord. A changed configuration
   * mid-stream makes the next keyframe start a new segment, so one segment never mixes two configurations.
   */
  public void onVideoConfig(byte[] avcDecoderConfigurationRecord) {
    checkNotFinished();
    if (Arrays.equals(videoConfig, avcDecoderConfigurationRecord)) {
      return;
    }
    TsMuxer.AvcConfig parsed = TsMuxer.AvcConfig.parse(avcDecoderConfigurationRecord);
    boolean changed = muxer.hasVideo();
    muxer.setVideoConfig(parsed);
    videoConfig = avcDecoderConfigurationRecord.clone();
    if (open) {
      cutAtNextKeyframe = true;
    }
    if (changed) {
      LOG.info("stream {}: new H.264 configuration; the next segment starts at the next keyframe", streamId);
    }
  }

  /** The AAC sequence header (FLV AACPacketType 0): an AudioSpecificConfig. Audio may start late. */
  public void onAudioConfig(byte[] audioSpecificConfig) {
    checkNotFinished();
    if (Arrays.equals(audioConfig, audioSpecificConfig)) {
      return;
    }
    muxer.setAudioConfig(TsMuxer.AacConfig.parse(audioSpecificConfig));
    audioConfig = audioSpecificConfig.clone();
  }

  /**
   * One access unit (FLV AVCPacketType 1 or AACPacketType 1). The payload array then belongs to the segmenter:
   * it may be held for a few frames (audio waiting for video, frames around a cut), so do not reuse it.
   * A malformed access unit is refused with {@link MediaException} before anything is buffered.
   */
  public void onFrame(EsFrame frame) {
    checkNotFinished();
    if (frame.payload().length == 0) {
      return;
    }
    if (frame.kind() == EsFrame.Kind.VIDEO) {
      onVideo(frame);
    } else {
      onAudio(frame);
    }
  }

  /** Emits the last, partial segment (if any frame was written). Later calls to the segmenter are refused. */
  public void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (cutPending) {
      completeCut();
    }
    if (!open) {
      return;
    }
    while (pendingCount > 0) {
      writeAudio(pendingPts[pendingHead], pendingData[pendingHead]);
      popPending();
    }
    long end;
    if (videoStarted && maxVideoPts != NONE) {
      end = maxVideoPts + videoFrameMillis;
    } else if (lastAudioPts != NONE) {
      end = lastAudioPts + audioFrameMillis;
    } else {
      end = maxVideoPts + videoFrameMillis;
    }
    emit(end);
    open = false;
  }

  /** The sequence number the next segment will get (to continue numbering in a new segmenter). */
  public long nextSeq() {
    return nextSeq;
  }

  // ---- video ----------------------------------------------------------------------------------------

  private void onVideo(EsFrame frame) {
    if (!muxer.hasVideo()) {
      if (!warnedVideoBeforeConfig) {
        warnedVideoBeforeConfig = true;
        LOG.warn("stream {}: video frames before the H.264 sequence header are dropped; the publisher should "
            + "send the AVC sequence header first", streamId);
      }
      return;
    }
    // Refuse a bad frame now, before it touches any state, not later when a held frame is written.
    muxer.checkAccessUnit(frame.payload());
    long dts = videoTime.map(frame.dtsMillis(), audioTime);
    long pts = dts + frame.compositionOffsetMillis();
    if (lastVideoDts != NONE && dts > lastVideoDts) {
      videoFrameMillis = dts - lastVideoDts;
    }
    lastVideoDts = dts;
    boolean keyframe = frame.keyframe();
    if (keyframe) {
      noteKeyframe(pts);
    }
    byte[] payload = frame.payload();

    if (cutPending) {
      if (dts < cutPts && !keyframe && heldCount < HELD_VIDEO_LIMIT) {
        hold(dts, pts, keyframe, payload);
        return;
      }
      // The video has reached the cut's presentation time: all audio before it has arrived.
      completeCut();
    }

    if (!open || !videoStarted) {
      if (!keyframe) {
        // A segment must start with an IDR: wait for the first keyframe.
        droppedVideo++;
        return;
      }
      if (droppedVideo > 0) {
        LOG.debug("stream {}: dropped {} video frames before the first keyframe", streamId, droppedVideo);
        droppedVideo = 0;
      }
      videoStarted = true;
      if (open) {
        startCut(dts, pts, payload);
        return;
      }
      openSegment(pts);
    } else {
      long elapsed = pts - segmentStart;
      if (keyframe && (cutAtNextKeyframe || elapsed >= config.targetDurationMillis() - videoFrameMillis / 2)) {
        startCut(dts, pts, payload);
        return;
      } else if (elapsed >= config.maxSegmentMillis()) {
        LOG.warn("stream {}: no keyframe in {} ms; cutting segment {} without one (maxSegmentMillis {}); the "
            + "next segment does not start with an IDR. Set the encoder's keyframe interval to 2 s",
            streamId, elapsed, nextSeq, config.maxSegmentMillis());
        flushPendingAudioBefore(pts);
        cutNow(pts);
      }
    }
    writeVideo(dts, pts, keyframe, payload);
  }

  /**
   * Cuts at a keyframe whose presentation time {@code pts} is later than its decode time (B-frames): audio
   * with timestamps up to {@code pts} still belongs to the closing segment but arrives after this frame (RTMP
   * interleaves by decode time), so the keyframe and the few frames after it are held until the video's decode
   * time reaches {@code pts}, then the segment is closed.
   */
  private void startCut(long dts, long pts, byte[] payload) {
    flushPendingAudioBefore(pts);
    if (pts <= dts || !muxer.hasAudio()) {
      cutNow(pts);
      writeVideo(dts, pts, true, payload);
      return;
    }
    cutPending = true;
    cutPts = pts;
    hold(dts, pts, true, payload);
  }

  private void completeCut() {
    cutPending = false;
    int held = heldCount;
    heldCount = 0;
    flushPendingAudioBefore(cutPts);
    cutNow(cutPts);
    for (int i = 0; i < held; i++) {
      byte[] payload = heldData[i];
      heldData[i] = null;
      writeVideo(heldDts[i], heldPts[i], heldKey[i], payload);
    }
  }

  private void hold(long dts, long pts, boolean keyframe, byte[] payload) {
    heldDts[heldCount] = dts;
    heldPts[heldCount] = pts;
    heldKey[heldCount] = keyframe;
    heldData[heldCount] = payload;
    heldCount++;
  }

  private void writeVideo(long dts, long pts, boolean keyframe, byte[] payload) {
    flushPendingAudioUpTo(dts);
    ensureRoom(muxer.estimateVideoBytes(payload.length), pts, "a video frame");
    muxer.writeVideo(dts, pts, keyframe, payload);
    if (maxVideoPts == NONE || pts > maxVideoPts) {
      maxVideoPts = pts;
    }
  }

  private void noteKeyframe(long pts) {
    if (lastKeyframePts != NONE && !longGopWarned) {
      long gop = pts - lastKeyframePts;
      if (gop > config.longGopWarnMillis()) {
        longGopWarned = true;
        LOG.warn("stream {}: keyframe interval is {} ms, longer than {} ms; segments grow to the GOP length "
            + "(up to {} ms), which delays playback and transcoding. Set the encoder's keyframe interval to "
            + "{} s (OBS: Keyframe Interval; ffmpeg: -g <2 x fps>; x264: keyint)", streamId, gop,
            config.longGopWarnMillis(), config.maxSegmentMillis(),
            Math.max(1, config.targetDurationMillis() / 1000));
      }
    }
    lastKeyframePts = pts;
  }

  // ---- audio ----------------------------------------------------------------------------------------

  private void onAudio(EsFrame frame) {
    if (!muxer.hasAudio()) {
      if (!warnedAudioBeforeConfig) {
        warnedAudioBeforeConfig = true;
        LOG.warn("stream {}: audio frames before the AAC sequence header are dropped; the publisher should "
            + "send the AAC sequence header first", streamId);
      }
      return;
    }
    if (frame.payload().length > TsMuxer.AacConfig.MAX_ADTS_FRAME - TsMuxer.AacConfig.ADTS_HEADER_LENGTH) {
      throw new MediaException("stream " + streamId + ": AAC frame of " + frame.payload().length
          + " bytes is larger than ADTS can carry; the publisher's audio is not plain AAC");
    }
    long pts = audioTime.map(frame.ptsMillis(), videoTime);
    if (lastAudioPts != NONE && pts > lastAudioPts) {
      audioFrameMillis = pts - lastAudioPts;
    }
    lastAudioPts = pts;
    if (!muxer.hasVideo()) {
      // Audio-only stream: every AAC frame is a random access point, cut on the target alone.
      if (!open) {
        openSegment(pts);
      } else if (pts - segmentStart >= config.targetDurationMillis() - audioFrameMillis / 2) {
        cutNow(pts);
      }
      writeAudio(pts, frame.payload());
      return;
    }
    if (streamStart != NONE && pts < streamStart) {
      return; // before the stream's first keyframe is presented: belongs to no segment
    }
    if (cutPending) {
      if (pts < cutPts) {
        writeAudio(pts, frame.payload()); // before the cut keyframe's presentation time: the closing segment
        return;
      }
      completeCut();
    }
    if (open && videoStarted && pendingCount == 0 && pts <= lastVideoDts) {
      writeAudio(pts, frame.payload()); // already behind the video: it belongs to the open segment
      return;
    }
    if (pendingCount == PENDING_AUDIO_LIMIT) {
      // The video has stalled or runs far behind: do not hold audio forever.
      if (open) {
        writeAudio(pendingPts[pendingHead], pendingData[pendingHead]);
      } else {
        droppedAudio++;
      }
      popPending();
    }
    int tail = (pendingHead + pendingCount) % PENDING_AUDIO_LIMIT;
    pendingPts[tail] = pts;
    pendingData[tail] = frame.payload();
    pendingCount++;
  }

  private void flushPendingAudioBefore(long pts) {
    while (pendingCount > 0 && pendingPts[pendingHead] < pts) {
      if (open) {
        writeAudio(pendingPts[pendingHead], pendingData[pendingHead]);
      }
      popPending();
    }
  }

  private void flushPendingAudioUpTo(long dts) {
    while (pendingCount > 0 && pendingPts[pendingHead] <= dts) {
      writeAudio(pendingPts[pendingHead], pendingData[pendingHead]);
      popPending();
    }
  }

  private void popPending() {
    pendingData[pendingHead] = null;
    pendingHead = (pendingHead + 1) % PENDING_AUDIO_LIMIT;
    pendingCount--;
  }

  private void writeAudio(long pts, byte[] payload) {
    ensureRoom(muxer.estimateAudioBytes(payload.length), pts, "an audio frame");
    muxer.writeAudio(pts, payload);
  }

  // ---- segments -------------------------------------------------------------------------------------

  private void openSegment(long start) {
    if (streamStart == NONE) {
      streamStart = start;
    }
    muxer.writeTables();
    open = true;
    segmentStart = start;
    cutAtNextKeyframe = false;
    // Audio queued before the very first keyframe lies before the stream's first segment.
    while (pendingCount > 0 && pendingPts[pendingHead] < start) {
      droppedAudio++;
      popPending();
    }
    if (droppedAudio > 0) {
      LOG.debug("stream {}: dropped {} audio frames before the first keyframe", streamId, droppedAudio);
      droppedAudio = 0;
    }
  }

  private void cutNow(long nextStart) {
    emit(nextStart);
    openSegment(nextStart);
  }

  private void emit(long end) {
    long duration = Math.max(0, end - segmentStart);
    sink.accept(new Segment(streamId, nextSeq++, duration, muxer.takeSegment()));
  }

  /** The byte limit is checked before the buffer grows: cut early rather than buffer without bound. */
  private void ensureRoom(int estimate, long pts, String what) {
    int limit = config.maxSegmentBytes();
    if (estimate > limit - TsMuxer.tablesBytes()) {
      throw new MediaException("stream " + streamId + ": " + what + " needs about " + estimate
          + " bytes of MPEG-TS, more than a whole segment may hold (maxSegmentBytes " + limit
          + "); lower the publisher's bitrate or raise maxSegmentBytes");
    }
    if (cutPending && muxer.size() + estimate > limit) {
      completeCut(); // close the segment at its keyframe now rather than grow it further
    }
    if (muxer.size() + estimate > limit) {
      LOG.error("stream {}: segment {} reached maxSegmentBytes ({} bytes) after {} ms without a keyframe cut; "
          + "cutting it early, the next segment may not start with an IDR. Lower the bitrate or the keyframe "
          + "interval, or raise maxSegmentBytes", streamId, nextSeq, limit, pts - segmentStart);
      cutNow(pts);
    }
  }

  private void checkNotFinished() {
    if (finished) {
      throw new IllegalStateException("segmenter of stream " + streamId + " is already finished");
    }
  }

  /**
   * Maps one kind's publisher timestamps onto the output timeline: identity unless the publisher starts at a
   * huge value or its clock jumps, in which case an offset keeps the output continuous (logged).
   */
  private final class Timeline {
    private final String kind;
    private boolean started;
    private long offset;
    private long lastIn;
    private long lastOut;
    private long step;
    private long rebases;

    Timeline(String kind) {
      this.kind = kind;
    }

    long map(long in, Timeline other) {
      if (!started) {
        started = true;
        if (!other.started) {
          if (in < 0 || in > config.maxStartTimestampMillis()) {
            offset = -in;
            LOG.warn("stream {}: timestamps start at {} ms; rebased to start at 0", streamId, in);
          }
        } else {
          offset = other.offset;
          long out = in + offset;
          if (Math.abs(out - other.lastOut) > config.maxTimestampJumpMillis()) {
            offset = other.lastOut - in;
            LOG.warn("stream {}: first {} timestamp {} ms is far from the {} timeline ({} ms); aligned with it",
                streamId, kind, in, other.kind, other.lastIn);
          }
        }
      } else {
        long delta = in - lastIn;
        if (delta < 0 || delta > config.maxTimestampJumpMillis()) {
          offset = lastOut + Math.max(1, step) - in;
          rebases++;
          if (rebases <= 3 || rebases % 100 == 0) {
            LOG.warn("stream {}: {} timestamp jumped from {} to {} ms (jump #{}); rebased to continue the "
                + "timeline", streamId, kind, lastIn, in, rebases);
          }
        } else if (delta > 0) {
          step = delta;
        }
      }
      lastIn = in;
      lastOut = in + offset;
      return lastOut;
    }
  }
}
