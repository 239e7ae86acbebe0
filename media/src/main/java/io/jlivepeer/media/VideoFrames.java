package io.jlivepeer.media;

import static io.jlivepeer.media.FfmpegTranscoder.EAGAIN;
import static io.jlivepeer.media.FfmpegTranscoder.check;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_NV12;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV444P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ444P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * Pulls the decoded video frames of an MPEG-TS byte array one at a time (demux and decode on demand, so memory
 * stays at a frame or two whatever the length), counting what {@link RenditionVerifier.Probe} reports.
 *
 * <p>Bounded for hostile input: at most {@code maxFrames} frames, and decoding gives up after {@code maxFrames}
 * decoder errors (garbage that the demuxer still cuts into "packets"). The input is a finite array, so the demuxer
 * always reaches its end. Not thread-safe; one instance per thread.
 */
final class VideoFrames implements AutoCloseable {
  /** libavutil's AV_FRAME_FLAG_CORRUPT (a macro the presets do not map). */
  private static final int FRAME_FLAG_CORRUPT = 1;

  private final MemoryInput input;
  private final int maxFrames;
  private final int decoderThreads;
  private final AVPacket packet = av_packet_alloc();
  private final AVFrame frame = av_frame_alloc();
  private AVCodecContext decoder;
  private int videoIndex = -1;
  private AVStream stream;
  private boolean pendingPacket;
  private boolean inputDone;
  private boolean drained;

  private int frames;
  private int errors;
  private int width;
  private int height;
  private long firstPts = Long.MAX_VALUE;
  private long lastPts = Long.MIN_VALUE;
  private long previousPts = Long.MIN_VALUE;
  private long lastDuration;

  private VideoFrames(MemoryInput input, int maxFrames, int decoderThreads) {
    this.input = input;
    this.maxFrames = maxFrames;
    this.decoderThreads = decoderThreads;
  }

  /** Opens the demuxer over {@code ts}; throws MediaException when the bytes are not MPEG-TS at all. */
  static VideoFrames open(byte[] ts, int maxFrames, int decoderThreads) {
    if (ts.length == 0) {
      throw new MediaException("no bytes");
    }
    FfmpegTranscoder.loadNatives(); // once per process in effect: JavaCPP's Loader remembers what it loaded
    MemoryInput input = MemoryInput.open(ts);
    VideoFrames v = new VideoFrames(input, maxFrames, decoderThreads);
    if (v.packet == null || v.packet.isNull() || v.frame == null || v.frame.isNull()) {
      v.close();
      throw new MediaException("out of native memory for a decoder");
    }
    return v;
  }

  /**
   * Decodes the next frame in presentation order into {@link #frame()}; false at the end of the stream. The frame
   * stays valid until the next call.
   */
  boolean next() {
    av_frame_unref(frame);
    while (!drained) {
      if (decoder != null) {
        int ret = avcodec_receive_frame(decoder, frame);
        if (ret >= 0) {
          count();
          return true;
        }
        if (ret == AVERROR_EOF) {
          drained = true;
          break;
        }
        if (ret != EAGAIN) {
          error();
          continue;
        }
        if (inputDone) {
          drained = true; // EAGAIN after the flush packet: nothing more will come
          break;
        }
      }
      feed();
    }
    return false;
  }

  /** Reads packets until one video packet went to the decoder, or sends the flush packet at the end of input. */
  private void feed() {
    while (true) {
      if (!pendingPacket) {
        int ret = av_read_frame(input.format(), packet);
        if (ret < 0) {
          if (ret != AVERROR_EOF) {
            error(); // a demux error ends the input: whatever decoded so far is what the bytes hold
          }
          inputDone = true;
          if (decoder == null) {
            drained = true;
          } else {
            avcodec_send_packet(decoder, null);
          }
          return;
        }
        if (!isVideo(packet.stream_index())) {
          av_packet_unref(packet);
          continue;
        }
        pendingPacket = true;
      }
      int ret = avcodec_send_packet(decoder, packet);
      if (ret == EAGAIN) {
        return; // the decoder wants its frames taken first; the packet stays pending
      }
      av_packet_unref(packet);
      pendingPacket = false;
      if (ret < 0) {
        error();
      }
      return;
    }
  }

