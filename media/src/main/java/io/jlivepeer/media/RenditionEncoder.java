package io.jlivepeer.media;

import static io.jlivepeer.media.FfmpegTranscoder.EAGAIN;
import static io.jlivepeer.media.FfmpegTranscoder.check;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_QUALITY_STATS;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_get_side_data;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCHROMA_LOC_UNSPECIFIED;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_copy_props;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.sws_alloc_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_free_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale_frame;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * One rung of a session's ladder: scaler, frame-rate converter, libx264 encoder and (per segment) its muxer.
 * The scaler and encoder live as long as the session; the muxer lives for one segment.
 *
 * <p>Frame-rate conversion decides, from timestamps only, which decoded frames land on which output slots, and
 * only frames that are output get scaled; the result is the same as scaling every frame and then converting the
 * rate (the spec's order) without the wasted scaling of dropped frames.
 */
final class RenditionEncoder implements AutoCloseable {
  private final VideoProfile profile;
  private final FfmpegTranscoder.Config config;
  private final AVPacket packet = av_packet_alloc();
  private final AVFrame pending = av_frame_alloc();
  private final AVFrame scaled = av_frame_alloc();
  private boolean hasPending;

  private int sourceWidth = -1;
  private int sourceHeight = -1;
  private int sourceFormat = -1;
  private int outWidth;
  private int outHeight;
  private SwsContext scaler;
  private AVCodecContext encoder;
  private FrameRateConverter rate;
  private long lastSlot = Long.MIN_VALUE;

  private RenditionMuxer muxer;
  private double qpSum;
  private int qpFrames;
  private int carriedQp = -1;
  /** Frames 0..9 of a segment are encoded at the carried QP while the fresh x264's ABR learns (tuned on the bench). */
  private static final int WARM_FRAMES = 9;
  /**
   * How much of the fresh ABR's start-up bias {@link #abrCorrection} cancels, relative to the prior alone: the
   * segment's IDR frame adds a second excess to the young window (its bits x qscale are several frames' worth),
   * which a continuous encoder spreads over its long history. Measured on the bench (PSNR difference to the ffmpeg
   * program at 720p/480p/360p/240p): 1.0 gave -0.20 dB at 240p; 1.5: -0.10/-0.11/-0.12/-0.12 dB;
   * 2.0: -0.06/-0.11/-0.04/-0.13 dB; bits within 1% of the program's in all three.
   */
  private static final double ABR_BIAS_SCALE = 2.0;
  /** Largest bitrate factor (and smallest, inverted) a correction zone gets: the VBV still bounds each frame. */
  private static final double MAX_CORRECTION = 3.0;
  /** x264's default initial VBV fill (vbv-init), what the first segment's encoder starts with. */
  private static final double X264_VBV_INIT = 0.9;
  private long frames;
  /**
   * The decoder-side VBV buffer fill (bits) after the last packet of this rendition, as a single continuous encoder
   * would track it; NaN before the first encoder is opened. Handed to the next segment's fresh encoder as its
   * {@code vbv-init}, so the joined renditions obey the VBV model across segment boundaries.
   */
  private double vbvFill = Double.NaN;
  private double vbvFillAtSegmentStart = Double.NaN;
  private double vbvBits;
  private double vbvBitsPerFrame;
  private boolean firstOfSegment;

  RenditionEncoder(VideoProfile profile, FfmpegTranscoder.Config config) {
    this.profile = profile;
    this.config = config;
    if (packet == null || pending == null || scaled == null) {
      close();
      throw new MediaException("out of native memory for rendition " + profile.name());
    }
  }

  VideoProfile profile() {
    return profile;
  }

  /** Output size of {@code profile} for a source: fit inside the box keeping the aspect, even dimensions. */
  static int[] fit(int srcWidth, int srcHeight, int boxWidth, int boxHeight) {
    if (boxWidth == 0 && boxHeight == 0) {
      return new int[] {even(srcWidth), even(srcHeight)};
    }
    if (boxWidth == 0) {
      return new int[] {even((double) boxHeight * srcWidth / srcHeight), even(boxHeight)};
    }
    if (boxHeight == 0) {
      return new int[] {even(boxWidth), even((double) boxWidth * srcHeight / srcWidth)};
    }
    // compare aspects exactly in integers: src wider than the box -> width-bound
    if ((long) srcWidth * boxHeight >= (long) boxWidth * srcHeight) {
      return new int[] {even(boxWidth), Math.min(even(boxHeight), even((double) boxWidth * srcHeight / srcWidth))};
    }
    return new int[] {Math.min(even(boxWidth), even((double) boxHeight * srcWidth / srcHeight)), even(boxHeight)};
  }

  private static int even(double v) {
    return Math.max(2, (int) Math.round(v / 2) * 2);
  }

  /**
   * Starts a segment whose first decoded frame is {@code first}: rebuilds the scaler when the source geometry
   * changed, opens the segment's encoder and muxer.
   */
  void beginSegment(AVFrame first, AVRational sourceTimeBase, AVRational sourceRate, AVCodecParameters audioParams,
      List<AVPacket> audioPackets, AVRational audioTimeBase) {
    int w = first.width();
    int h = first.height();
    if (w != sourceWidth || h != sourceHeight || first.format() != sourceFormat) {
      int[] size = fit(w, h, profile.width(), profile.height());
      if (encoder != null && (size[0] != outWidth || size[1] != outHeight)) {
        freeEncoder();
      }
      outWidth = size[0];
      outHeight = size[1];
      sourceWidth = w;
      sourceHeight = h;
      sourceFormat = first.format();
      freeScaler();
    }
    if (profile.fps() > 0 && rate == null) {
      rate = new FrameRateConverter(profile.fps(), profile.fpsDen(), sourceTimeBase.num(), sourceTimeBase.den());
    }
    lastSlot = Long.MIN_VALUE;
    EncoderSetup setup = EncoderSetup.of(first, sourceTimeBase, sourceRate);
    if (encoder != null && !setup.equals(encoderSetup)) {
      freeEncoder(); // the pre-opened encoder was made for other stream properties
    }
    if (encoder == null) {
      openEncoder(setup);
    }
    if (scaler == null && needsScaling(first)) {
      openScaler();
    }
    frames = 0;
    firstOfSegment = true;
    vbvFillAtSegmentStart = vbvFill;
    muxer = new RenditionMuxer(encoder, audioParams, audioPackets, audioTimeBase);
  }

  /** Offers the next decoded frame (pts in the source time base); encodes whatever the frame-rate grid makes due. */
  void offer(AVFrame frame) {
    if (rate == null) {
      if (frame.pts() > lastSlot) {
        emit(frame, frame.pts(), 1);
      }
      return;
    }
    FrameRateConverter.Run run = rate.offer(frame.pts());
    if (hasPending) {
      if (run.count() > 0) {
        emit(pending, run.first(), run.count());
      }
      av_frame_unref(pending);
    }
    check(av_frame_ref(pending, frame), "reference a decoded frame");
    hasPending = true;
  }

  /** Ends the segment at {@code endPts}: fills the last slots, drains the encoder, returns the rendition. */
  Rendition finishSegment(long endPts) {
    if (rate != null && hasPending) {
      FrameRateConverter.Run run = rate.finish(endPts);
      if (run.count() > 0) {
        emit(pending, run.first(), run.count());
      }
      av_frame_unref(pending);
      hasPending = false;
    }
    check(avcodec_send_frame(encoder, null), "drain the " + profile.name() + " encoder");
    receivePackets();
    // A drained x264 refuses further frames ("lookahead thread is already stopped": x264_encoder_encode(NULL)
    // stops its lookahead for good, and FFmpeg's flush callback does not restart it), so every segment gets a
    // fresh encoder; the scaler and the decoder are the parts that live on.
    freeEncoder();
    carryQp();
    byte[] bytes = muxer.finish();
    muxer.close();
    muxer = null;
    Rendition done = new Rendition(profile, bytes, frames * outWidth * outHeight);
    if (config.preopenEncoders()) {
      try {
        // open the next segment's encoder now, while this thread would otherwise wait for the next segment's
        // first decoded frame: takes x264's setup (allocation, thread start) off the next segment's critical path
        openEncoder(encoderSetup);
      } catch (MediaException e) {
        encoder = null; // retried when the next segment begins
      }
    }
    return done;
  }

  /** Drops the current segment's state after a failure; the next segment starts with a fresh encoder. */
  void abortSegment() {
    if (muxer != null) {
      muxer.close();
      muxer = null;
    }
    if (hasPending) {
      av_frame_unref(pending);
      hasPending = false;
    }
    if (rate != null) {
      rate = null;
    }
    freeEncoder();
    lastSlot = Long.MIN_VALUE;
    qpSum = 0;
    qpFrames = 0;
    vbvFill = vbvFillAtSegmentStart; // the failed segment's packets are never delivered
  }

  private boolean needsScaling(AVFrame frame) {
    return frame.width() != outWidth || frame.height() != outHeight || frame.format() != AV_PIX_FMT_YUV420P;
  }

  private void emit(AVFrame source, long firstSlot, int count) {
    AVFrame picture = source;
    if (needsScaling(source)) {
      if (source.width() != sourceWidth || source.height() != sourceHeight || source.format() != sourceFormat) {
        // geometry changed inside a segment: keep the output size, rebuild the scaler for the new input
        sourceWidth = source.width();
        sourceHeight = source.height();
        sourceFormat = source.format();
        freeScaler();
      }
      if (scaler == null) {
        openScaler();
      }
      check(av_frame_make_writable(scaled), "allocate a scaled frame");
      check(av_frame_copy_props(scaled, source), "copy frame properties");
      // The ffmpeg program's scale filter places chroma as if the location were unspecified (centred) even though
      // H.264 defaults to "left"; doing the same keeps our renditions pixel-identical to the program's (checked by
      // TranscodeBench's PSNR comparison: with "left" chroma PSNR drops 3-6 dB against a program-scaled reference).
      int chromaLocation = source.chroma_location();
      source.chroma_location(AVCHROMA_LOC_UNSPECIFIED);
      scaled.chroma_location(AVCHROMA_LOC_UNSPECIFIED);
      try {
        check(sws_scale_frame(scaler, scaled, source), "scale to " + outWidth + "x" + outHeight);
      } finally {
        source.chroma_location(chromaLocation);
      }
      picture = scaled;
    }
    for (int i = 0; i < count; i++) {
      picture.pts(firstSlot + i);
      picture.pict_type(firstOfSegment ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
      firstOfSegment = false;
      check(avcodec_send_frame(encoder, picture), "encode a " + profile.name() + " frame");
      frames++;
      receivePackets();
    }
    lastSlot = firstSlot + count - 1;
  }

  private void receivePackets() {
    while (true) {
      int ret = avcodec_receive_packet(encoder, packet);
      if (ret == EAGAIN || ret == AVERROR_EOF) {
        return;
      }
      check(ret, "encode " + profile.name());
      noteQp(packet);
      noteVbv(packet.size());
      try {
        muxer.writeVideo(packet);
      } finally {
        av_packet_unref(packet);
      }
    }
  }

  /** Sums the QP of P frames (from libx264's quality stats) to start the next segment's rate control warm. */
  private void noteQp(AVPacket p) {
    if (!config.carryQp()) {
      return;
    }
    BytePointer stats = av_packet_get_side_data(p, AV_PKT_DATA_QUALITY_STATS, (SizeTPointer) null);
    if (stats == null || stats.isNull()) {
      return;
    }
    byte[] b = new byte[5];
    stats.get(b);
    int lambda = (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    if (b[4] == AV_PICTURE_TYPE_P) {
      qpSum += lambda / (double) FF_QP2LAMBDA;
      qpFrames++;
    }
  }

  /**
   * Follows the VBV buffer as x264 models it, in coding order: a frame's bits leave the buffer, then one frame
   * period of the maximum rate enters it, capped at the buffer size.
   */
  private void noteVbv(int bytes) {
    if (Double.isNaN(vbvFill) || vbvBits <= 0) {
      return;
    }
    vbvFill = vbvAfter(vbvFill, bytes, vbvBits, vbvBitsPerFrame);
  }

  static double vbvAfter(double fill, int frameBytes, double bufferBits, double bitsPerFrame) {
    return Math.min(bufferBits, Math.max(0, fill - 8.0 * frameBytes) + bitsPerFrame);
  }

  /**
   * The QP the next segment starts at: the mean P-frame QP of this one. A fresh x264 starts ABR at QP 24 and needs
   * a dozen frames to find the rate; one continuous encoder (the ffmpeg program) does not. Encoding the first
   * {@link #WARM_FRAMES} frames at the carried QP (an x264 zone; x264 still applies its I/P offset to the IDR) keeps
   * the segment start as good as the rest; {@link #abrCorrection} and the carried VBV fill do the rest.
   */
  private void carryQp() {
    if (qpFrames > 0) {
      carriedQp = (int) Math.round(Math.max(0, Math.min(51, qpSum / qpFrames)));
    }
    qpSum = 0;
    qpFrames = 0;
  }

  private void openScaler() {
    scaler = sws_alloc_context();
    if (scaler == null || scaler.isNull()) {
      scaler = null;
      throw new MediaException("out of native memory for a scaler");
    }
    // bicubic is also what the ffmpeg CLI's scale filter uses by default, so renditions match it pixel for pixel
    scaler.flags(SWS_BICUBIC);
    scaler.threads(config.scalerThreads());
    av_frame_unref(scaled);
    scaled.format(AV_PIX_FMT_YUV420P);
    scaled.width(outWidth);
    scaled.height(outHeight);
    check(av_frame_get_buffer(scaled, 0), "allocate a " + outWidth + "x" + outHeight + " frame");
  }

  /** What an encoder is opened for besides the profile; a pre-opened encoder is reused only for the same values. */
  record EncoderSetup(int tbNum, int tbDen, int rateNum, int rateDen, int range, int space, int primaries, int trc,
      int sarNum, int sarDen) {
    static EncoderSetup of(AVFrame like, AVRational timeBase, AVRational rate) {
      return new EncoderSetup(timeBase.num(), timeBase.den(), rate.num(), rate.den(), like.color_range(),
          like.colorspace(), like.color_primaries(), like.color_trc(), like.sample_aspect_ratio().num(),
          like.sample_aspect_ratio().den());
    }
  }

  private EncoderSetup encoderSetup;

  private void openEncoder(EncoderSetup setup) {
    AVCodec codec = avcodec_find_encoder_by_name("libx264");
    if (codec == null || codec.isNull()) {
      throw new MediaException("the FFmpeg natives have no libx264 encoder (the -gpl build is needed; call "
          + "FfmpegBinaries.usePlatformExtension() before any FFmpeg class loads)");
    }
    AVCodecContext c = avcodec_alloc_context3(codec);
    if (c == null || c.isNull()) {
      throw new MediaException("out of native memory for an encoder");
    }
    AVDictionary options = new AVDictionary(null);
    try {
      c.width(outWidth);
      c.height(outHeight);
      c.pix_fmt(AV_PIX_FMT_YUV420P);
      double fps;
      if (profile.fps() > 0) {
        c.time_base(av_make_q(profile.fpsDen(), profile.fps()));
        c.framerate(av_make_q(profile.fps(), profile.fpsDen()));
        fps = profile.frameRate();
      } else {
        c.time_base(av_make_q(setup.tbNum(), setup.tbDen()));
        c.framerate(av_make_q(setup.rateNum(), setup.rateDen()));
        fps = (double) setup.rateNum() / setup.rateDen();
      }
      long bps = profile.bitrateBps();
      // capped rate control (media.md): min = average = max = VBV buffer
      c.bit_rate(bps);
      c.rc_min_rate(bps);
      c.rc_max_rate(bps);
      c.rc_buffer_size((int) Math.min(Integer.MAX_VALUE, bps));
      c.color_range(setup.range());
      c.colorspace(setup.space());
      c.color_primaries(setup.primaries());
      c.color_trc(setup.trc());
      c.sample_aspect_ratio(av_make_q(setup.sarNum(), Math.max(1, setup.sarDen())));
      if (profile.gopMillis() == VideoProfile.GOP_INTRA) {
        c.gop_size(1);
      } else if (profile.gopMillis() > 0) {
        c.gop_size((int) Math.max(1, Math.round(profile.gopMillis() * fps / 1000.0)));
      }
      c.thread_count(config.encoderThreads());
      av_dict_set(options, "preset", config.x264Preset(), 0);
      av_dict_set(options, "forced-idr", "1", 0);
      String warm = warmStart(bps, fps);
      if (!warm.isEmpty()) {
        av_dict_set(options, "x264-params", warm, 0);
      }
      switch (profile.codecProfile()) {
        case H264_BASELINE -> av_dict_set(options, "profile", "baseline", 0);
        case H264_MAIN -> av_dict_set(options, "profile", "main", 0);
        case H264_HIGH -> av_dict_set(options, "profile", "high", 0);
        case H264_CONSTRAINED_HIGH -> {
          // x264 has no constrained-high switch: high without B-frames is what the profile constrains
          av_dict_set(options, "profile", "high", 0);
          c.max_b_frames(0);
        }
        case ENCODER_DEFAULT -> { }
      }
      check(avcodec_open2(c, codec, options), "open the libx264 encoder for " + profile.name());
      encoder = c;
      encoderSetup = setup;
    } catch (RuntimeException e) {
      avcodec_free_context(c);
      throw e;
    } finally {
      av_dict_free(options);
    }
  }

  /**
   * x264 parameters that give a fresh encoder the rate-control state a continuous one would have at this point of
   * the stream (empty for the first segment, all-intra profiles or with {@link FfmpegTranscoder.Config#carryQp()}
   * off): the carried QP for the first frames, the ABR correction after them and the carried VBV fill.
   */
  private String warmStart(long bps, double fps) {
    boolean first = Double.isNaN(vbvFill);
    vbvBits = bps; // buffer = one second at the maximum rate (capped rate control, see openEncoder)
    vbvBitsPerFrame = bps / fps;
    if (first) {
      vbvFill = X264_VBV_INIT * vbvBits;
    }
    if (!config.carryQp() || first || carriedQp < 0 || profile.gopMillis() == VideoProfile.GOP_INTRA) {
      return "";
    }
    StringBuilder zones = new StringBuilder("zones=0," + WARM_FRAMES + ",q=" + carriedQp);
    for (String zone : abrCorrection(WARM_FRAMES + 1, carriedQp, bps, fps, outWidth, outHeight, config.x264Preset())) {
      zones.append('/').append(zone);
    }
    // x264 raises a vbv-init below one frame's worth to one frame's worth itself
    double init = Math.max(0, Math.min(1, vbvFill / vbvBits));
    return zones + String.format(Locale.ROOT, ":vbv-init=%.4f", init);
  }

  /**
   * Bitrate-factor zones that cancel the start-up bias of a fresh x264's one-pass ABR. x264 picks a frame's
   * quantizer scale as (complexity sum) / (wanted bits sum), both sums decaying by {@code d} per frame, and seeds
   * them with a prior worth one frame: complexity {@code 0.01 * 7e5^qcomp * sqrt(macroblocks)} against one frame's
   * bits. At low bitrates per macroblock that prior is several times the real complexity, so a fresh encoder
   * quantizes too coarsely for dozens of frames (240p at 250 kbit/s: +3 QP ten frames in, +1 QP after 40) and then
   * overspends, where a continuous encoder's history has long outweighed the prior. With the real complexity
   * estimated from the carried QP (bits per frame x qscale), frame {@code n} is off by
   * {@code r(n) = (K d^n + S(n)) / (d^n + S(n))}, {@code K} = prior / real, {@code S(n)} = sum of {@code d^i} for
   * i &lt; n; a zone with {@code b=r} divides it out. Blocks of frames get the factor of their middle frame (kept
   * within 1/3..3), until it is within 1%.
   */
  static List<String> abrCorrection(int from, int qp, long bps, double fps, int width, int height, String preset) {
    int macroblocks = ((width + 15) / 16) * ((height + 15) / 16);
    // x264 forces qcomp to 1 when MB-tree is on; the two fastest presets run without it (no lookahead)
    boolean mbTree = !preset.equals("ultrafast") && !preset.equals("superfast");
    double prior = 0.01 * Math.pow(7.0e5, mbTree ? 1.0 : 0.6) * Math.sqrt(macroblocks);
    double qscale = 0.85 * Math.pow(2, (qp - 12) / 6.0);
    double ratio = prior / (bps / fps * qscale);
    // scaled only where the prior is too high (the case measured); a too-small prior is corrected as it stands
    double k = ratio > 1 ? 1 + ABR_BIAS_SCALE * (ratio - 1) : ratio;
    // x264's decay with max rate = average rate and a one-second buffer (cbr_decay)
    double d = 1 - 1 / fps * 0.5 * 0.5;
    int[] edges = {from, 15, 25, 40, 70, 120, 200, 320};
    List<String> zones = new ArrayList<>();
    for (int i = 0; i + 1 < edges.length; i++) {
      int start = Math.max(from, edges[i]);
      int end = edges[i + 1] - 1;
      if (start > end) {
        continue;
      }
      double dn = Math.pow(d, (start + end) / 2.0);
      double sn = (1 - dn) / (1 - d);
      double r = Math.max(1 / MAX_CORRECTION, Math.min(MAX_CORRECTION, (k * dn + sn) / (dn + sn)));
      if (Math.abs(r - 1) < 0.01) {
        break;
      }
      zones.add(String.format(Locale.ROOT, "%d,%d,b=%.3f", start, end, r));
    }
    return zones;
  }

  private void freeEncoder() {
    if (encoder != null) {
      avcodec_free_context(encoder);
      encoder = null;
    }
  }

  private void freeScaler() {
    if (scaler != null) {
      sws_free_context(scaler);
      scaler = null;
    }
  }

  @Override
  public void close() {
    abortSegment();
    freeScaler();
    if (packet != null) {
      av_packet_free(packet);
    }
    if (pending != null) {
      av_frame_free(pending);
    }
    if (scaled != null) {
      av_frame_free(scaled);
    }
  }
}
