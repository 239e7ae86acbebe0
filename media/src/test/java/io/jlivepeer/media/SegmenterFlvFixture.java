package io.jlivepeer.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal FLV reader (FLV v10 header, tag headers, AVC and AAC packets) that turns a clip into what the
 * RTMP layer hands a {@link Segmenter}: sequence headers and {@link EsFrame}s, in file order.
 */
final class SegmenterFlvFixture {
  sealed interface Event permits VideoConfig, AudioConfig, Frame {}

  record VideoConfig(byte[] record) implements Event {}

  record AudioConfig(byte[] asc) implements Event {}

  record Frame(EsFrame frame) implements Event {}

  private SegmenterFlvFixture() {}

  static List<Event> read(Path flv) {
    try {
      return parse(Files.readAllBytes(flv));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + flv, e);
    }
  }

  static List<Event> parse(byte[] b) {
    if (b.length < 13 || b[0] != 'F' || b[1] != 'L' || b[2] != 'V') {
      throw new AssertionError("not an FLV file");
    }
    int p = (int) u32(b, 5) + 4; // data offset, then PreviousTagSize0
    List<Event> events = new ArrayList<>();
    while (p + 11 <= b.length) {
      int type = b[p] & 0x1F;
      int size = u24(b, p + 1);
      long timestamp = u24(b, p + 4) | ((b[p + 7] & 0xFFL) << 24);
      int data = p + 11;
      if (data + size > b.length) {
        break; // truncated last tag
      }
      byte[] body = Arrays.copyOfRange(b, data, data + size);
      if (type == 9 && size >= 5) {
        video(body, timestamp, events);
      } else if (type == 8 && size >= 2) {
        audio(body, timestamp, events);
      }
      p = data + size + 4;
    }
    return events;
  }

  private static void video(byte[] body, long timestamp, List<Event> events) {
    int frameType = (body[0] >> 4) & 0xF;
    int codec = body[0] & 0xF;
    if (codec != 7) {
      throw new AssertionError("video codec " + codec + " is not AVC");
    }
    int packetType = body[1] & 0xFF;
    int cts = (body[2] << 16) | ((body[3] & 0xFF) << 8) | (body[4] & 0xFF); // signed 24-bit
    byte[] payload = Arrays.copyOfRange(body, 5, body.length);
    if (packetType == 0) {
      events.add(new VideoConfig(payload));
    } else if (packetType == 1) {
      events.add(new Frame(new EsFrame(EsFrame.Kind.VIDEO, timestamp, cts, frameType == 1, payload)));
    }
  }

  private static void audio(byte[] body, long timestamp, List<Event> events) {
    int format = (body[0] >> 4) & 0xF;
    if (format != 10) {
      throw new AssertionError("audio format " + format + " is not AAC");
    }
    byte[] payload = Arrays.copyOfRange(body, 2, body.length);
    if (body[1] == 0) {
      events.add(new AudioConfig(payload));
    } else {
      events.add(new Frame(new EsFrame(EsFrame.Kind.AUDIO, timestamp, 0, true, payload)));
    }
  }

  /** Feeds the events to a segmenter, shifting timestamps (to model long-running or jumping publishers). */
  static void feed(List<Event> events, Segmenter segmenter, long timestampShift) {
    for (Event e : events) {
      switch (e) {
        case VideoConfig v -> segmenter.onVideoConfig(v.record());
        case AudioConfig a -> segmenter.onAudioConfig(a.asc());
        case Frame f -> {
          EsFrame x = f.frame();
          segmenter.onFrame(new EsFrame(x.kind(), x.dtsMillis() + timestampShift, x.compositionOffsetMillis(),
              x.keyframe(), x.payload().clone()));
        }
      }
    }
  }

  private static int u24(byte[] b, int p) {
    return ((b[p] & 0xFF) << 16) | ((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF);
  }

  private static long u32(byte[] b, int p) {
    return ((long) u24(b, p) << 8) | (b[p + 3] & 0xFF);
  }
}
