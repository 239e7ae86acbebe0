package io.jlivepeer.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Checks a rendition an orchestrator returned: what it decodes to ({@link #probe}) and how close its pictures are to
 * a reference rendition of the same segment ({@link #psnr}), for the broadcaster's verification of transcoded work.
 *
 * <p>In process: FFmpeg's demuxer and decoder through the bytedeco presets, reading the byte array through
 * {@link MemoryInput}; no child process, no temp file. Each call decodes its inputs once, frame by frame (memory
 * stays at a couple of frames per input whatever the length), on the caller's thread with
 * {@link Config#decoderThreads()} decoder threads. Instances hold no native state and are thread-safe.
 *
 * <p>Hostile input is bounded: at most {@link Config#maxFrames()} frames per input, and decoding gives up after as
 * many decoder errors. Bytes that are not MPEG-TS, or hold no decodable video, give {@link Probe#decodable()} false
 * from {@link #probe} and a {@link MediaException} from {@link #psnr}; neither crashes nor hangs.
 */
public final class RenditionVerifier {
  /** PSNR reported for identical pictures (MSE 0), and the most any frame contributes. */
  public static final double MAX_PSNR_DB = 99.0;

  /**
   * Limits and tuning.
   *
   * @param maxFrames video frames decoded per input at most (default 18,000: the 5-minute maximum segment of
   *     media.md at 60 fps); also the number of decoder errors after which decoding gives up
   * @param decoderThreads H.264 decoder threads per input (default 1: a rendition is small, and the broadcaster
   *     verifies alongside its own transcoding; 0 = FFmpeg's automatic choice)
   */
  public record Config(int maxFrames, int decoderThreads) {
    public Config {
      if (maxFrames < 1 || decoderThreads < 0) {
        throw new IllegalArgumentException("need maxFrames >= 1 and decoderThreads >= 0");
      }
    }

    public static Config defaults() {
      return new Config(18_000, 1);
    }
  }

  /**
   * What a rendition decodes to.
   *
   * @param decodable whether any video frame decoded; when false the numbers are 0 (but {@code decodeErrors})
   * @param width width of the first frame in pixels
   * @param height height of the first frame in pixels
   * @param frames decoded video frames
   * @param durationMillis first to last frame's presentation time plus one frame's duration
   * @param decodeErrors packets or frames the decoder failed on, plus frames it concealed damage in
   * @param startMillis the first frame's presentation timestamp, in ms on the stream's clock
   * @param problem why it is not decodable; empty when it is
   */
  public record Probe(boolean decodable, int width, int height, int frames, long durationMillis, int decodeErrors,
      long startMillis, String problem) {
    public Probe {
      Objects.requireNonNull(problem, "problem");
    }

    static Probe undecodable(int decodeErrors, String problem) {
      return new Probe(false, 0, 0, 0, 0, decodeErrors, 0, problem);
    }
  }

  /**
   * Luma PSNR of a candidate against a reference.
   *
   * @param db PSNR in dB of the mean of the compared frames' luma MSE (so a few bad frames weigh as their error, not
   *     as their count), capped at {@link #MAX_PSNR_DB}; 0 when the sizes differ
   * @param minFrameDb the worst compared frame's PSNR (capped likewise); 0 when the sizes differ
   * @param comparedFrames frames compared (0 when the sizes differ)
   * @param sameSize whether every paired frame had the same width and height; when false nothing was compared
   * @param candidate the candidate's probe (whole input)
   * @param reference the reference's probe (whole input)
   */
  public record PsnrResult(double db, double minFrameDb, int comparedFrames, boolean sameSize, Probe candidate,
      Probe reference) {
    public PsnrResult {
      Objects.requireNonNull(candidate, "candidate");
      Objects.requireNonNull(reference, "reference");
    }
  }

  private final Config config;

  public RenditionVerifier() {
    this(Config.defaults());
  }

  public RenditionVerifier(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    // the FFmpeg libraries load at the first decode (VideoFrames.open): a broadcaster that verifies nothing never
    // pays for them
  }

  /** Decodes {@code ts} (MPEG-TS) once and reports its video; never throws for bad bytes (see {@link Probe}). */
  public Probe probe(byte[] ts) {
    Objects.requireNonNull(ts, "ts");
    VideoFrames frames;
    try {
      frames = VideoFrames.open(ts, config.maxFrames(), config.decoderThreads());
    } catch (MediaException e) {
      return Probe.undecodable(0, e.getMessage());
    }
    try (frames) {
      frames.skipRest();
      return frames.probe();
    } catch (MediaException e) {
      return Probe.undecodable(0, e.getMessage());
    }
  }

  /**
   * Luma (Y plane) PSNR of {@code candidateTs} against {@code referenceTs}, frames paired by index in presentation
   * order (the decoders' output order: frame i of one with frame i of the other), over the first min(count) frames, comparing
   * every {@code sampleEvery}-th of them (0, n, 2n, ...). PSNR = 10 log10(255^2 / mean MSE), the mean taken over the
   * compared frames' per-frame MSE (as ffmpeg's psnr filter averages), capped at {@link #MAX_PSNR_DB}.
   *
   * <p>Both inputs are decoded once, side by side, to the end (so the result carries both probes and no separate
   * {@link #probe} is needed). Frames of different sizes are not compared: the result says {@code sameSize} false
   * with 0 dB, which fails any threshold. A different frame count is not an error here: compare the probes.
   *
   * @throws MediaException when either input is not decodable MPEG-TS video, exceeds the limits or is not 8-bit YUV
   */
  public PsnrResult psnr(byte[] candidateTs, byte[] referenceTs, int sampleEvery) {
    Objects.requireNonNull(candidateTs, "candidateTs");
    Objects.requireNonNull(referenceTs, "referenceTs");
    if (sampleEvery < 1) {
      throw new IllegalArgumentException("sampleEvery must be >= 1, not " + sampleEvery);
    }
    try (VideoFrames candidate = open(candidateTs, "candidate");
        VideoFrames reference = open(referenceTs, "reference")) {
      LumaPlane a = new LumaPlane();
      LumaPlane b = new LumaPlane();
      double sumMse = 0;
      double maxMse = 0;
      int compared = 0;
      boolean sameSize = true;
      int index = 0;
      while (true) {
        boolean hasA = next(candidate, "candidate");
        boolean hasB = next(reference, "reference");
        if (!hasA || !hasB) {
          if (hasA) {
            skipRest(candidate, "candidate");
          }
          if (hasB) {
            skipRest(reference, "reference");
          }
          break;
        }
        AVFrame fa = candidate.frame();
        AVFrame fb = reference.frame();
        if (fa.width() != fb.width() || fa.height() != fb.height()) {
          sameSize = false;
        }
        if (sameSize && index % sampleEvery == 0) {
          double mse = a.load(fa).mse(b.load(fb));
          sumMse += mse;
          maxMse = Math.max(maxMse, mse);
          compared++;
        }
        index++;
      }
      Probe pa = probe(candidate, "candidate");
      Probe pb = probe(reference, "reference");
      if (!sameSize) {
        return new PsnrResult(0, 0, 0, false, pa, pb);
      }
      return new PsnrResult(psnr(sumMse / compared), psnr(maxMse), compared, true, pa, pb);
    }
  }

  /**
   * Luma PSNR of each of {@code candidates} (renditions of one segment, any sizes) against their source {@code
   * sourceTs} scaled to that candidate's size: how faithful each rendition is to what it was made from, whatever the
   * encoder. The source is decoded once for all of them. Each compared candidate frame (every {@code sampleEvery}-th)
   * is paired with the first source frame at or after its time (within a millisecond), times counted from each
   * stream's first frame, so a rendition at another frame rate is compared with the source frames it shows. The
   * source is scaled with a box filter when shrinking and bilinearly when growing; that scaler is not the encoder's,
   * so the figure is for comparing renditions of one source with each other (an honest and a tampered one differ by
   * far more than two scalers do), not an absolute quality.
   *
   * @throws MediaException when an input is not decodable MPEG-TS video, exceeds the limits or is not 8-bit YUV
   */
  public List<PsnrResult> psnrAgainstSource(List<byte[]> candidates, byte[] sourceTs, int sampleEvery) {
    Objects.requireNonNull(sourceTs, "sourceTs");
    if (sampleEvery < 1) {
      throw new IllegalArgumentException("sampleEvery must be >= 1, not " + sampleEvery);
    }
    List<VideoFrames> opened = new ArrayList<>();
    try (VideoFrames source = open(sourceTs, "source")) {
      int n = candidates.size();
      Comparison[] c = new Comparison[n];
      for (int k = 0; k < n; k++) {
        VideoFrames f = open(candidates.get(k), "candidate " + k);
        opened.add(f);
        c[k] = new Comparison(f, next(f, "candidate " + k));
      }
      LumaPlane candidatePlane = new LumaPlane();
      while (next(source, "source")) {
        long sourceAt = source.currentMillis();
        for (int k = 0; k < n; k++) {
          Comparison ck = c[k];
          boolean scaledForThisFrame = false;
          // every candidate frame whose time is at most this source frame's (+1 ms) pairs with it
          while (ck.alive && ck.frames.currentMillis() <= sourceAt + 1) {
            if (ck.index % sampleEvery == 0) {
              AVFrame fc = ck.frames.frame();
              if (!scaledForThisFrame) {
                ck.scaled.scaleFrom(source.frame(), fc.width(), fc.height());
                scaledForThisFrame = true;
              }
              double mse = candidatePlane.load(fc).mse(ck.scaled);
              ck.sumMse += mse;
              ck.maxMse = Math.max(ck.maxMse, mse);
              ck.compared++;
            }
            ck.index++;
            ck.alive = next(ck.frames, "candidate " + k);
          }
        }
      }
      Probe ps = probe(source, "source");
      List<PsnrResult> out = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        if (c[k].alive) {
          skipRest(c[k].frames, "candidate " + k);
        }
        Probe pc = probe(c[k].frames, "candidate " + k);
        out.add(c[k].compared == 0 ? new PsnrResult(0, 0, 0, true, pc, ps)
            : new PsnrResult(psnr(c[k].sumMse / c[k].compared), psnr(c[k].maxMse), c[k].compared, true, pc, ps));
      }
      return out;
    } finally {
      for (VideoFrames f : opened) {
        f.close();
      }
    }
  }

  /** One candidate's side of {@link #psnrAgainstSource}: its decoder, the source scaled to its size, the sums. */
  private static final class Comparison {
    final VideoFrames frames;
    final LumaPlane scaled = new LumaPlane();
    boolean alive;
    int index;
    int compared;
    double sumMse;
    double maxMse;

    Comparison(VideoFrames frames, boolean alive) {
      this.frames = frames;
      this.alive = alive;
    }
  }

  static double psnr(double mse) {
    if (mse <= 0) {
      return MAX_PSNR_DB;
    }
    return Math.min(MAX_PSNR_DB, 10 * Math.log10(255.0 * 255.0 / mse));
  }

  private VideoFrames open(byte[] ts, String which) {
    try {
      return VideoFrames.open(ts, config.maxFrames(), config.decoderThreads());
    } catch (MediaException e) {
      throw new MediaException("the " + which + " is not decodable: " + e.getMessage(), e);
    }
  }

  private static boolean next(VideoFrames frames, String which) {
    try {
      return frames.next();
    } catch (MediaException e) {
      throw new MediaException("the " + which + " is not decodable: " + e.getMessage(), e);
    }
  }

  private static void skipRest(VideoFrames frames, String which) {
    while (next(frames, which)) {
      // counting only
    }
  }

  private static Probe probe(VideoFrames frames, String which) {
    Probe p = frames.probe();
    if (!p.decodable()) {
      throw new MediaException("the " + which + " is not decodable: " + p.problem());
    }
    return p;
  }

  /** A reusable copy of one frame's Y plane (grown when a bigger frame comes, never per frame or pixel). */
  private static final class LumaPlane {
    private byte[] pixels = new byte[0];
    /** The unscaled source plane while scaling (reused). */
    private byte[] source = new byte[0];
    private int width;
    private int height;
    private int stride;

    LumaPlane load(AVFrame frame) {
      width = frame.width();
      height = frame.height();
      stride = frame.linesize(0);
      if (stride < width || height <= 0) {
        throw new MediaException("unexpected frame layout: " + width + "x" + height + ", stride " + stride);
      }
      int size = stride * (height - 1) + width;
      if (pixels.length < size) {
        pixels = new byte[size];
      }
      frame.data(0).get(pixels, 0, size);
      return this;
    }

    /**
     * This plane becomes {@code frame}'s Y plane scaled to {@code w} x {@code h}: each output pixel the mean of the
     * source pixels it covers when shrinking (box filter), bilinear between the nearest four when growing.
     */
    LumaPlane scaleFrom(AVFrame frame, int w, int h) {
      int sw = frame.width();
      int sh = frame.height();
      int sstride = frame.linesize(0);
      if (sstride < sw || sh <= 0 || w <= 0 || h <= 0) {
        throw new MediaException("unexpected frame layout: " + sw + "x" + sh + ", stride " + sstride);
      }
      int srcSize = sstride * (sh - 1) + sw;
      if (source.length < srcSize) {
        source = new byte[srcSize];
      }
      frame.data(0).get(source, 0, srcSize);
      width = w;
      height = h;
      stride = w;
      if (pixels.length < w * h) {
        pixels = new byte[w * h];
      }
      for (int y = 0; y < h; y++) {
        int y0 = (int) ((long) y * sh / h);
        int y1 = Math.max(y0 + 1, (int) ((long) (y + 1) * sh / h));
        for (int x = 0; x < w; x++) {
          int v;
          if (sw >= w && sh >= h) {
            int x0 = (int) ((long) x * sw / w);
            int x1 = Math.max(x0 + 1, (int) ((long) (x + 1) * sw / w));
            int sum = 0;
            for (int yy = y0; yy < y1; yy++) {
              int row = yy * sstride;
              for (int xx = x0; xx < x1; xx++) {
                sum += source[row + xx] & 0xFF;
              }
            }
            v = sum / ((y1 - y0) * (x1 - x0));
          } else {
            double fx = Math.max(0, (x + 0.5) * sw / w - 0.5);
            double fy = Math.max(0, (y + 0.5) * sh / h - 0.5);
            int ix = Math.min((int) fx, sw - 1);
            int iy = Math.min((int) fy, sh - 1);
            int jx = Math.min(ix + 1, sw - 1);
            int jy = Math.min(iy + 1, sh - 1);
            double dx = fx - ix;
            double dy = fy - iy;
            double top = (source[iy * sstride + ix] & 0xFF) * (1 - dx) + (source[iy * sstride + jx] & 0xFF) * dx;
            double bottom = (source[jy * sstride + ix] & 0xFF) * (1 - dx) + (source[jy * sstride + jx] & 0xFF) * dx;
            v = (int) Math.round(top * (1 - dy) + bottom * dy);
          }
          pixels[y * w + x] = (byte) v;
        }
      }
      return this;
    }

    /** Mean squared error against a plane of the same size. */
    double mse(LumaPlane other) {
      byte[] p = pixels;
      byte[] q = other.pixels;
      long sum = 0;
      for (int y = 0; y < height; y++) {
        int i = y * stride;
        int j = y * other.stride;
        int end = i + width;
        int row = 0; // fits: 8192 x 255^2 < 2^31
        while (i < end) {
          int d = (p[i++] & 0xFF) - (q[j++] & 0xFF);
          row += d * d;
        }
        sum += row;
      }
      return (double) sum / ((long) width * height);
    }
  }
}
