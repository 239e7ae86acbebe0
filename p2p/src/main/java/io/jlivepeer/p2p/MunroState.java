package io.jlivepeer.p2p;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;

/**
 * What a node holds of one munro: once its signed root is accepted, the verified node hashes and the verified
 * chunks. A chunk is used (stored, announced, re-served, assembled) only after {@link #verify} checked it
 * against the signed root; hashes learnt from a channel stay that channel's candidates until a chunk proves them.
 * Confined to the engine thread.
 */
final class MunroState {
  /** Outcome of checking one DATA message. */
  enum Verdict {
    /** Checked against the signed root and stored. */
    OK,
    /** Already held: nothing to do (a duplicate delivery). */
    DUPLICATE,
    /** The sender did not send the hashes needed to check it (yet): dropped, asked again later. */
    UNVERIFIABLE,
    /** The bytes do not hash to the signed root: the sender is lying. */
    FORGED
  }

  private final int start;
  private final byte[] root;
  private final long timestamp;
  private final byte[] signature;
  private final byte[][] nodes = new byte[2 * Merkle.MUNRO_CHUNKS][];
  private final byte[][] chunks = new byte[Merkle.MUNRO_CHUNKS][];
  private int held;

  private MunroState(int start, byte[] root, long timestamp, byte[] signature) {
    this.start = start;
    this.root = root.clone();
    this.timestamp = timestamp;
    this.signature = signature.clone();
    nodes[1] = this.root;
  }

  /** The injector's own munro: every hash and chunk known. */
  static MunroState injected(MunroTree tree, long timestamp, byte[] signature, java.util.List<byte[]> content) {
    MunroState s = new MunroState(tree.start(), tree.root(), timestamp, signature);
    for (int i = 1; i < s.nodes.length; i++) {
      s.nodes[i] = tree.node(i);
    }
    for (int i = 0; i < content.size(); i++) {
      s.chunks[i] = content.get(i);
    }
    s.held = content.size();
    return s;
  }

  /** A munro whose root a peer has just checked against the injector's signature. */
  static MunroState signed(int start, byte[] root, long timestamp, byte[] signature) {
    return new MunroState(start, root, timestamp, signature);
  }

  int start() {
    return start;
  }

  ChunkRange range() {
    return new ChunkRange(start, start + Merkle.MUNRO_CHUNKS - 1);
  }

  byte[] root() {
    return root.clone();
  }

  long timestamp() {
    return timestamp;
  }

  byte[] signature() {
    return signature.clone();
  }

  boolean has(int chunk) {
    return chunks[chunk - start] != null;
  }

  /** The chunk's bytes; only for a chunk {@link #has held}. */
  byte[] chunk(int chunk) {
    return chunks[chunk - start];
  }

  /** A verified node hash (every node on a held chunk's path and its uncles are). */
  byte[] node(int index) {
    return nodes[index];
  }

  int held() {
    return held;
  }

  /**
   * Checks {@code data} as chunk {@code chunk} with the verified hashes and the sender's {@code candidates} (heap
   * index to hash, this munro only); on success stores it and promotes the hashes it proved.
   */
  Verdict verify(MessageDigest md, int chunk, byte[] data, Map<Integer, byte[]> candidates) {
    if (has(chunk)) {
      return Verdict.DUPLICATE;
    }
    int[] uncles = MunroTree.uncles(start, chunk);
    byte[][] path = new byte[Merkle.LEVELS + 1][];
    byte[][] siblings = new byte[Merkle.LEVELS][];
    int i = Merkle.MUNRO_CHUNKS + (chunk - start);
    path[0] = Merkle.leaf(md, data);
    for (int level = 0; level < Merkle.LEVELS; level++) {
      int sibling = uncles[level];
      byte[] h = nodes[sibling] != null ? nodes[sibling] : candidates.get(sibling);
      if (h == null) {
        return Verdict.UNVERIFIABLE;
      }
      siblings[level] = h;
      boolean leftChild = (i & 1) == 0;
      path[level + 1] = leftChild ? Merkle.parent(md, path[level], h) : Merkle.parent(md, h, path[level]);
      i >>= 1;
    }
    if (!Arrays.equals(path[Merkle.LEVELS], root)) {
      return Verdict.FORGED;
    }
    i = Merkle.MUNRO_CHUNKS + (chunk - start);
    for (int level = 0; level < Merkle.LEVELS; level++) {
      nodes[i] = path[level];
      nodes[uncles[level]] = siblings[level];
      i >>= 1;
    }
    chunks[chunk - start] = data;
    held++;
    return Verdict.OK;
  }
}