  /** Picks the first video stream (the TS demuxer may only announce it with its first packet) and opens a decoder. */
  private boolean isVideo(int index) {
    if (videoIndex >= 0) {
      return index == videoIndex;
    }
    if (index < 0 || index >= input.format().nb_streams()) {
      return false;
    }
    AVStream s = input.format().streams(index);
    if (s.codecpar().codec_type() != AVMEDIA_TYPE_VIDEO) {
      return false;
    }
    AVCodec codec = avcodec_find_decoder(s.codecpar().codec_id());
    if (codec == null || codec.isNull()) {
      throw new MediaException("no decoder for its video codec (id " + s.codecpar().codec_id() + ")");
    }
    AVCodecContext c = avcodec_alloc_context3(codec);
    if (c == null || c.isNull()) {
      throw new MediaException("out of native memory for a decoder");
    }
    try {
      check(avcodec_parameters_to_context(c, s.codecpar()), "configure the video decoder");
      c.thread_count(decoderThreads);
      check(avcodec_open2(c, codec, (org.bytedeco.ffmpeg.avutil.AVDictionary) null), "open the video decoder");
    } catch (RuntimeException e) {
      avcodec_free_context(c);
      throw e;
    }
    decoder = c;
    videoIndex = index;
    stream = s;
    return true;
  }

  private void error() {
    errors++;
    if (errors > maxFrames) {
      throw new MediaException("gave up after " + errors + " decode errors");
    }
  }

  /** Counts a decoded frame and its timestamps. */
  private void count() {
    if (frames >= maxFrames) {
      throw new MediaException("more than " + maxFrames + " video frames");
    }
    if (!isEightBitLuma(frame.format())) {
      throw new MediaException("unsupported pixel format " + frame.format() + " (8-bit YUV expected)");
    }
    long pts = frame.best_effort_timestamp();
    if (pts == AV_NOPTS_VALUE) {
      pts = frame.pts();
    }
    if (pts == AV_NOPTS_VALUE) {
      pts = previousPts == Long.MIN_VALUE ? 0 : previousPts + Math.max(1, lastDuration);
    }
    if (frames == 0) {
      width = frame.width();
      height = frame.height();
    }
    if ((frame.flags() & FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0) {
      error(); // concealed damage: the decoder still gave a picture
    }
    if (frame.duration() > 0) {
      lastDuration = frame.duration();
    } else if (previousPts != Long.MIN_VALUE && pts > previousPts) {
      lastDuration = pts - previousPts;
    }
    previousPts = pts;
    firstPts = Math.min(firstPts, pts);
    lastPts = Math.max(lastPts, pts);
    frames++;
  }

  private static boolean isEightBitLuma(int format) {
    return format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUV422P
        || format == AV_PIX_FMT_YUVJ422P || format == AV_PIX_FMT_YUV444P || format == AV_PIX_FMT_YUVJ444P
        || format == AV_PIX_FMT_NV12 || format == AV_PIX_FMT_GRAY8;
  }

  /** The current frame's time in ms from the first frame (after {@link #next()} returned true). */
  long currentMillis() {
    return millis(previousPts - firstPts);
  }

  /** The current frame (after {@link #next()} returned true). */
  AVFrame frame() {
    return frame;
  }

  /** Decodes what is left without looking at it (to count the frames). */
  void skipRest() {
    while (next()) {
      // counting only
    }
  }

  /** What was decoded so far (the whole input after {@link #next()} returned false). */
  RenditionVerifier.Probe probe() {
    if (frames == 0) {
      return RenditionVerifier.Probe.undecodable(errors, "no video frame could be decoded (" + errors
          + " decode errors)");
    }
    long durationTicks = lastPts - firstPts + frameTicks();
    return new RenditionVerifier.Probe(true, width, height, frames, millis(durationTicks), errors, millis(firstPts),
        "");
  }

  /** One frame's duration in stream ticks: as the frames said, else from the stream's frame rate. */
  private long frameTicks() {
    if (lastDuration > 0) {
      return lastDuration;
    }
    AVRational tb = stream.time_base();
    AVRational rate = decoder.framerate().num() > 0 ? decoder.framerate() : stream.avg_frame_rate();
    if (rate.num() <= 0 || rate.den() <= 0 || tb.num() <= 0) {
      return 0;
    }
    return (long) tb.den() * rate.den() / ((long) tb.num() * rate.num());
  }

  private long millis(long ticks) {
    AVRational tb = stream.time_base();
    return Math.round(ticks * 1000.0 * tb.num() / tb.den());
  }

  @Override
  public void close() {
    if (decoder != null) {
      avcodec_free_context(decoder);
      decoder = null;
    }
    if (packet != null && !packet.isNull()) {
      av_packet_free(packet);
    }
    if (frame != null && !frame.isNull()) {
      av_frame_free(frame);
    }
    input.close();
  }
}
