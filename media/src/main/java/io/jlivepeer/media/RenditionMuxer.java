package io.jlivepeer.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_ref;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_close_dyn_buf;
import static org.bytedeco.ffmpeg.global.avformat.avio_open_dyn_buf;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_rescale_q;
import static io.jlivepeer.media.FfmpegTranscoder.check;

import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/**
 * One rendition's MPEG-TS output for one segment, written into an FFmpeg in-memory AVIOContext (a dynamic
 * buffer: no temp file, no per-write JNI callback). Video packets come from the rendition's encoder; the source's
 * audio packets are copied unchanged and interleaved by decode timestamp (each video packet is preceded by the
 * audio packets due before it).
 */
final class RenditionMuxer implements AutoCloseable {
  private final AVFormatContext oc;
  private final AVStream video;
  private final AVStream audio;
  private final List<AVPacket> audioPackets;
  private final AVRational audioTimeBase;
  private final AVRational encoderTimeBase;
  private final AVPacket scratch = av_packet_alloc();
  private int audioCursor;

  /**
   * @param encoder the opened video encoder (its parameters describe the video stream)
   * @param audioParameters the source's audio parameters, or null when the segment has no audio
   * @param audioPackets the segment's audio packets in input order, timestamps in {@code audioTimeBase}
   */
  RenditionMuxer(AVCodecContext encoder, AVCodecParameters audioParameters, List<AVPacket> audioPackets,
      AVRational audioTimeBase) {
    this.audioPackets = audioPackets;
    this.audioTimeBase = av_make_q(audioTimeBase.num(), audioTimeBase.den());
    this.encoderTimeBase = av_make_q(encoder.time_base().num(), encoder.time_base().den()); // outlives the encoder
    if (scratch == null || scratch.isNull()) {
      throw new MediaException("out of native memory for a packet");
    }
    AVFormatContext ctx = new AVFormatContext(null);
    int ret = avformat_alloc_output_context2(ctx, null, "mpegts", null);
    if (ret < 0 || ctx.isNull()) {
      av_packet_free(scratch);
      throw new MediaException("cannot create the MPEG-TS muxer: " + FfmpegTranscoder.errorText(ret));
    }
    this.oc = ctx;
    try {
      video = avformat_new_stream(oc, null);
      if (video == null || video.isNull()) {
        throw new MediaException("cannot add a video stream to the MPEG-TS muxer");
      }
      check(avcodec_parameters_from_context(video.codecpar(), encoder), "copy encoder parameters");
      video.time_base(encoder.time_base());
      if (audioParameters != null) {
        audio = avformat_new_stream(oc, null);
        if (audio == null || audio.isNull()) {
          throw new MediaException("cannot add an audio stream to the MPEG-TS muxer");
        }
        check(avcodec_parameters_copy(audio.codecpar(), audioParameters), "copy audio parameters");
        audio.codecpar().codec_tag(0);
        audio.time_base(this.audioTimeBase);
      } else {
        audio = null;
      }
      AVIOContext pb = new AVIOContext(null);
      check(avio_open_dyn_buf(pb), "open the in-memory output");
      oc.pb(pb);
      check(avformat_write_header(oc, (org.bytedeco.ffmpeg.avutil.AVDictionary) null), "write the MPEG-TS header");
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Writes one encoded video packet (timestamps in the encoder's time base), after the audio due before it. */
  void writeVideo(AVPacket packet) {
    av_packet_rescale_ts(packet, encoderTimeBase, video.time_base());
    long dts = packet.dts() != AV_NOPTS_VALUE ? packet.dts() : packet.pts();
    if (audio != null && dts != AV_NOPTS_VALUE) {
      writeAudioUntil(av_rescale_q(dts, video.time_base(), audioTimeBase));
    }
    packet.stream_index(video.index());
    check(av_interleaved_write_frame(oc, packet), "mux a video packet");
  }

  private void writeAudioUntil(long dtsInAudioTimeBase) {
    while (audioCursor < audioPackets.size()) {
      AVPacket source = audioPackets.get(audioCursor);
      long dts = source.dts() != AV_NOPTS_VALUE ? source.dts() : source.pts();
      if (dts != AV_NOPTS_VALUE && dts > dtsInAudioTimeBase) {
        return;
      }
      writeAudio(source);
      audioCursor++;
    }
  }

  private void writeAudio(AVPacket source) {
    // av_interleaved_write_frame takes the packet's reference, so every rendition writes its own reference
    check(av_packet_ref(scratch, source), "reference an audio packet");
    av_packet_rescale_ts(scratch, audioTimeBase, audio.time_base());
    scratch.stream_index(audio.index());
    check(av_interleaved_write_frame(oc, scratch), "mux an audio packet");
  }

  /** Writes the remaining audio and the trailer; returns the MPEG-TS bytes. */
  byte[] finish() {
    if (audio != null) {
      writeAudioUntil(Long.MAX_VALUE);
    }
    check(av_write_trailer(oc), "finish the MPEG-TS output");
    return takeBuffer();
  }

  private byte[] takeBuffer() {
    AVIOContext pb = oc.pb();
    if (pb == null || pb.isNull()) {
      return new byte[0];
    }
    BytePointer buffer = new BytePointer((org.bytedeco.javacpp.Pointer) null);
    int size = avio_close_dyn_buf(pb, buffer);
    oc.pb(null);
    try {
      byte[] out = new byte[Math.max(size, 0)];
      if (size > 0) {
        buffer.capacity(size).get(out);
      }
      return out;
    } finally {
      av_free(buffer);
    }
  }

  @Override
  public void close() {
    // avformat_free_context runs the muxer's deinit, so an unfinished output needs no trailer
    takeBuffer();
    avformat_free_context(oc);
    av_packet_free(scratch);
  }
}
