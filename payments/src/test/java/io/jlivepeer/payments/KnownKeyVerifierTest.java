package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KnownKeyVerifierTest {
  private static final BigInteger P = Secp256k1Field.P;
  private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);
  private static final Secp256k1 REFERENCE = new BouncyCastleSecp256k1();
  private final Random random = new Random(20261121);

  private BigInteger fieldOperand(int i) {
    // random values plus the awkward ones: just below 2^256, p and just above it, small values
    return switch (i % 9) {
      case 0 -> TWO_256.subtract(BigInteger.valueOf(random.nextInt(5000) + 1));
      case 1 -> P.add(BigInteger.valueOf(random.nextInt(3)));
      case 2 -> BigInteger.valueOf(random.nextInt(3));
      default -> new BigInteger(256, random);
    };
  }

  private static long[] limbs(BigInteger v) {
    long[] r = new long[4];
    Secp256k1Field.fromBigInteger(r, v);
    return r;
  }

  private static BigInteger value(long[] a) {
    BigInteger v = Secp256k1Field.toBigInteger(a);
    assertThat(v.bitLength()).isLessThanOrEqualTo(256);
    return v.mod(P);
  }

  @Test
  void fieldArithmeticAgreesWithBigInteger() {
    long[] r = new long[4];
    for (int i = 0; i < 20_000; i++) {
      BigInteger a = fieldOperand(i);
      BigInteger b = fieldOperand(i / 9 + i * 7);
      long[] x = limbs(a);
      long[] y = limbs(b);
      Secp256k1Field.mul(r, x, y);
      assertThat(value(r)).isEqualTo(a.multiply(b).mod(P));
      Secp256k1Field.sqr(r, x);
      assertThat(value(r)).isEqualTo(a.multiply(a).mod(P));
      Secp256k1Field.add(r, x, y);
      assertThat(value(r)).isEqualTo(a.add(b).mod(P));
      Secp256k1Field.sub(r, x, y);
      assertThat(value(r)).isEqualTo(a.subtract(b).mod(P));
      Secp256k1Field.canonical(r, x);
      assertThat(Secp256k1Field.toBigInteger(r)).isEqualTo(a.mod(P));
      assertThat(Secp256k1Field.isZero(x)).isEqualTo(a.mod(P).signum() == 0);
      if (a.mod(P).signum() != 0) {
        Secp256k1Field.inv(r, x);
        assertThat(value(r)).isEqualTo(a.mod(P).modInverse(P));
      }
    }
  }

  @Test
  void productsModuloTheGroupOrderAgreeWithBigInteger() {
    BigInteger n = KnownKeyVerifier.N;
    BigInteger max = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
    BigInteger[] edges = {BigInteger.ZERO, BigInteger.ONE, n.subtract(BigInteger.ONE), n, n.add(BigInteger.ONE), max};
    long[] r = new long[4];
    for (int i = 0; i < 20_000; i++) {
      // hashes reach up to 2^256 - 1, above n: the product is reduced whatever its size
      BigInteger a = i < 36 ? edges[i % 6] : new BigInteger(256, random);
      BigInteger b = i < 36 ? edges[i / 6] : i % 3 == 0 ? new BigInteger(256, random).mod(n) : new BigInteger(256, random);
      KnownKeyVerifier.mulModN(r, limbs(a), limbs(b));
      assertThat(Secp256k1Field.toBigInteger(r)).as("%s * %s mod n", a, b).isEqualTo(a.multiply(b).mod(n));
    }
  }

  @Test
  void inversionModuloTheGroupOrderAgreesWithBigInteger() {
    BigInteger n = KnownKeyVerifier.N;
    long[] r = new long[4];
    for (int i = 0; i < 2_000; i++) {
      // small values, powers of two (long runs of trailing zeros), random ones
      BigInteger a = i < 3 ? BigInteger.valueOf(i + 1)
          : i < 259 ? BigInteger.ONE.shiftLeft(i - 3) : new BigInteger(256, random).mod(n);
      if (a.signum() == 0) {
        continue;
      }
      Secp256k1Field.invMod(r, limbs(a), limbs(n));
      assertThat(Secp256k1Field.toBigInteger(r)).isEqualTo(a.modInverse(n));
    }
  }

  @Test
  void answersExactlyAsRecoveryDoesForGenuineAndTamperedSignatures() {
    for (int k = 0; k < 6; k++) {
      // keys 1 and 2 make the table sums meet equal and opposite points: the doubling and infinity cases
      EthKey key = k < 2 ? EthKey.fromHex("00".repeat(31) + "0" + (k + 1)) : EthKey.random(new java.security.SecureRandom());
      byte[] pub = REFERENCE.publicKey(key.privateKeyBytes());
      KnownKeyVerifier verifier = KnownKeyVerifier.forPublicKey(pub);
      for (int i = 0; i < 150; i++) {
        byte[] h = new byte[32];
        random.nextBytes(h);
        Signature sig = EthCrypto.sign(Bytes32.wrap(h), key, EthCrypto.backend());
        byte[] rs = Arrays.copyOf(sig.toBytes(), 64);
        int recid = sig.v() - 27;
        byte[] otherHash = h.clone();
        otherHash[7] ^= 4;
        byte[] junk = new byte[64];
        random.nextBytes(junk);
        junk[0] &= 0x7f;
        assertThat(verifier.recoversTo(h, rs, recid)).isTrue();
        assertAgreesWithRecovery(verifier, pub, h, rs, 1 - recid); // flipped v: the contract would recover another key
        assertAgreesWithRecovery(verifier, pub, otherHash, rs, recid);
        assertAgreesWithRecovery(verifier, pub, h, junk, recid);
      }
    }
  }

  private static void assertAgreesWithRecovery(KnownKeyVerifier verifier, byte[] pub, byte[] h, byte[] rs, int recid) {
    Optional<byte[]> recovered = REFERENCE.recover(h, rs, recid);
    boolean expected = recovered.isPresent() && Arrays.equals(recovered.get(), pub);
    assertThat(verifier.recoversTo(h, rs, recid)).isEqualTo(expected);
  }

  @Test
  void rejectsSignatureOfAnotherKeyAndOutOfRangeValues() {
    EthKey alice = EthKey.fromHex("11".repeat(32));
    EthKey mallory = EthKey.fromHex("22".repeat(32));
    KnownKeyVerifier forAlice = KnownKeyVerifier.forPublicKey(REFERENCE.publicKey(alice.privateKeyBytes()));
    byte[] h = new byte[32];
    h[0] = 9;
    Signature byMallory = EthCrypto.sign(Bytes32.wrap(h), mallory, REFERENCE);
    assertThat(forAlice.recoversTo(h, Arrays.copyOf(byMallory.toBytes(), 64), byMallory.v() - 27)).isFalse();
    Signature byAlice = EthCrypto.sign(Bytes32.wrap(h), alice, REFERENCE);
    byte[] rs = Arrays.copyOf(byAlice.toBytes(), 64);
    assertThat(forAlice.recoversTo(h, rs, 2)).isFalse();
    byte[] zeroS = rs.clone();
    Arrays.fill(zeroS, 32, 64, (byte) 0);
    assertThat(forAlice.recoversTo(h, zeroS, byAlice.v() - 27)).isFalse();
    byte[] bigR = rs.clone();
    Arrays.fill(bigR, 0, 32, (byte) 0xff);
    assertThat(forAlice.recoversTo(h, bigR, byAlice.v() - 27)).isFalse();
  }

  @Test
  void refusesBytesThatAreNotACurvePoint() {
    byte[] notOnCurve = new byte[64];
    notOnCurve[31] = 1;
    notOnCurve[63] = 1;
    assertThatThrownBy(() -> KnownKeyVerifier.forPublicKey(notOnCurve)).isInstanceOf(PaymentsException.class);
  }

  @Test
  void pointAdditionHandlesDoublingAndOppositePoints() {
    byte[] one = new byte[32];
    one[31] = 1;
    byte[] g = REFERENCE.publicKey(one);
    byte[] two = new byte[32];
    two[31] = 2;
    byte[] g2 = REFERENCE.publicKey(two);
    long[] gx = new long[4];
    long[] gy = new long[4];
    Secp256k1Field.fromBytes(gx, g, 0);
    Secp256k1Field.fromBytes(gy, g, 32);
    KnownKeyVerifier.Point p = new KnownKeyVerifier.Point();
    p.addAffine(gx, gy);
    p.addAffine(gx, gy); // G + G goes through the doubling branch
    long[] zInv = new long[4];
    Secp256k1Field.inv(zInv, p.z);
    long[] zInv2 = new long[4];
    Secp256k1Field.sqr(zInv2, zInv);
    long[] x = new long[4];
    Secp256k1Field.mul(x, p.x, zInv2);
    Secp256k1Field.canonical(x, x);
    byte[] xBytes = new byte[32];
    Secp256k1Field.toBytes(x, xBytes, 0);
    assertThat(xBytes).isEqualTo(Arrays.copyOf(g2, 32));
    long[] minusGy = new long[4];
    Secp256k1Field.sub(minusGy, new long[4], gy);
    KnownKeyVerifier.Point q = new KnownKeyVerifier.Point();
    q.addAffine(gx, gy);
    q.addAffine(gx, minusGy);
    assertThat(q.infinity).isTrue();
  }

  @Test
  void signedDigitsRebuildTheScalar() {
    for (int i = 0; i < 500; i++) {
      BigInteger u = i == 0 ? KnownKeyVerifier.N.subtract(BigInteger.ONE) : new BigInteger(256, random).mod(KnownKeyVerifier.N);
      int[] d = KnownKeyVerifier.digits(limbs(u));
      BigInteger sum = BigInteger.ZERO;
      for (int w = d.length - 1; w >= 0; w--) {
        sum = sum.shiftLeft(11).add(BigInteger.valueOf(d[w]));
        assertThat(d[w]).isBetween(-1023, 1024);
      }
      assertThat(sum).isEqualTo(u);
    }
  }
}
