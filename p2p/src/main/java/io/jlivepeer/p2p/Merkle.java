package io.jlivepeer.p2p;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Unified Merkle Tree of RFC 7574 section 5 over SHA-256, cut into munros for live streaming (section 6.1):
 * each munro is a complete binary subtree over {@link #MUNRO_CHUNKS} consecutive chunks aligned on a multiple of
 * that count. A leaf is SHA-256 of the chunk's bytes (the last chunk of a segment may be shorter); an inner node is
 * SHA-256 of its two children's hashes; a node with no content below it hashes to 32 zero bytes (section 5.2).
 *
 * <p>Nodes of one munro are addressed by heap index: 1 is the munro root, {@code 2i} and {@code 2i+1} are the
 * children of {@code i}, leaves are {@code MUNRO_CHUNKS + k}. On the wire a node is the chunk range it spans.
 */
final class Merkle {
  /** Chunks per munro (a power of two): 64 KiB of content per signature, 6 uncle hashes per chunk at most. */
  static final int MUNRO_CHUNKS = 64;
  static final int LEVELS = Integer.numberOfTrailingZeros(MUNRO_CHUNKS);
  static final byte[] EMPTY = new byte[DatagramCodec.HASH_BYTES];

  private Merkle() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  static byte[] leaf(MessageDigest md, byte[] chunk) {
    md.reset();
    return md.digest(chunk);
  }

  static byte[] parent(MessageDigest md, byte[] left, byte[] right) {
    md.reset();
    md.update(left);
    md.update(right);
    return md.digest();
  }

  static int munroStart(int chunk) {
    return chunk - Math.floorMod(chunk, MUNRO_CHUNKS);
  }

  static ChunkRange munroRange(int chunk) {
    int start = munroStart(chunk);
    return new ChunkRange(start, start + MUNRO_CHUNKS - 1);
  }

  /** The chunk range that heap node {@code index} of the munro starting at {@code munroStart} spans. */
  static ChunkRange rangeOf(int munroStart, int index) {
    int depth = 31 - Integer.numberOfLeadingZeros(index);
    int width = MUNRO_CHUNKS >> depth;
    int start = munroStart + (index - (1 << depth)) * width;
    return new ChunkRange(start, start + width - 1);
  }

  /** The heap index of {@code range} in its munro, or -1 when it is no node of one (unaligned or too wide). */
  static int indexOf(ChunkRange range) {
    int width = range.count();
    if (Integer.bitCount(width) != 1 || width > MUNRO_CHUNKS || range.start() % width != 0) {
      return -1;
    }
    int depth = LEVELS - Integer.numberOfTrailingZeros(width);
    return (1 << depth) + (range.start() - munroStart(range.start())) / width;
  }

  /** The 48 bytes the injector signs for a munro: its chunk range, the timestamp and the root hash. */
  static byte[] signedBytes(ChunkRange munro, long timestamp, byte[] root) {
    return java.nio.ByteBuffer.allocate(16 + root.length).putInt(munro.start()).putInt(munro.end())
        .putLong(timestamp).put(root).array();
  }
}
