package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.junit.jupiter.api.Test;

class KeccakTest {
  private static byte[] bouncyCastle(byte[] input) {
    KeccakDigest d = new KeccakDigest(256);
    d.update(input, 0, input.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  @Test
  void matchesBouncyCastleForEveryLengthAroundTheRate() {
    Random random = new Random(7);
    for (int len = 0; len <= 420; len++) {
      byte[] input = new byte[len];
      random.nextBytes(input);
      int cut = len == 0 ? 0 : random.nextInt(len + 1);
      byte[] whole = Keccak.hash(input);
      assertThat(whole).as("length %d", len).isEqualTo(bouncyCastle(input));
      assertThat(Keccak.hash(Arrays.copyOf(input, cut), Arrays.copyOfRange(input, cut, len))).isEqualTo(whole);
    }
  }

  @Test
  void knownAnswers() {
    assertThat(HexFormat.of().formatHex(Keccak.hash(new byte[0])))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    assertThat(HexFormat.of().formatHex(Keccak.hash("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII))))
        .isEqualTo("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    byte[] jlivepeer = HexFormat.of().parseHex("c5dfdee7ec6e018becf4afd78a78d46e2d9f4c65b0f5bd09cb3f84d8cfe41ca2");
    assertThat(Keccak.hash("jlivepeer".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(jlivepeer);
    assertThat(Keccak.hash("jli".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        "vepeer".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(jlivepeer);
  }
}
