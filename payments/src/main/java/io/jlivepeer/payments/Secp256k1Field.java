package io.jlivepeer.payments;

import java.math.BigInteger;

/**
 * Arithmetic modulo the secp256k1 field prime p = 2^256 - 2^32 - 977 on four little-endian 64-bit limbs. Values
 * are kept below 2^256 but not always below p (p is within 2^33 of 2^256, so reducing fully after every step would
 * only cost time); {@link #canonical} and {@link #isZero} give the exact residue where it matters. Variable time:
 * it only ever handles public values (signatures and public keys), never a private key.
 */
final class Secp256k1Field {
  /** 2^256 mod p: what a carry out of the top limb is worth. */
  static final long C = 0x1000003D1L;
  static final BigInteger P = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.valueOf(C));
  private static final long P0 = 0xFFFFFFFEFFFFFC2FL;

  private Secp256k1Field() {}

  /** 1 when a < b as unsigned 64-bit numbers: the carry of the addition that produced a from b. */
  private static long lt(long a, long b) {
    return Long.compareUnsigned(a, b) < 0 ? 1L : 0L;
  }

  /** r = a * b mod p; r may be a or b. Column sums with separate carry counts, so that the work overlaps. */
  static void mul(long[] r, long[] a, long[] b) {
    long a0 = a[0];
    long a1 = a[1];
    long a2 = a[2];
    long a3 = a[3];
    long b0 = b[0];
    long b1 = b[1];
    long b2 = b[2];
    long b3 = b[3];
    long l00 = a0 * b0;
    long h00 = Math.unsignedMultiplyHigh(a0, b0);
    long l01 = a0 * b1;
    long h01 = Math.unsignedMultiplyHigh(a0, b1);
    long l02 = a0 * b2;
    long h02 = Math.unsignedMultiplyHigh(a0, b2);
    long l03 = a0 * b3;
    long h03 = Math.unsignedMultiplyHigh(a0, b3);
    long l10 = a1 * b0;
    long h10 = Math.unsignedMultiplyHigh(a1, b0);
    long l11 = a1 * b1;
    long h11 = Math.unsignedMultiplyHigh(a1, b1);
    long l12 = a1 * b2;
    long h12 = Math.unsignedMultiplyHigh(a1, b2);
    long l13 = a1 * b3;
    long h13 = Math.unsignedMultiplyHigh(a1, b3);
    long l20 = a2 * b0;
    long h20 = Math.unsignedMultiplyHigh(a2, b0);
    long l21 = a2 * b1;
    long h21 = Math.unsignedMultiplyHigh(a2, b1);
    long l22 = a2 * b2;
    long h22 = Math.unsignedMultiplyHigh(a2, b2);
    long l23 = a2 * b3;
    long h23 = Math.unsignedMultiplyHigh(a2, b3);
    long l30 = a3 * b0;
    long h30 = Math.unsignedMultiplyHigh(a3, b0);
    long l31 = a3 * b1;
    long h31 = Math.unsignedMultiplyHigh(a3, b1);
    long l32 = a3 * b2;
    long h32 = Math.unsignedMultiplyHigh(a3, b2);
    long l33 = a3 * b3;
    long h33 = Math.unsignedMultiplyHigh(a3, b3);
    long s0 = l00;
    long s1 = h00;
    long c1 = 0;
    s1 += l01;
    c1 += lt(s1, l01);
    s1 += l10;
    c1 += lt(s1, l10);
    long s2 = h01;
    long c2 = 0;
    s2 += l02;
    c2 += lt(s2, l02);
    s2 += h10;
    c2 += lt(s2, h10);
    s2 += l11;
    c2 += lt(s2, l11);
    s2 += l20;
    c2 += lt(s2, l20);
    long s3 = h02;
    long c3 = 0;
    s3 += l03;
    c3 += lt(s3, l03);
    s3 += h11;
    c3 += lt(s3, h11);
    s3 += l12;
    c3 += lt(s3, l12);
    s3 += h20;
    c3 += lt(s3, h20);
    s3 += l21;
    c3 += lt(s3, l21);
    s3 += l30;
    c3 += lt(s3, l30);
    long s4 = h03;
    long c4 = 0;
    s4 += h12;
    c4 += lt(s4, h12);
    s4 += l13;
    c4 += lt(s4, l13);
    s4 += h21;
    c4 += lt(s4, h21);
    s4 += l22;
    c4 += lt(s4, l22);
    s4 += h30;
    c4 += lt(s4, h30);
    s4 += l31;
    c4 += lt(s4, l31);
    long s5 = h13;
    long c5 = 0;
    s5 += h22;
    c5 += lt(s5, h22);
    s5 += l23;
    c5 += lt(s5, l23);
    s5 += h31;
    c5 += lt(s5, h31);
    s5 += l32;
    c5 += lt(s5, l32);
    long s6 = h23;
    long c6 = 0;
    s6 += h32;
    c6 += lt(s6, h32);
    s6 += l33;
    c6 += lt(s6, l33);
    long s7 = h33;
    long t0 = s0;
    long t1 = s1;
    long cc = c1;
    long t2 = s2 + cc;
    cc = c2 + lt(t2, cc);
    long t3 = s3 + cc;
    cc = c3 + lt(t3, cc);
    long t4 = s4 + cc;
    cc = c4 + lt(t4, cc);
    long t5 = s5 + cc;
    cc = c5 + lt(t5, cc);
    long t6 = s6 + cc;
    cc = c6 + lt(t6, cc);
    long t7 = s7 + cc;

    reduce(r, t0, t1, t2, t3, t4, t5, t6, t7);
  }

  /** r = a^2 mod p: the six cross products are computed once and doubled. */
  static void sqr(long[] r, long[] a) {
    long a0 = a[0];
    long a1 = a[1];
    long a2 = a[2];
    long a3 = a[3];
    long lo;
    long hi;
    long c;
    // cross products a_i * a_j, i < j, into t1..t6
    lo = a0 * a1;
    hi = Math.unsignedMultiplyHigh(a0, a1);
    long t1 = lo;
    c = hi;
    lo = a0 * a2;
    hi = Math.unsignedMultiplyHigh(a0, a2);
    lo += c;
    hi += lt(lo, c);
    long t2 = lo;
    c = hi;
    lo = a0 * a3;
    hi = Math.unsignedMultiplyHigh(a0, a3);
    lo += c;
    hi += lt(lo, c);
    long t3 = lo;
    c = hi;
    long t4 = c;
    lo = a1 * a2;
    hi = Math.unsignedMultiplyHigh(a1, a2);
    lo += t3;
    hi += lt(lo, t3);
    t3 = lo;
    c = hi;
    lo = a1 * a3;
    hi = Math.unsignedMultiplyHigh(a1, a3);
    lo += t4;
    hi += lt(lo, t4);
    lo += c;
    hi += lt(lo, c);
    t4 = lo;
    c = hi;
    long t5 = c;
    lo = a2 * a3;
    hi = Math.unsignedMultiplyHigh(a2, a3);
    lo += t5;
    hi += lt(lo, t5);
    t5 = lo;
    long t6 = hi;
    // double them
    long t7 = t6 >>> 63;
    t6 = (t6 << 1) | (t5 >>> 63);
    t5 = (t5 << 1) | (t4 >>> 63);
    t4 = (t4 << 1) | (t3 >>> 63);
    t3 = (t3 << 1) | (t2 >>> 63);
    t2 = (t2 << 1) | (t1 >>> 63);
    t1 = t1 << 1;
    // add the squares a_i^2 at 2i
    long t0 = a0 * a0;
    hi = Math.unsignedMultiplyHigh(a0, a0);
    t1 += hi;
    c = lt(t1, hi);
    lo = a1 * a1;
    hi = Math.unsignedMultiplyHigh(a1, a1);
    t2 += c;
    c = lt(t2, c);
    t2 += lo;
    c += lt(t2, lo);
    t3 += c;
    c = lt(t3, c);
    t3 += hi;
    c += lt(t3, hi);
    lo = a2 * a2;
    hi = Math.unsignedMultiplyHigh(a2, a2);
    t4 += c;
    c = lt(t4, c);
    t4 += lo;
    c += lt(t4, lo);
    t5 += c;
    c = lt(t5, c);
    t5 += hi;
    c += lt(t5, hi);
    lo = a3 * a3;
    hi = Math.unsignedMultiplyHigh(a3, a3);
    t6 += c;
    c = lt(t6, c);
    t6 += lo;
    c += lt(t6, lo);
    t7 += c + hi; // the square is below 2^512: no carry out of t7
    reduce(r, t0, t1, t2, t3, t4, t5, t6, t7);
  }

  /** r = (t0..t7) mod p, below 2^256: folds the high half in twice with 2^256 = C (mod p). */
  private static void reduce(long[] r, long t0, long t1, long t2, long t3, long t4, long t5, long t6, long t7) {
    // t_lo + C t_hi, column by column so that the four products and sums can overlap
    long l0 = t4 * C;
    long h0 = Math.unsignedMultiplyHigh(t4, C);
    long l1 = t5 * C;
    long h1 = Math.unsignedMultiplyHigh(t5, C);
    long l2 = t6 * C;
    long h2 = Math.unsignedMultiplyHigh(t6, C);
    long l3 = t7 * C;
    long h3 = Math.unsignedMultiplyHigh(t7, C);
    long r0 = t0 + l0;
    long c0 = lt(r0, l0);
    long r1 = t1 + l1;
    long c1 = lt(r1, l1);
    r1 += h0;
    c1 += lt(r1, h0);
    long r2 = t2 + l2;
    long c2 = lt(r2, l2);
    r2 += h1;
    c2 += lt(r2, h1);
    long r3 = t3 + l3;
    long c3 = lt(r3, l3);
    r3 += h2;
    c3 += lt(r3, h2);
    r1 += c0;
    c1 += lt(r1, c0);
    r2 += c1;
    c2 = lt(r2, c1) + c2;
    r3 += c2;
    c3 = lt(r3, c2) + c3;
    long top = h3 + c3; // < 2^34
    // fold the top in: top C < 2^67
    long lo = top * C;
    long hi = Math.unsignedMultiplyHigh(top, C);
    r0 += lo;
    long c = hi + lt(r0, lo);
    r1 += c;
    c = lt(r1, c);
    r2 += c;
    c = lt(r2, c);
    r3 += c;
    c = lt(r3, c);
    // a carry here leaves r tiny, so adding its worth once more cannot carry again
    lo = c * C;
    r0 += lo;
    c = lt(r0, lo);
    r1 += c;
    c = lt(r1, c);
    r2 += c;
    c = lt(r2, c);
    r3 += c;
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
  }

  /** r = a + b mod p. */
  static void add(long[] r, long[] a, long[] b) {
    long r0 = a[0] + b[0];
    long c = lt(r0, b[0]);
    long r1 = a[1] + c;
    long k = lt(r1, c);
    r1 += b[1];
    c = k + lt(r1, b[1]);
    long r2 = a[2] + c;
    k = lt(r2, c);
    r2 += b[2];
    c = k + lt(r2, b[2]);
    long r3 = a[3] + c;
    k = lt(r3, c);
    r3 += b[3];
    c = k + lt(r3, b[3]);
    // fold the carry in without a branch (carries are random: a branch on them mispredicts half the time); a
    // second carry needs a sum within C of 2^257, which is rare enough for a branch
    long m = C & -c;
    r0 += m;
    c = lt(r0, m);
    r1 += c;
    c = lt(r1, c);
    r2 += c;
    c = lt(r2, c);
    r3 += c;
    c = lt(r3, c);
    if (c != 0) {
      r0 += C;
      c = lt(r0, C);
      r1 += c;
      c = lt(r1, c);
      r2 += c;
      c = lt(r2, c);
      r3 += c;
    }
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
  }

  /** r = a - b mod p. */
  static void sub(long[] r, long[] a, long[] b) {
    long a0 = a[0];
    long r0 = a0 - b[0];
    long w = lt(a0, b[0]);
    long a1 = a[1];
    long r1 = a1 - b[1];
    long w1 = lt(a1, b[1]);
    w1 += lt(r1, w);
    r1 -= w;
    long a2 = a[2];
    long r2 = a2 - b[2];
    long w2 = lt(a2, b[2]);
    w2 += lt(r2, w1);
    r2 -= w1;
    long a3 = a[3];
    long r3 = a3 - b[3];
    long w3 = lt(a3, b[3]);
    w3 += lt(r3, w2);
    r3 -= w2;
    // a borrow means we hold a - b + 2^256; subtract C (without a branch: borrows are random) to get a - b + p,
    // and once more in the rare case (b above p) that this borrows again
    long m = C & -w3;
    long x = r0;
    r0 -= m;
    long bw = lt(x, m);
    x = r1;
    r1 -= bw;
    bw = lt(x, bw);
    x = r2;
    r2 -= bw;
    bw = lt(x, bw);
    x = r3;
    r3 -= bw;
    bw = lt(x, bw);
    if (bw != 0) {
      x = r0;
      r0 -= C;
      bw = lt(x, C);
      x = r1;
      r1 -= bw;
      bw = lt(x, bw);
      x = r2;
      r2 -= bw;
      bw = lt(x, bw);
      r3 -= bw;
    }
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
  }

  /** r = the residue of a in [0, p). */
  static void canonical(long[] r, long[] a) {
    // a >= p exactly when a + C carries out of 2^256, and then a - p = a + C - 2^256
    long r0 = a[0] + C;
    long c = lt(r0, C);
    long r1 = a[1] + c;
    c = lt(r1, c);
    long r2 = a[2] + c;
    c = lt(r2, c);
    long r3 = a[3] + c;
    c = lt(r3, c);
    if (c != 0) {
      r[0] = r0;
      r[1] = r1;
      r[2] = r2;
      r[3] = r3;
    } else if (r != a) {
      System.arraycopy(a, 0, r, 0, 4);
    }
  }

  /** Whether a = 0 mod p (0 or p itself). */
  static boolean isZero(long[] a) {
    if ((a[0] | a[1] | a[2] | a[3]) == 0) {
      return true;
    }
    return a[0] == P0 && a[1] == -1L && a[2] == -1L && a[3] == -1L;
  }

  static void set(long[] r, long[] a) {
    System.arraycopy(a, 0, r, 0, 4);
  }

  private static final ModInverse P_INVERSE = new ModInverse(new long[] {P0, -1L, -1L, -1L});

  /** r = a^-1 mod p, a not 0 mod p. */
  static void inv(long[] r, long[] a) {
    long[] c = new long[4];
    canonical(c, a);
    P_INVERSE.invert(r, c);
  }

  /**
   * r = a^-1 mod m for an odd modulus m and 0 < a < m with gcd(a, m) = 1 (m prime here), by divsteps
   * ({@link ModInverse}; prefer keeping a ModInverse for a modulus used often). Variable time.
   */
  static void invMod(long[] r, long[] a, long[] m) {
    new ModInverse(m).invert(r, a);
  }

  /** 32 big-endian bytes at offset, as a field element (the caller makes sure the value is below p). */
  static void fromBytes(long[] r, byte[] b, int offset) {
    for (int limb = 0; limb < 4; limb++) {
      long v = 0;
      int from = offset + 24 - 8 * limb;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[from + i] & 0xff);
      }
      r[limb] = v;
    }
  }

  static void toBytes(long[] a, byte[] out, int offset) {
    for (int limb = 0; limb < 4; limb++) {
      long v = a[limb];
      int to = offset + 24 - 8 * limb;
      for (int i = 7; i >= 0; i--) {
        out[to + i] = (byte) v;
        v >>>= 8;
      }
    }
  }

  static BigInteger toBigInteger(long[] a) {
    byte[] b = new byte[33];
    toBytes(a, b, 1);
    return new BigInteger(b);
  }

  /** v in [0, 2^256). */
  static void fromBigInteger(long[] r, BigInteger v) {
    byte[] b = new byte[32];
    Ticket.putUint(b, 0, v);
    fromBytes(r, b, 0);
  }
}
