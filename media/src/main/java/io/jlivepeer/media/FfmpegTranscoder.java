package io.jlivepeer.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_log_get_level;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import io.jlivepeer.media.Transcoder.TranscodeSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Software transcoder: FFmpeg's libraries in-process through the bytedeco presets (no ffmpeg program, no
 * temp files).
 *
 * <h2>Pipeline of one segment</h2>
 *
 * <ol>
 *   <li>The MPEG-TS bytes are checked (sync byte every 188 bytes) and demuxed from memory through a custom
 *       AVIOContext ({@link MemoryInput}); all packets of the segment are read first.
 *   <li>Video is decoded once by the session's decoder (kept across segments; drained and flushed at every
 *       segment end).
 *   <li>For every profile ({@link RenditionEncoder}): the frame-rate converter places decoded frames on the output
 *       grid (drop/duplicate, FFmpeg {@code fps} filter semantics), the frames that are output get scaled by
 *       swscale (bicubic; aspect kept inside the profile's box, even dimensions), then encoded by libx264 (preset
 *       veryfast, capped rate control min = average = max = VBV buffer = the profile's bitrate, the profile's H.264
 *       profile and GOP, a forced IDR at the segment's first frame).
 *   <li>Each rendition is muxed to MPEG-TS in memory ({@link RenditionMuxer}), the source's audio packets copied
 *       unchanged into every rendition. Output timestamps are the source's, so consecutive segments play on.
 *   <li>Pixels: decoded = width x height of every decoded frame; encoded = width x height x frames, per rendition.
 * </ol>
 *
 * <h2>Threads</h2>
 *
 * <ul>
 *   <li>The caller's thread demuxes and decodes; {@code transcode} is synchronized per session (one segment at a
 *       time, as the {@link Transcoder} contract says). Sessions share no native state, so any number of sessions
 *       may run in parallel on different threads (tested byte-for-byte against a session alone).
 *   <li>Each rendition has one platform thread of its own ({@link RenditionWorker}, named
 *       {@code transcode-<session>-<profile>}) that converts the frame rate, scales and feeds its encoder and muxer,
 *       so the four scalers of the standard ladder run side by side while the next frame decodes (the ffmpeg
 *       program likewise runs decoding, filtering and each encoder on separate threads). Frames cross as
 *       references, at most a few per rendition in flight.
 *   <li>Inside FFmpeg: the H.264 decoder uses frame + slice threads ({@link Config#decoderThreads()}, 0 = auto,
 *       cores + 1), every libx264 encoder its frame threads and lookahead ({@link Config#encoderThreads()}, 0 =
 *       x264's 1.5 x cores), swscale {@link Config#scalerThreads()} (default 1: the rendition thread itself).
 *   <li>Bound the number of concurrent sessions from outside (transcode slots); with many sessions FFmpeg's
 *       threads oversubscribe the cores, which costs little (they block on each other, not spin).
 * </ul>
 *
 * <h2>What lives across segments</h2>
 *
 * The decoder (drained and reset with {@code avcodec_flush_buffers} at each segment end), the scalers and the
 * cached audio parameters. The x264 encoders do not (each is opened for the next segment right after the previous
 * one finished, see {@link Config#preopenEncoders()}): a drained libx264 refuses further frames ("lookahead thread is
 * already stopped": {@code x264_encoder_encode(NULL)} stops its lookahead for good, and FFmpeg's
 * AV_CODEC_CAP_ENCODER_FLUSH callback only drains), so each segment opens fresh encoders. Measured: opening and
 * closing the four standard-ladder encoders costs about 10-12 ms of CPU, under 1% of a 2 s segment's work. Keeping
 * them alive would need feeding throw-away frames to push the real ones out, which costs more encoding than an
 * open. The price of fresh encoders is rate control starting cold at every segment (about -0.5 dB PSNR at
 * 240p/250k against one continuous encode). {@link Config#carryQp()} hands each fresh encoder the rate-control
 * state a continuous one would have: the QP the previous segment settled on for its first frames, bitrate-factor
 * zones that cancel the start-up bias of x264's ABR, and the VBV buffer fill where the previous segment left it
 * (so the joined renditions also obey the VBV model across segments). That brings every rung of the standard
 * ladder within about 0.15 dB of the ffmpeg program at the same bits (docs/benchmarks.md).
 *
 * <h2>Errors</h2>
 *
 * Every FFmpeg return code is checked; bad input raises {@link MediaException} and leaves the session usable for
 * the next segment. Every native object is freed on all paths (segment scope or {@link TranscodeSession#close()}).
 */
public final class FfmpegTranscoder implements Transcoder {
  private static final Logger LOG = LoggerFactory.getLogger(FfmpegTranscoder.class);
  static final int EAGAIN = -11; // AVERROR(EAGAIN) on Linux
  private static final int TS_PACKET = 188;
  // avcodec.h's FF_THREAD_* (not mapped by the presets)
  private static final int FF_THREAD_FRAME = 1;
  private static final int FF_THREAD_SLICE = 2;

  static {
    FfmpegBinaries.usePlatformExtension();
    if (av_log_get_level() == AV_LOG_INFO) {
      av_log_set_level(AV_LOG_ERROR); // FFmpeg's default chatter (x264 stats per encoder) would flood the log
    }
  }

  /**
   * Tuning of the software transcoder.
   *
   * @param decoderThreads H.264 decoder threads, 0 = FFmpeg's automatic choice (cores + 1, frame and slice)
   * @param encoderThreads libx264 threads per rendition, 0 = x264's automatic choice (1.5 x cores)
   * @param scalerThreads swscale slice threads per rendition; default 1 (the caller's thread, while x264 and the
   *     decoder keep the other cores busy)
   * @param x264Preset x264 speed preset, default {@code veryfast} (media.md)
   * @param preopenEncoders open each rendition's next encoder as soon as a segment is done (default true): the
   *     setup then overlaps the wait for the next segment instead of delaying it; costs an idle encoder per
   *     rendition between segments
   * @param carryQp carry the rate-control state from segment to segment (default true), as one continuous encoder
   *     would: the QP the previous segment's P frames settled on, a correction of the fresh ABR's start-up bias and
   *     the VBV buffer fill; without it every segment's rate control starts cold at x264's QP 24 and a 90% buffer
   */
  public record Config(int decoderThreads, int encoderThreads, int scalerThreads, String x264Preset,
      boolean preopenEncoders, boolean carryQp) {
    public Config {
      Objects.requireNonNull(x264Preset, "x264Preset");
      if (decoderThreads < 0 || encoderThreads < 0 || scalerThreads < 1) {
        throw new IllegalArgumentException("thread counts must be >= 0 (scaler >= 1)");
      }
    }

    public static Config defaults() {
      return new Config(0, 0, 1, "veryfast", true, true);
    }

    public Config withThreads(int decoder, int encoder, int scaler) {
      return new Config(decoder, encoder, scaler, x264Preset, preopenEncoders, carryQp);
    }

    public Config withPreopenEncoders(boolean preopen) {
      return new Config(decoderThreads, encoderThreads, scalerThreads, x264Preset, preopen, carryQp);
    }

    public Config withCarryQp(boolean carry) {
      return new Config(decoderThreads, encoderThreads, scalerThreads, x264Preset, preopenEncoders, carry);
    }
  }

  private final Config config;

  public FfmpegTranscoder() {
    this(Config.defaults());
  }

  public FfmpegTranscoder(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    loadNatives();
  }

  /** Loads FFmpeg's native libraries now (about a second, once per JVM) rather than inside a first segment's deadline. */
  static void loadNatives() {
    try {
      org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.global.avutil.class);
      org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.global.avcodec.class);
      org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.global.avformat.class);
      org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.global.swscale.class);
    } catch (UnsatisfiedLinkError e) {
      throw new MediaException("could not load the FFmpeg native libraries: " + e.getMessage(), e);
    }
  }

  @Override
  public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
    Objects.requireNonNull(sessionId, "sessionId");
    if (profiles.isEmpty()) {
      throw new MediaException("session " + sessionId + ": no profiles to transcode to");
    }
    return new Session(sessionId, profiles, config);
  }

  static String errorText(int code) {
    byte[] buf = new byte[256];
    if (av_strerror(code, buf, buf.length) < 0) {
      return "FFmpeg error " + code;
    }
    int len = 0;
    while (len < buf.length && buf[len] != 0) {
      len++;
    }
    return new String(buf, 0, len, java.nio.charset.StandardCharsets.US_ASCII) + " (" + code + ")";
  }

  static int check(int ret, String what) {
    if (ret < 0) {
      throw new MediaException("could not " + what + ": " + errorText(ret));
    }
    return ret;
  }

  /** Rejects bytes that are not whole MPEG-TS packets before FFmpeg sees them, with a message an operator can use. */
  static void validateTs(Segment segment) {
    byte[] data = segment.data();
    String which = "segment " + segment.seq() + " of stream " + segment.streamId();
    if (data.length == 0) {
      throw new MediaException(which + " is empty");
    }
    if (data[0] != 0x47) {
      throw new MediaException(which + " is not MPEG-TS: it does not start with the sync byte 0x47");
    }
    if (data.length % TS_PACKET != 0) {
      throw new MediaException(which + " is truncated: " + data.length + " bytes is not a whole number of "
          + TS_PACKET + "-byte MPEG-TS packets");
    }
    for (int i = 0; i < data.length; i += TS_PACKET) {
      if (data[i] != 0x47) {
        throw new MediaException(which + " is corrupt: MPEG-TS packet " + (i / TS_PACKET) + " has no sync byte");
      }
    }
  }

  /** AAC sampling rates by ADTS sampling_frequency_index. */
  private static final int[] AAC_RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
      11025, 8000, 7350};

  private static final class Session implements TranscodeSession {
    private final String id;
    private final List<RenditionWorker> renditions = new ArrayList<>();
    private final Config config;
    private final AVFrame frame = av_frame_alloc();
    private AVCodecContext decoder;
    private int decoderCodec = -1;
    private AVCodecParameters audioParams;
    private boolean closed;

    Session(String id, List<VideoProfile> profiles, Config config) {
      this.id = id;
      this.config = config;
      for (VideoProfile p : profiles) {
        renditions.add(new RenditionWorker(new RenditionEncoder(p, config), "transcode-" + id + "-" + p.name()));
      }
      if (frame == null || frame.isNull()) {
        close();
        throw new MediaException("out of native memory for session " + id);
      }
    }

    @Override
    public synchronized TranscodeResult transcode(Segment segment) {
      if (closed) {
        throw new MediaException("transcode session " + id + " is closed");
      }
      validateTs(segment);
      String which = "segment " + segment.seq() + " of stream " + segment.streamId();
      List<AVPacket> video = new ArrayList<>();
      List<AVPacket> audio = new ArrayList<>();
      boolean started = false;
      try (MemoryInput input = MemoryInput.open(segment.data())) {
        AVFormatContext fmt = input.format();
        int videoIndex = -1;
        int audioIndex = -1;
        for (int i = 0; i < fmt.nb_streams(); i++) {
          int type = fmt.streams(i).codecpar().codec_type();
          if (type == AVMEDIA_TYPE_VIDEO && videoIndex < 0) {
            videoIndex = i;
          } else if (type == AVMEDIA_TYPE_AUDIO && audioIndex < 0) {
            audioIndex = i;
          }
        }
        if (videoIndex < 0) {
          throw new MediaException(which + " has no video stream (is it MPEG-TS with H.264 video?)");
        }
        readPackets(fmt, videoIndex, audioIndex, video, audio, which);
        if (video.isEmpty()) {
          throw new MediaException(which + " holds no video data");
        }
        AVStream videoStream = fmt.streams(videoIndex);
        AVCodecParameters segmentAudio = audioIndex < 0 ? null : audioParameters(fmt.streams(audioIndex), audio, which);
        AVRational audioTimeBase = audioIndex < 0 ? videoStream.time_base() : fmt.streams(audioIndex).time_base();
        if (segmentAudio != null) {
          retimeAudio(audio, segmentAudio, audioTimeBase);
        }
        ensureDecoder(videoStream.codecpar(), which);

        long decodedPixels = 0;
        long frames = 0;
        long lastPts = Long.MIN_VALUE;
        long lastDuration = 0;
        int errors = 0;
        AVRational timeBase = videoStream.time_base();
        for (int i = 0; i <= video.size(); i++) {
          int ret = avcodec_send_packet(decoder, i < video.size() ? video.get(i) : null);
          if (ret < 0 && ret != AVERROR_EOF) {
            errors++;
            continue;
          }
          while (true) {
            ret = avcodec_receive_frame(decoder, frame);
            if (ret == EAGAIN || ret == AVERROR_EOF) {
              break;
            }
            if (ret < 0) {
              errors++;
              break;
            }
            try {
              long pts = frame.best_effort_timestamp();
              if (pts == AV_NOPTS_VALUE) {
                pts = frame.pts();
              }
              if (pts == AV_NOPTS_VALUE) {
                pts = lastPts == Long.MIN_VALUE ? 0 : lastPts + Math.max(1, lastDuration);
              }
              if (pts <= lastPts) {
                continue; // a timestamp going backwards inside a segment: drop the frame, as FFmpeg's fps filter does
              }
              frame.pts(pts);
              if (!started) {
                // value copies: the rendition threads must not hold pointers into the demuxer or decoder, which an
                // error path frees while those threads may still be finishing queued work
                AVRational rate = copy(sourceRate(videoStream));
                AVRational videoTb = copy(timeBase);
                AVRational audioTb = copy(audioTimeBase);
                for (RenditionWorker r : renditions) {
                  r.begin(frame, videoTb, rate, segmentAudio, audio, audioTb);
                }
                started = true;
              }
              decodedPixels += (long) frame.width() * frame.height();
              frames++;
              if (frame.duration() > 0) {
                lastDuration = frame.duration();
              } else if (lastPts != Long.MIN_VALUE) {
                lastDuration = pts - lastPts;
              }
              lastPts = pts;
              for (RenditionWorker r : renditions) {
                r.offer(frame);
              }
            } finally {
              av_frame_unref(frame);
            }
          }
        }
        avcodec_flush_buffers(decoder);
        if (frames == 0) {
          throw new MediaException(which + ": no video frame could be decoded (" + errors
              + " decoder errors); the H.264 data is corrupt or incomplete");
        }
        if (errors > 0) {
          LOG.warn("session {}: {} had {} H.264 decode errors; damaged frames were concealed", id, which, errors);
        }
        if (lastDuration <= 0) {
          AVRational rate = sourceRate(videoStream);
          lastDuration = Math.max(1, (long) timeBase.den() * rate.den() / ((long) timeBase.num() * rate.num()));
        }
        List<java.util.concurrent.Future<Rendition>> pending = new ArrayList<>(renditions.size());
        for (RenditionWorker r : renditions) {
          pending.add(r.finish(lastPts + lastDuration));
        }
        List<Rendition> out = new ArrayList<>(renditions.size());
        for (var f : pending) {
          out.add(RenditionWorker.await(f));
        }
        return new TranscodeResult(decodedPixels, out);
      } catch (RuntimeException e) {
        // the codecs' state is unknown after a failure: start the next segment from fresh ones
        for (RenditionWorker r : renditions) {
          r.abort();
        }
        freeDecoder();
        throw e;
      } finally {
        for (AVPacket p : video) {
          av_packet_free(p);
        }
        for (AVPacket p : audio) {
          av_packet_free(p);
        }
      }
    }

    private static void readPackets(AVFormatContext fmt, int videoIndex, int audioIndex, List<AVPacket> video,
        List<AVPacket> audio, String which) {
      while (true) {
        AVPacket p = av_packet_alloc();
        if (p == null || p.isNull()) {
          throw new MediaException("out of native memory reading " + which);
        }
        int ret = av_read_frame(fmt, p);
        if (ret < 0) {
          av_packet_free(p);
          if (ret == AVERROR_EOF) {
            return;
          }
          throw new MediaException(which + " could not be demuxed: " + errorText(ret));
        }
        if (p.stream_index() == videoIndex) {
          video.add(p);
        } else if (p.stream_index() == audioIndex) {
          audio.add(p);
        } else {
          av_packet_free(p);
        }
      }
    }

    /**
     * The audio stream's parameters for the muxers. Without avformat_find_stream_info (skipped: it would decode
     * video frames a second time) the TS demuxer may not know the sample rate, which every muxer needs; it is
     * then taken from the session's previous segments or from the first ADTS header.
     */
    private AVCodecParameters audioParameters(AVStream stream, List<AVPacket> packets, String which) {
      AVCodecParameters par = stream.codecpar();
      if (audioParams == null) {
        audioParams = avcodec_parameters_alloc();
        if (audioParams == null || audioParams.isNull()) {
          audioParams = null;
          throw new MediaException("out of native memory");
        }
      }
      if (par.sample_rate() > 0 && par.ch_layout().nb_channels() > 0) {
        check(avcodec_parameters_copy(audioParams, par), "copy audio parameters");
        return audioParams;
      }
      if (audioParams.sample_rate() > 0 && audioParams.codec_id() == par.codec_id()) {
        return audioParams;
      }
      check(avcodec_parameters_copy(audioParams, par), "copy audio parameters");
      for (AVPacket p : packets) {
        if (p.size() >= 7) {
          byte[] h = new byte[7];
          p.data().get(h);
          if ((h[0] & 0xFF) == 0xFF && (h[1] & 0xF0) == 0xF0) {
            int rateIndex = (h[2] >> 2) & 0x0F;
            int channels = ((h[2] & 0x01) << 2) | ((h[3] >> 6) & 0x03);
            if (rateIndex < AAC_RATES.length && channels > 0) {
              audioParams.sample_rate(AAC_RATES[rateIndex]);
              av_channel_layout_default(audioParams.ch_layout(), channels);
              return audioParams;
            }
          }
        }
      }
      throw new MediaException(which + ": the audio stream's sample rate is unknown (expected AAC with ADTS headers)");
    }

    /**
     * Gives every audio frame a timestamp. A PES packet often carries several AAC frames; the demuxer splits them
     * but, without avformat_find_stream_info (skipped: it decodes video a second time), cannot time all but the
     * first. Each AAC frame is 1024 samples, so the missing ones follow from the sample rate.
     */
    private static void retimeAudio(List<AVPacket> packets, AVCodecParameters par, AVRational timeBase) {
      if (par.sample_rate() <= 0) {
        return;
      }
      int samples = par.frame_size() > 0 ? par.frame_size() : 1024;
      long frameTicks = Math.max(1, (long) samples * timeBase.den() / ((long) par.sample_rate() * timeBase.num()));
      long previous = AV_NOPTS_VALUE;
      for (AVPacket p : packets) {
        long dts = p.dts() != AV_NOPTS_VALUE ? p.dts() : p.pts();
        if (previous != AV_NOPTS_VALUE && (dts == AV_NOPTS_VALUE || dts <= previous)) {
          dts = previous + frameTicks;
          p.dts(dts);
          p.pts(dts);
        }
        if (p.duration() <= 0) {
          p.duration(frameTicks);
        }
        previous = dts;
      }
    }

    private static AVRational copy(AVRational r) {
      return av_make_q(r.num(), r.den());
    }

    private AVRational sourceRate(AVStream stream) {
      if (decoder != null && decoder.framerate().num() > 0 && decoder.framerate().den() > 0) {
        return decoder.framerate();
      }
      if (stream.avg_frame_rate().num() > 0 && stream.avg_frame_rate().den() > 0) {
        return stream.avg_frame_rate();
      }
      if (stream.r_frame_rate().num() > 0 && stream.r_frame_rate().den() > 0) {
        return stream.r_frame_rate();
      }
      return av_make_q(30, 1);
    }

    private void ensureDecoder(AVCodecParameters par, String which) {
      if (decoder != null && decoderCodec == par.codec_id()) {
        return;
      }
      freeDecoder();
      AVCodec codec = avcodec_find_decoder(par.codec_id());
      if (codec == null || codec.isNull()) {
        throw new MediaException(which + ": no decoder for its video codec (id " + par.codec_id() + ")");
      }
      AVCodecContext c = avcodec_alloc_context3(codec);
      if (c == null || c.isNull()) {
        throw new MediaException("out of native memory for a decoder");
      }
      try {
        check(avcodec_parameters_to_context(c, par), "configure the video decoder");
        c.thread_count(config.decoderThreads());
        c.thread_type(FF_THREAD_FRAME | FF_THREAD_SLICE);
        check(avcodec_open2(c, codec, (org.bytedeco.ffmpeg.avutil.AVDictionary) null), "open the video decoder");
      } catch (RuntimeException e) {
        avcodec_free_context(c);
        throw e;
      }
      decoder = c;
      decoderCodec = par.codec_id();
    }

    private void freeDecoder() {
      if (decoder != null) {
        avcodec_free_context(decoder);
        decoder = null;
        decoderCodec = -1;
      }
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      for (RenditionWorker r : renditions) {
        r.close();
      }
      freeDecoder();
      if (audioParams != null) {
        avcodec_parameters_free(audioParams);
        audioParams = null;
      }
      if (frame != null) {
        av_frame_free(frame);
      }
    }
  }
}
