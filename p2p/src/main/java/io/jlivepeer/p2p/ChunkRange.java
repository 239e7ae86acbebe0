package io.jlivepeer.p2p;

/**
 * A chunk specification in the 32-bit chunk ranges addressing method (RFC 7574 section 4.3): the inclusive range
 * {@code [start, end]} of chunk indices, two unsigned 32-bit integers on the wire. This profile keeps indices below
 * 2^31 (a 1 KiB chunk stream would need 2 TiB to get there), so they fit a Java int.
 */
public record ChunkRange(int start, int end) {
  public ChunkRange {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad chunk range [" + start + ", " + end + "]");
    }
  }

  public static ChunkRange of(int chunk) {
    return new ChunkRange(chunk, chunk);
  }

  public int count() {
    return end - start + 1;
  }

  public boolean contains(int chunk) {
    return chunk >= start && chunk <= end;
  }

  @Override
  public String toString() {
    return start == end ? "[" + start + "]" : "[" + start + ".." + end + "]";
  }
}
