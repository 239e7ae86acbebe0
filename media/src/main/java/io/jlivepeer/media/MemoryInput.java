package io.jlivepeer.media;

import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * An MPEG-TS demuxer over a byte array: a custom AVIOContext whose read/seek callbacks copy from the Java array,
 * so a segment never touches the disk.
 *
 * <p>The two callbacks are single static objects (a JavaCPP callback is a native thunk; allocating one per segment
 * would leak thunks), so the AVIOContext's {@code opaque} carries a numeric key into {@link #OPEN} instead of a Java
 * reference. The callbacks run on the thread that calls into the demuxer, which is the session's thread.
 */
final class MemoryInput implements AutoCloseable {
  private static final int IO_BUFFER_SIZE = 64 * 1024;
  private static final Map<Long, MemoryInput> OPEN = new ConcurrentHashMap<>();
  private static final AtomicLong KEYS = new AtomicLong(1);
  private static final AVInputFormat MPEGTS;

  private static final Read_packet_Pointer_BytePointer_int READ = new Read_packet_Pointer_BytePointer_int() {
    @Override
    public int call(Pointer opaque, BytePointer buf, int size) {
      MemoryInput in = OPEN.get(opaque.address());
      if (in == null) {
        return AVERROR_EOF;
      }
      int n = Math.min(size, in.data.length - in.position);
      if (n <= 0) {
        return AVERROR_EOF;
      }
      buf.position(0).put(in.data, in.position, n);
      in.position += n;
      return n;
    }
  };

  private static final Seek_Pointer_long_int SEEK = new Seek_Pointer_long_int() {
    @Override
    public long call(Pointer opaque, long offset, int whence) {
      MemoryInput in = OPEN.get(opaque.address());
      if (in == null) {
        return -1;
      }
      int w = whence & ~0x20000; // AVSEEK_FORCE
      if (w == AVSEEK_SIZE) {
        return in.data.length;
      }
      long target = switch (w) {
        case 0 -> offset; // SEEK_SET
        case 1 -> in.position + offset; // SEEK_CUR
        case 2 -> in.data.length + offset; // SEEK_END
        default -> -1;
      };
      if (target < 0 || target > in.data.length) {
        return -1;
      }
      in.position = (int) target;
      return target;
    }
  };

  static {
    FfmpegBinaries.usePlatformExtension();
    MPEGTS = av_find_input_format("mpegts");
  }

  private final byte[] data;
  private final long key = KEYS.getAndIncrement();
  private final Pointer opaque = new Pointer() {
    {
      address = key;
    }
  };
  private int position;
  private AVIOContext io;
  private AVFormatContext fmt;

  private MemoryInput(byte[] data) {
    this.data = data;
  }

  /** Opens the demuxer over {@code data}; throws MediaException when the bytes are not MPEG-TS. */
  static MemoryInput open(byte[] data) {
    if (MPEGTS == null) {
      throw new MediaException("this FFmpeg build has no MPEG-TS demuxer");
    }
    MemoryInput in = new MemoryInput(data);
    OPEN.put(in.key, in);
    try {
      BytePointer buffer = new BytePointer(av_malloc(IO_BUFFER_SIZE));
      if (buffer.isNull()) {
        throw new MediaException("out of native memory for the segment reader");
      }
      in.io = avio_alloc_context(buffer, IO_BUFFER_SIZE, 0, in.opaque, READ, null, SEEK);
      if (in.io == null || in.io.isNull()) {
        av_free(buffer);
        throw new MediaException("out of native memory for the segment reader");
      }
      AVFormatContext fmt = avformat_alloc_context();
      if (fmt == null || fmt.isNull()) {
        throw new MediaException("out of native memory for the segment demuxer");
      }
      fmt.pb(in.io);
      int ret = avformat_open_input(fmt, (String) null, MPEGTS, null);
      if (ret < 0) {
        // avformat_open_input frees the context on failure
        throw new MediaException("segment is not a readable MPEG-TS stream: " + FfmpegTranscoder.errorText(ret));
      }
      in.fmt = fmt;
      return in;
    } catch (RuntimeException e) {
      in.close();
      throw e;
    }
  }

  AVFormatContext format() {
    return fmt;
  }

  @Override
  public void close() {
    if (fmt != null) {
      avformat_close_input(fmt);
      fmt = null;
    }
    if (io != null) {
      av_free(io.buffer());
      io.buffer(null);
      avio_context_free(io);
      io = null;
    }
    OPEN.remove(key);
  }
}
