package io.jlivepeer.media;

/**
 * Keccak-256 as Ethereum uses it (the original Keccak padding 0x01, not SHA3's 0x06), written here so that
 * {@code media} needs no crypto dependency just for the legacy 4-byte profile ids of shared/spec/media.md.
 */
final class Keccak256 {
  private static final int RATE_BYTES = 136;
  private static final byte KECCAK_SUFFIX = 0x01;
  /** SHA3-256 differs only in the domain suffix; tests use it to check the sponge against the JDK's SHA3. */
  static final byte SHA3_SUFFIX = 0x06;

  private static final long[] ROUND_CONSTANTS = {
    0x0000000000000001L, 0x0000000000008082L, 0x800000000000808AL, 0x8000000080008000L,
    0x000000000000808BL, 0x0000000080000001L, 0x8000000080008081L, 0x8000000000008009L,
    0x000000000000008AL, 0x0000000000000088L, 0x0000000080008009L, 0x000000008000000AL,
    0x000000008000808BL, 0x800000000000008BL, 0x8000000000008089L, 0x8000000000008003L,
    0x8000000000008002L, 0x8000000000000080L, 0x000000000000800AL, 0x800000008000000AL,
    0x8000000080008081L, 0x8000000000008080L, 0x0000000080000001L, 0x8000000080008008L
  };

  /** Rotation offsets of the rho step, indexed by lane x + 5y. */
  private static final int[] RHO = {
    0, 1, 62, 28, 27,
    36, 44, 6, 55, 20,
    3, 10, 43, 25, 39,
    41, 45, 15, 21, 8,
    18, 2, 61, 56, 14
  };

  private Keccak256() {}

  static byte[] hash(byte[] input) {
    return hash(input, KECCAK_SUFFIX);
  }

  static byte[] hash(byte[] input, byte suffix) {
    long[] state = new long[25];
    int offset = 0;
    while (input.length - offset >= RATE_BYTES) {
      absorb(state, input, offset);
      permute(state);
      offset += RATE_BYTES;
    }
    byte[] last = new byte[RATE_BYTES];
    int remaining = input.length - offset;
    System.arraycopy(input, offset, last, 0, remaining);
    last[remaining] ^= suffix;
    last[RATE_BYTES - 1] ^= (byte) 0x80;
    absorb(state, last, 0);
    permute(state);
    byte[] out = new byte[32];
    for (int i = 0; i < 32; i++) {
      out[i] = (byte) (state[i >>> 3] >>> (8 * (i & 7)));
    }
    return out;
  }

  private static void absorb(long[] state, byte[] block, int offset) {
    for (int lane = 0; lane < RATE_BYTES / 8; lane++) {
      long v = 0;
      for (int b = 7; b >= 0; b--) {
        v = (v << 8) | (block[offset + lane * 8 + b] & 0xFF);
      }
      state[lane] ^= v;
    }
  }

  private static void permute(long[] a) {
    long[] c = new long[5];
    long[] b = new long[25];
    for (long rc : ROUND_CONSTANTS) {
      for (int x = 0; x < 5; x++) {
        c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
      }
      for (int x = 0; x < 5; x++) {
        long d = c[(x + 4) % 5] ^ Long.rotateLeft(c[(x + 1) % 5], 1);
        for (int y = 0; y < 25; y += 5) {
          a[x + y] ^= d;
        }
      }
      for (int x = 0; x < 5; x++) {
        for (int y = 0; y < 5; y++) {
          b[y + 5 * ((2 * x + 3 * y) % 5)] = Long.rotateLeft(a[x + 5 * y], RHO[x + 5 * y]);
        }
      }
      for (int y = 0; y < 25; y += 5) {
        for (int x = 0; x < 5; x++) {
          a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]);
        }
      }
      a[0] ^= rc;
    }
  }
}
