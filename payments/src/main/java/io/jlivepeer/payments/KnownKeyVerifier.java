package io.jlivepeer.payments;

import java.math.BigInteger;

/**
 * Checks that a signature recovers to one particular, already known public key Q, faster than libsecp256k1's
 * recovery, by keeping a large precomputed table of multiples of Q (and of the generator G).
 *
 * <p>Recovery of (e, r, s, recid) gives Q exactly when the point R with x = r and y parity = recid satisfies
 * sR - eG = rQ, i.e. R = u1 G + u2 Q with u1 = e/s and u2 = r/s (mod n). So this computes R' = u1 G + u2 Q and
 * accepts when R' is not infinity, its affine x equals r and the parity of its y equals recid: the same answer as
 * recover-then-compare, v included, which plain ECDSA verification (x(R') = r mod n) would not give.
 *
 * <p>Why it is faster: a scalar multiple is read from the tables as a sum of precomputed points, one per signed
 * digit of the scalar (T_w[j] = j 2^(kw) P): 24 for the 11-bit digits of a sender's key, 20 for the 13-bit digits
 * of the shared generator table, so u1 G + u2 Q costs 44 mixed additions and no doublings, where a generic
 * multiplication needs about 128 doublings on top. A sender's table takes 24 x 1024 affine points (1.5 MB) and
 * some 30 ms to build, which pays off after a few hundred signatures of the same sender.
 *
 * <p>Variable time, which is fine: everything it touches is public (signatures, hashes, public keys).
 */
