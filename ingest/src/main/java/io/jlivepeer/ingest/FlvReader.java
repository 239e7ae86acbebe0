package io.jlivepeer.ingest;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the tags of an FLV file (Adobe FLV specification v10.1, annex E): the 9-byte header, then tags, each
 * followed by its back-pointer. The tag bodies are exactly what RTMP audio, video and data messages carry.
 */
public final class FlvReader implements Closeable {
  /** Largest body a tag header can declare (24-bit field). */
  private static final int MAX_TAG_SIZE = 0xFFFFFF;

  /**
   * One FLV tag.
   *
   * @param type {@link #AUDIO}, {@link #VIDEO} or {@link #SCRIPT}
   * @param timestampMillis decode time in ms (24 bits plus the 8-bit extension)
   * @param body the tag body, beginning with the audio/video tag header
   */
  public record Tag(int type, long timestampMillis, byte[] body) {
    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    public static final int SCRIPT = 18;

    /** An AVC or AAC sequence header (codec config), as opposed to a frame. */
    public boolean isSequenceHeader() {
      return body.length >= 2 && body[1] == 0
          && ((type == VIDEO && (body[0] & 0x0F) == FlvTagParser.CODEC_AVC)
              || (type == AUDIO && ((body[0] & 0xF0) >>> 4) == FlvTagParser.SOUND_FORMAT_AAC));
    }
  }

  private final DataInputStream in;
  private boolean headerRead;

  public FlvReader(InputStream in) {
    this.in = new DataInputStream(new BufferedInputStream(in));
  }

  /** All tags of an FLV file, in file order. */
  public static List<Tag> readAll(Path file) {
    try (FlvReader reader = new FlvReader(Files.newInputStream(file))) {
      List<Tag> tags = new ArrayList<>();
      for (Optional<Tag> t = reader.next(); t.isPresent(); t = reader.next()) {
        tags.add(t.get());
      }
      return tags;
    } catch (IOException e) {
      throw new IngestException("could not read FLV file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The next tag, or empty at the end of the file. */
  public Optional<Tag> next() {
    try {
      if (!headerRead) {
        readHeader();
      }
      int type = in.read();
      if (type < 0) {
        return Optional.empty();
      }
      int size = readUnsigned24();
      long time = readUnsigned24() | (long) in.readUnsignedByte() << 24;
      readUnsigned24(); // stream id, always 0
      if (size > MAX_TAG_SIZE) {
        throw new IngestException("FLV tag of " + size + " bytes is larger than the format allows");
      }
      byte[] body = new byte[size];
      in.readFully(body);
      in.readInt(); // back-pointer to this tag's start
      return Optional.of(new Tag(type & 0x1F, time, body));
    } catch (EOFException e) {
      throw new IngestException("FLV file ends in the middle of a tag", e);
    } catch (IOException e) {
      throw new IngestException("could not read FLV: " + e.getMessage(), e);
    }
  }

  private void readHeader() throws IOException {
    byte[] signature = new byte[3];
    in.readFully(signature);
    if (signature[0] != 'F' || signature[1] != 'L' || signature[2] != 'V') {
      throw new IngestException("not an FLV file (no 'FLV' signature)");
    }
    in.readUnsignedByte(); // version
    in.readUnsignedByte(); // audio/video presence flags
    long offset = in.readInt() & 0xFFFFFFFFL;
    if (offset < 9) {
      throw new IngestException("FLV header claims a data offset of " + offset);
    }
    in.skipNBytes(offset - 9);
    in.readInt(); // PreviousTagSize0
    headerRead = true;
  }

  private int readUnsigned24() throws IOException {
    return in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
