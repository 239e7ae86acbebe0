package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.junit.jupiter.api.Test;

class KeccakIncrementalTest {
  private static byte[] reference(byte[] data) {
    KeccakDigest d = new KeccakDigest(256);
    d.update(data, 0, data.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  @Test
  void hashesKnownAnswers() {
    assertThat(HexFormat.of().formatHex(Keccak.hash(new byte[0])))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    assertThat(HexFormat.of().formatHex(Keccak.hash("abc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  }

  @Test
  void matchesBouncyCastleAroundBlockBoundariesAndInAnyChunking() {
    Random random = new Random(7);
    for (int len : new int[] {1, 135, 136, 137, 271, 272, 273, 1000, 65_537}) {
      byte[] data = new byte[len];
      random.nextBytes(data);
      byte[] expected = reference(data);
      assertThat(Keccak.hash(data)).as("one piece, %d bytes", len).isEqualTo(expected);
      Keccak.Hasher h = Keccak.incremental();
      int off = 0;
      while (off < len) {
        int n = Math.min(len - off, 1 + random.nextInt(300));
        h.update(data, off, n);
        off += n;
      }
      assertThat(h.digest()).as("chunked, %d bytes", len).isEqualTo(expected);
    }
    byte[] a = {1, 2, 3};
    byte[] b = {4, 5};
    assertThat(Keccak.hash(a, b)).isEqualTo(reference(new byte[] {1, 2, 3, 4, 5}));
  }

  @Test
  void refusesToDigestTwice() {
    Keccak.Hasher h = Keccak.incremental();
    h.digest();
    assertThatThrownBy(h::digest).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void matchesBouncyCastleOnASegmentSizedInput() {
    // its speed is reported by NetworkOverheadBench (docs/benchmarks.md), not timed here
    byte[] segment = new byte[1_100_000];
    new Random(1).nextBytes(segment);
    assertThat(Keccak.hash(segment)).isEqualTo(reference(segment));
  }
}
