package io.jlivepeer.p2p;

import java.security.MessageDigest;
import java.util.List;

/**
 * All hashes of one munro, built by whoever has its chunks: the injector (from the content) or a peer that has
 * verified it. {@link #uncles} are the INTEGRITY hashes a receiver needs to check one chunk against the signed root.
 */
final class MunroTree {
  private final int start;
  private final byte[][] nodes = new byte[2 * Merkle.MUNRO_CHUNKS][];

  /** {@code chunks}: the munro's chunks in order, at most {@link Merkle#MUNRO_CHUNKS}; the rest are empty. */
  MunroTree(int start, List<byte[]> chunks) {
    if (Math.floorMod(start, Merkle.MUNRO_CHUNKS) != 0 || chunks.size() > Merkle.MUNRO_CHUNKS) {
      throw new IllegalArgumentException("munro must start aligned and hold at most " + Merkle.MUNRO_CHUNKS + " chunks");
    }
    this.start = start;
    MessageDigest md = Merkle.sha256();
    for (int i = 0; i < Merkle.MUNRO_CHUNKS; i++) {
      nodes[Merkle.MUNRO_CHUNKS + i] = i < chunks.size() ? Merkle.leaf(md, chunks.get(i)) : Merkle.EMPTY;
    }
    for (int i = Merkle.MUNRO_CHUNKS - 1; i >= 1; i--) {
      byte[] l = nodes[2 * i];
      byte[] r = nodes[2 * i + 1];
      nodes[i] = l == Merkle.EMPTY && r == Merkle.EMPTY ? Merkle.EMPTY : Merkle.parent(md, l, r);
    }
  }

  int start() {
    return start;
  }

  ChunkRange range() {
    return new ChunkRange(start, start + Merkle.MUNRO_CHUNKS - 1);
  }

  byte[] root() {
    return nodes[1].clone();
  }

  byte[] node(int index) {
    return nodes[index].clone();
  }

  /** Heap indices of the siblings on {@code chunk}'s path to the root, leaf level first. */
  static int[] uncles(int start, int chunk) {
    int[] out = new int[Merkle.LEVELS];
    int i = Merkle.MUNRO_CHUNKS + (chunk - start);
    for (int level = 0; level < Merkle.LEVELS; level++) {
      out[level] = i ^ 1;
      i >>= 1;
    }
    return out;
  }
}