final class KnownKeyVerifier {
  static final BigInteger N =
      new BigInteger("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16);
  private static final ModInverse N_INVERSE = new ModInverse(limbs(N.toString(16)));
  /** Bits per signed digit: 11 gives 24 additions per scalar for 1.5 MB per table (12: 22 and 2.9 MB). */
  private static final int WINDOW_BITS = 11;
  private static final int WINDOWS = windows(WINDOW_BITS);
  private static final int ENTRIES = entries(WINDOW_BITS);
  /**
   * The generator's table is one for the whole process, so it affords wider digits: 13 bits give 20 additions
   * per scalar instead of 24 (about 2.5 us less per signature) for 5.2 MB instead of 1.5 MB, built once (~0.1 s).
   */
  private static final int G_WINDOW_BITS = 13;
  private static final int G_WINDOWS = windows(G_WINDOW_BITS);
  private static final int G_ENTRIES = entries(G_WINDOW_BITS);
  private static final int STRIDE = 8; // x (4 limbs) then y (4 limbs)
  /** Bytes of memory one table takes, for the cache bound. */
  static final int TABLE_BYTES = WINDOWS * ENTRIES * STRIDE * Long.BYTES;

  private static final long[] SEVEN = {7, 0, 0, 0};

  /** The generator's table, built on first use. */
  private static final class GeneratorTable {
    static final long[] TABLE = buildTable(
        limbs("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
        limbs("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"), G_WINDOW_BITS);
  }

  private final long[] table;

  private KnownKeyVerifier(long[] table) {
    this.table = table;
  }

  /** For a 64-byte uncompressed public key (x || y); throws when the bytes are not a point of the curve. */
  static KnownKeyVerifier forPublicKey(byte[] publicKey64) {
    if (publicKey64.length != 64) {
      throw new PaymentsException("a public key is 64 bytes (x || y), got " + publicKey64.length);
    }
    long[] x = new long[4];
    long[] y = new long[4];
    Secp256k1Field.fromBytes(x, publicKey64, 0);
    Secp256k1Field.fromBytes(y, publicKey64, 32);
    if (!onCurve(x, y)) {
      throw new PaymentsException("not a secp256k1 public key");
    }
    return new KnownKeyVerifier(buildTable(x, y, WINDOW_BITS));
  }

  /** Whether recovering (hash32, rs64, recid) would give this key; false for every malformed input. */
  boolean recoversTo(byte[] hash32, byte[] rs64, int recid) {
    if (recid != 0 && recid != 1 || rs64.length != 64 || hash32.length != 32) {
      return false;
    }
    // scalars on limbs, not BigInteger: parsing, two products mod n and back cost ~2 us that way
    long[] rLimbs = new long[4];
    Secp256k1Field.fromBytes(rLimbs, rs64, 0);
    long[] sLimbs = new long[4];
    Secp256k1Field.fromBytes(sLimbs, rs64, 32);
    if (isZero(rLimbs) || isZero(sLimbs) || !belowN(rLimbs) || !belowN(sLimbs)) {
      return false;
    }
    long[] e = new long[4];
    Secp256k1Field.fromBytes(e, hash32, 0);
    long[] w = new long[4];
    N_INVERSE.invert(w, sLimbs);
    long[] u1 = new long[4];
    mulModN(u1, e, w);
    long[] u2 = new long[4];
    mulModN(u2, rLimbs, w);
    int[] d1 = digits(u1, G_WINDOW_BITS);
    int[] d2 = digits(u2, WINDOW_BITS);

    Point acc = new Point();
    long[] px = new long[4];
    long[] py = new long[4];
    // Gather all entries first: the table reads are independent, so their cache misses overlap instead of each
    // one stalling the arithmetic that follows it.
    long[] g = GeneratorTable.TABLE;
    long[] points = new long[(G_WINDOWS + WINDOWS) * STRIDE];
    boolean[] negative = new boolean[G_WINDOWS + WINDOWS];
    int count = 0;
    for (int win = 0; win < G_WINDOWS; win++) {
      if (d1[win] != 0) {
        System.arraycopy(g, (win * G_ENTRIES + Math.abs(d1[win]) - 1) * STRIDE, points, count * STRIDE, STRIDE);
        negative[count++] = d1[win] < 0;
      }
    }
    for (int win = 0; win < WINDOWS; win++) {
      if (d2[win] != 0) {
        System.arraycopy(table, (win * ENTRIES + Math.abs(d2[win]) - 1) * STRIDE, points, count * STRIDE, STRIDE);
        negative[count++] = d2[win] < 0;
      }
    }
    long[] zero = new long[4];
    for (int i = 0; i < count; i++) {
      int at = i * STRIDE;
      px[0] = points[at];
      px[1] = points[at + 1];
      px[2] = points[at + 2];
      px[3] = points[at + 3];
      py[0] = points[at + 4];
      py[1] = points[at + 5];
      py[2] = points[at + 6];
      py[3] = points[at + 7];
      if (negative[i]) {
        Secp256k1Field.sub(py, zero, py);
      }
      acc.addAffine(px, py);
    }
    if (acc.infinity) {
      return false;
    }
    long[] zInv = new long[4];
    Secp256k1Field.inv(zInv, acc.z);
    long[] zInv2 = new long[4];
    Secp256k1Field.sqr(zInv2, zInv);
    Secp256k1Field.mul(px, acc.x, zInv2);
    Secp256k1Field.canonical(px, px);
    if (px[0] != rLimbs[0] || px[1] != rLimbs[1] || px[2] != rLimbs[2] || px[3] != rLimbs[3]) {
      return false;
    }
    Secp256k1Field.mul(zInv2, zInv2, zInv);
    Secp256k1Field.mul(py, acc.y, zInv2);
    Secp256k1Field.canonical(py, py);
    return (py[0] & 1) == recid;
  }

  /** 2^256 - n, what a unit above 2^256 is worth mod n (129 bits). */
  private static final long[] N_COMPLEMENT = limbs(BigInteger.ONE.shiftLeft(256).subtract(N).toString(16));
  private static final long[] N_COMPLEMENT_LIMBS = {N_COMPLEMENT[0], N_COMPLEMENT[1], N_COMPLEMENT[2]};
  private static final long[] N_WORDS = limbs(N.toString(16));

  private static boolean isZero(long[] a) {
    return (a[0] | a[1] | a[2] | a[3]) == 0;
  }

  private static boolean belowN(long[] a) {
    for (int i = 3; i >= 0; i--) {
      if (a[i] != N_WORDS[i]) {
        return Long.compareUnsigned(a[i], N_WORDS[i]) < 0;
      }
    }
    return false;
  }

  /** r = a b mod n for a, b below 2^256: the 512-bit product, then folds of its top with 2^256 = 2^256 - n (mod n). */
  static void mulModN(long[] r, long[] a, long[] b) {
    long[] t = multiply(a, 4, b, 4);
    int len = 8;
    while (topLimb(t, len) >= 4) {
      long[] hi = java.util.Arrays.copyOfRange(t, 4, len);
      long[] folded = multiply(hi, hi.length, N_COMPLEMENT_LIMBS, 3);
      // t = low 256 bits of t + folded
      long[] sum = new long[Math.max(4, folded.length) + 1];
      long c = 0;
      for (int i = 0; i < sum.length - 1; i++) {
        long x = i < 4 ? t[i] : 0;
        long y = i < folded.length ? folded[i] : 0;
        long s1 = x + y;
        long k = Long.compareUnsigned(s1, x) < 0 ? 1 : 0;
        long s2 = s1 + c;
        k += Long.compareUnsigned(s2, s1) < 0 ? 1 : 0;
        sum[i] = s2;
        c = k;
      }
      sum[sum.length - 1] = c;
      t = sum;
      len = sum.length;
    }
    System.arraycopy(t, 0, r, 0, 4);
    while (!belowN(r)) {
      long borrow = 0;
      for (int i = 0; i < 4; i++) {
        long x = r[i];
        long d = x - N_WORDS[i];
        long k = Long.compareUnsigned(x, N_WORDS[i]) < 0 ? 1 : 0;
        long d2 = d - borrow;
        k += Long.compareUnsigned(d, borrow) < 0 ? 1 : 0;
        r[i] = d2;
        borrow = k;
      }
    }
  }

  private static int topLimb(long[] t, int len) {
    for (int i = len - 1; i >= 0; i--) {
      if (t[i] != 0) {
        return i;
      }
    }
    return -1;
  }

  /** Schoolbook product of x[0, xl) and y[0, yl), xl + yl limbs. */
  private static long[] multiply(long[] x, int xl, long[] y, int yl) {
    long[] z = new long[xl + yl];
    for (int i = 0; i < xl; i++) {
      long carry = 0;
      long xi = x[i];
      for (int j = 0; j < yl; j++) {
        long lo = xi * y[j];
        long hi = Math.unsignedMultiplyHigh(xi, y[j]);
        long zij = z[i + j];
        lo += zij;
        hi += Long.compareUnsigned(lo, zij) < 0 ? 1 : 0;
        lo += carry;
        hi += Long.compareUnsigned(lo, carry) < 0 ? 1 : 0;
        z[i + j] = lo;
        carry = hi;
      }
      z[i + yl] = carry;
    }
    return z;
  }

  /** Signed radix-2^WINDOW_BITS digits of 0 <= u < 2^256, least significant first, each in [-(ENTRIES-1), ENTRIES]. */
  static int[] digits(long[] u) {
    return digits(u, WINDOW_BITS);
  }

  /** Windows of {@code bits} bits that cover 256 bits plus the signed recoding's carry. */
  private static int windows(int bits) {
    return (256 + bits) / bits;
  }

  /** Table entries per window: digits run over [-(entries - 1), entries]; a negative one reads -P. */
  private static int entries(int bits) {
    return 1 << (bits - 1);
  }

  /** The same for digits of {@code bits} bits. */
  static int[] digits(long[] u, int bits) {
    int windows = windows(bits);
    int entries = entries(bits);
    int[] d = new int[windows];
    int carry = 0;
    int mask = (1 << bits) - 1;
    for (int i = 0; i < windows; i++) {
      int bit = i * bits;
      int v = 0;
      if (bit < 256) {
        int limb = bit >>> 6;
        int shift = bit & 63;
        long chunk = u[limb] >>> shift;
        if (shift + bits > 64 && limb < 3) {
          chunk |= u[limb + 1] << (64 - shift);
        }
        v = (int) chunk & mask;
      }
      v += carry;
      if (v > entries) {
        d[i] = v - (1 << bits);
        carry = 1;
      } else {
        d[i] = v;
        carry = 0;
      }
    }
    return d;
  }

  /**
   * T_w[j] = j 2^(bits w) P for every window w and 1 <= j <= 2^(bits - 1), affine. P has prime order n and no
   * j 2^k is a multiple of n, so none of these is infinity and no addition below meets an exceptional case.
   */
  private static long[] buildTable(long[] px, long[] py, int bits) {
    int windows = windows(bits);
    int entries = entries(bits);
    long[] t = new long[windows * entries * STRIDE];
    long[] bx = px.clone();
    long[] by = py.clone();
    Point[] multiples = new Point[entries];
    for (int j = 0; j < entries; j++) {
      multiples[j] = new Point();
    }
    long[][] prefix = new long[entries][4];
    long[] inv = new long[4];
    long[] zi = new long[4];
    long[] zi2 = new long[4];
    long[] tmp = new long[4];
    for (int win = 0; win < windows; win++) {
      Point acc = new Point();
      for (int j = 0; j < entries; j++) {
        acc.addAffine(bx, by);
        multiples[j].set(acc);
      }
      // one inversion for the whole window (Montgomery's trick): prefix[j] = z_0 ... z_j
      Secp256k1Field.set(prefix[0], multiples[0].z);
      for (int j = 1; j < entries; j++) {
        Secp256k1Field.mul(prefix[j], prefix[j - 1], multiples[j].z);
      }
      Secp256k1Field.inv(inv, prefix[entries - 1]);
      for (int j = entries - 1; j >= 0; j--) {
        if (j > 0) {
          Secp256k1Field.mul(zi, inv, prefix[j - 1]);
          Secp256k1Field.mul(inv, inv, multiples[j].z);
        } else {
          Secp256k1Field.set(zi, inv);
        }
        Secp256k1Field.sqr(zi2, zi);
        int at = (win * entries + j) * STRIDE;
        Secp256k1Field.mul(tmp, multiples[j].x, zi2);
        Secp256k1Field.canonical(tmp, tmp);
        System.arraycopy(tmp, 0, t, at, 4);
        Secp256k1Field.mul(zi2, zi2, zi);
        Secp256k1Field.mul(tmp, multiples[j].y, zi2);
        Secp256k1Field.canonical(tmp, tmp);
        System.arraycopy(tmp, 0, t, at + 4, 4);
      }
      // next base: 2^WINDOW_BITS B = 2 (entries B)
      int last = (win * entries + entries - 1) * STRIDE;
      Point twice = new Point();
      twice.x = new long[] {t[last], t[last + 1], t[last + 2], t[last + 3]};
      twice.y = new long[] {t[last + 4], t[last + 5], t[last + 6], t[last + 7]};
      twice.z = new long[] {1, 0, 0, 0};
      twice.infinity = false;
      twice.dbl();
      Secp256k1Field.inv(zi, twice.z);
      Secp256k1Field.sqr(zi2, zi);
      Secp256k1Field.mul(bx, twice.x, zi2);
      Secp256k1Field.canonical(bx, bx);
      Secp256k1Field.mul(zi2, zi2, zi);
      Secp256k1Field.mul(by, twice.y, zi2);
      Secp256k1Field.canonical(by, by);
    }
    return t;
  }

  /** y^2 = x^3 + 7 with x, y below p. */
  static boolean onCurve(long[] x, long[] y) {
    long[] cx = new long[4];
    long[] cy = new long[4];
    Secp256k1Field.canonical(cx, x);
    Secp256k1Field.canonical(cy, y);
    if (!java.util.Arrays.equals(cx, x) || !java.util.Arrays.equals(cy, y)) {
      return false;
    }
    long[] lhs = new long[4];
    Secp256k1Field.sqr(lhs, y);
    long[] rhs = new long[4];
    Secp256k1Field.sqr(rhs, x);
    Secp256k1Field.mul(rhs, rhs, x);
    Secp256k1Field.add(rhs, rhs, SEVEN);
    Secp256k1Field.sub(lhs, lhs, rhs);
    return Secp256k1Field.isZero(lhs);
  }

  private static long[] limbs(String hex) {
    long[] r = new long[4];
    Secp256k1Field.fromBigInteger(r, new BigInteger(hex, 16));
    return r;
  }

  /** A point in Jacobian coordinates (x/z^2, y/z^3), or infinity. */
  static final class Point {
    long[] x = new long[4];
    long[] y = new long[4];
    long[] z = new long[4];
    boolean infinity = true;
    private final long[] t1 = new long[4];
    private final long[] t2 = new long[4];
    private final long[] t3 = new long[4];
    private final long[] t4 = new long[4];
    private final long[] t5 = new long[4];
    private final long[] t6 = new long[4];

    void set(Point o) {
      Secp256k1Field.set(x, o.x);
      Secp256k1Field.set(y, o.y);
      Secp256k1Field.set(z, o.z);
      infinity = o.infinity;
    }

    /** this += (ax, ay), an affine point. Handles every case, doubling and P + (-P) included. */
    void addAffine(long[] ax, long[] ay) {
      if (infinity) {
        Secp256k1Field.set(x, ax);
        Secp256k1Field.set(y, ay);
        z[0] = 1;
        z[1] = 0;
        z[2] = 0;
        z[3] = 0;
        infinity = false;
        return;
      }
      long[] zz = t1;
      long[] h = t2;
      long[] rr = t3;
      Secp256k1Field.sqr(zz, z);
      Secp256k1Field.mul(h, ax, zz); // u2
      Secp256k1Field.sub(h, h, x); // h = u2 - x1
      Secp256k1Field.mul(zz, zz, z); // z^3
      Secp256k1Field.mul(rr, ay, zz); // s2
      Secp256k1Field.sub(rr, rr, y); // r = s2 - y1
      if (Secp256k1Field.isZero(h)) {
        if (Secp256k1Field.isZero(rr)) {
          dbl(); // the same point: the chord formula has no chord
        } else {
          infinity = true; // P + (-P)
        }
        return;
      }
      long[] hh = t4;
      long[] hhh = t5;
      long[] v = t6;
      Secp256k1Field.sqr(hh, h);
      Secp256k1Field.mul(hhh, hh, h);
      Secp256k1Field.mul(v, x, hh);
      Secp256k1Field.mul(z, z, h);
      // x3 = r^2 - h^3 - 2v
      Secp256k1Field.sqr(x, rr);
      Secp256k1Field.sub(x, x, hhh);
      Secp256k1Field.sub(x, x, v);
      Secp256k1Field.sub(x, x, v);
      // y3 = r (v - x3) - y1 h^3
      Secp256k1Field.mul(hhh, hhh, y);
      Secp256k1Field.sub(v, v, x);
      Secp256k1Field.mul(y, rr, v);
      Secp256k1Field.sub(y, y, hhh);
    }

    /** this = 2 this (a = 0 doubling). */
    void dbl() {
      if (infinity) {
        return;
      }
      if (Secp256k1Field.isZero(y)) {
        infinity = true; // no such point on secp256k1 (odd order), kept for completeness
        return;
      }
      long[] a = t1;
      long[] b = t2;
      long[] c = t3;
      long[] d = t4;
      long[] e = t5;
      Secp256k1Field.sqr(a, x);
      Secp256k1Field.sqr(b, y);
      Secp256k1Field.sqr(c, b);
      // d = 2 ((x + b)^2 - a - c)
      Secp256k1Field.add(d, x, b);
      Secp256k1Field.sqr(d, d);
      Secp256k1Field.sub(d, d, a);
      Secp256k1Field.sub(d, d, c);
      Secp256k1Field.add(d, d, d);
      // e = 3a
      Secp256k1Field.add(e, a, a);
      Secp256k1Field.add(e, e, a);
      // z3 = 2 y z
      Secp256k1Field.mul(z, z, y);
      Secp256k1Field.add(z, z, z);
      // x3 = e^2 - 2d
      Secp256k1Field.sqr(x, e);
      Secp256k1Field.sub(x, x, d);
      Secp256k1Field.sub(x, x, d);
      // y3 = e (d - x3) - 8c
      Secp256k1Field.sub(d, d, x);
      Secp256k1Field.mul(y, e, d);
      Secp256k1Field.add(c, c, c);
      Secp256k1Field.add(c, c, c);
      Secp256k1Field.add(c, c, c);
      Secp256k1Field.sub(y, y, c);
    }
  }
}
