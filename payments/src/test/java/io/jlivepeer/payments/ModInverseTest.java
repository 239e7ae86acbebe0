package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModInverseTest {
  private final Random random = new Random(14);

  private static long[] limbs(BigInteger v) {
    long[] r = new long[4];
    Secp256k1Field.fromBigInteger(r, v);
    return r;
  }

  @Test
  void agreesWithBigIntegerForTheCurveModuliAtTheirEdges() {
    for (BigInteger m : new BigInteger[] {Secp256k1Field.P, KnownKeyVerifier.N}) {
      ModInverse inverse = new ModInverse(limbs(m));
      long[] r = new long[4];
      BigInteger[] edges = {BigInteger.ONE, BigInteger.TWO, m.subtract(BigInteger.ONE), m.subtract(BigInteger.TWO),
          m.shiftRight(1), m.shiftRight(1).add(BigInteger.ONE), BigInteger.ONE.shiftLeft(255),
          BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE)};
      for (BigInteger a : edges) {
        inverse.invert(r, limbs(a));
        assertThat(Secp256k1Field.toBigInteger(r)).as("%s^-1 mod %s", a, m).isEqualTo(a.modInverse(m));
      }
    }
  }

  @Test
  void agreesWithBigIntegerForRandomOddModuliAndValues() {
    long[] r = new long[4];
    for (int i = 0; i < 5_000; i++) {
      // full-width odd moduli, and short ones (a long run of zero limbs at the top)
      int bits = i % 10 == 0 ? 1 + random.nextInt(256) : 256;
      BigInteger m = new BigInteger(bits, random).setBit(0);
      if (m.equals(BigInteger.ONE)) {
        continue;
      }
      BigInteger a = new BigInteger(256, random).mod(m);
      if (a.signum() == 0 || !a.gcd(m).equals(BigInteger.ONE)) {
        continue;
      }
      new ModInverse(limbs(m)).invert(r, limbs(a));
      assertThat(Secp256k1Field.toBigInteger(r)).as("%s^-1 mod %s", a, m).isEqualTo(a.modInverse(m));
    }
  }

  @Test
  void refusesValuesWithoutAnInverse() {
    ModInverse inverse = new ModInverse(limbs(BigInteger.valueOf(15)));
    assertThatThrownBy(() -> inverse.invert(new long[4], limbs(BigInteger.valueOf(6))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not invertible");
    assertThatThrownBy(() -> inverse.invert(new long[4], new long[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not invertible");
    assertThatThrownBy(() -> new ModInverse(limbs(BigInteger.TWO))).isInstanceOf(IllegalArgumentException.class);
  }
}
