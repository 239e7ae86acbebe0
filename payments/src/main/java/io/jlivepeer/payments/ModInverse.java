package io.jlivepeer.payments;

/**
 * Modular inversion for an odd 256-bit modulus by Bernstein and Yang's divsteps ("Fast constant-time gcd
 * computation and modular inversion", 2019, section 8), in its variable-time form: 62 divsteps at a time are worked
 * out on the low 64 bits of f and g alone, as a 2x2 matrix of 63-bit integers, and only then applied to the full
 * numbers. That replaces the binary extended Euclid's bit-by-bit passes over four limbs (about 6.5-8.5 us per
 * inversion on the 2-vCPU build machine) by about eight rounds of a few dozen word operations. Variable time,
 * which is fine: it only ever inverts public values (signature scalars, point coordinates).
 *
 * <p>Numbers travel as five signed 62-bit limbs (value = sum limb[i] 2^(62 i); limbs 0-3 in [0, 2^62), limb 4
 * signed), so that a limb times a matrix entry fits in 125 bits and two such products plus a carry in a signed
 * 128-bit accumulator (a high and a low long).
 *
 * <p>Invariants, for the input a: f = d a and g = e a (mod m). They start as (m, a) and (0, 1); every batch
 * replaces (f, g) by M (f, g) / 2^62 and (d, e) by M (d, e) / 2^62 mod m, where the division is exact for f and g
 * and made exact for d and e by adding the multiple of m that clears their low 62 bits. When g reaches 0, f is
 * gcd(a, m) = +-1, so a^-1 = +-d. Bounds (from the paper, and checked here): each matrix row has |u| + |v| <= 2^62,
 * so d and e stay in (-2m, m) when they enter there.
 */
final class ModInverse {
  private static final long M62 = -1L >>> 2;

  private final long[] modulus; // signed62
  private final long modulusInv62; // m^-1 mod 2^62
  private final long[] modulus64; // four 64-bit limbs, for the answer's last reduction

  ModInverse(long[] modulus64) {
    if ((modulus64[0] & 1) == 0) {
      throw new IllegalArgumentException("the modulus must be odd");
    }
    this.modulus64 = modulus64.clone();
    this.modulus = toSigned62(modulus64);
    long m0 = modulus[0];
    long inv = m0; // Newton: each step doubles the correct low bits (m0 m0 = 1 mod 8 for odd m0: 3 bits)
    for (int i = 0; i < 5; i++) {
      inv *= 2 - m0 * inv;
    }
    this.modulusInv62 = inv & M62;
  }

  /** r = a^-1 mod m for 0 < a < 2^256 with gcd(a, m) = 1 (four 64-bit limbs, little-endian); r in [0, m). */
  void invert(long[] r, long[] a) {
    long[] f = modulus.clone();
    long[] g = toSigned62(a);
    long[] d = new long[5];
    long[] e = {1, 0, 0, 0, 0};
    long[] matrix = new long[4];
    long delta = 1;
    while (g[0] != 0 || g[1] != 0 || g[2] != 0 || g[3] != 0 || g[4] != 0) {
      delta = divsteps62(delta, f[0] | (f[1] << 62), g[0] | (g[1] << 62), matrix);
      updateFg(f, g, matrix);
      updateDe(d, e, matrix);
    }
    // f = +-1 now (the modulus is prime for every caller and a is not a multiple of it)
    boolean negative = f[4] < 0;
    if (negative ? !isMinusOne(f) : !isOne(f)) {
      throw new IllegalArgumentException("not invertible: the value shares a factor with the modulus");
    }
    long[] out = toUnsigned64(d, negative);
    System.arraycopy(out, 0, r, 0, 4);
  }

  /**
   * 62 divsteps on the low 64 bits of f (odd) and g; puts the transition matrix (u, v, q, r), scaled by 2^62, in
   * {@code m} and returns the new delta. One step: g even -> (delta + 1, f, g/2); g odd and delta > 0 ->
   * (1 - delta, g, (g - f)/2); g odd otherwise -> (1 + delta, f, (g + f)/2). Runs of zero bits of g go at once.
   * The matrix is kept such that after i steps f_i 2^i = u f + v g and g_i 2^i = q f + r g.
   */
  static long divsteps62(long delta, long f, long g, long[] m) {
    long u = 1;
    long v = 0;
    long q = 0;
    long r = 1;
    int left = 62;
    while (true) {
      // the zero bits of g, at most the steps left: each doubles f's row
      int zeros = Long.numberOfTrailingZeros(g | (1L << left));
      g >>= zeros;
      u <<= zeros;
      v <<= zeros;
      delta += zeros;
      left -= zeros;
      if (left == 0) {
        break;
      }
      // g is odd: one step of the other two kinds
      if (delta > 0) {
        long t = f;
        f = g;
        g = (g - t) >> 1;
        long tu = u;
        long tv = v;
        u = q << 1;
        v = r << 1;
        q -= tu;
        r -= tv;
        delta = 1 - delta;
      } else {
        g = (g + f) >> 1;
        q += u;
        r += v;
        u <<= 1;
        v <<= 1;
        delta = 1 + delta;
      }
      left--;
      if (left == 0) {
        break;
      }
    }
    m[0] = u;
    m[1] = v;
    m[2] = q;
    m[3] = r;
    return delta;
  }

  /** (f, g) = (u f + v g, q f + r g) / 2^62, exactly. */
  private static void updateFg(long[] f, long[] g, long[] m) {
    long u = m[0];
    long v = m[1];
    long q = m[2];
    long r = m[3];
    long f0 = f[0];
    long g0 = g[0];
    // accumulators: (hi, lo) as signed 128-bit
    long fl = u * f0;
    long fh = Math.multiplyHigh(u, f0);
    long p = v * g0;
    fh += Math.multiplyHigh(v, g0) + carry(fl + p, fl);
    fl += p;
    long gl = q * f0;
    long gh = Math.multiplyHigh(q, f0);
    p = r * g0;
    gh += Math.multiplyHigh(r, g0) + carry(gl + p, gl);
    gl += p;
    // the low 62 bits are zero by construction; shift them out
    fl = (fl >>> 62) | (fh << 2);
    fh >>= 62;
    gl = (gl >>> 62) | (gh << 2);
    gh >>= 62;
    for (int i = 1; i < 5; i++) {
      long fi = f[i];
      long gi = g[i];
      p = u * fi;
      fh += Math.multiplyHigh(u, fi) + carry(fl + p, fl);
      fl += p;
      p = v * gi;
      fh += Math.multiplyHigh(v, gi) + carry(fl + p, fl);
      fl += p;
      p = q * fi;
      gh += Math.multiplyHigh(q, fi) + carry(gl + p, gl);
      gl += p;
      p = r * gi;
      gh += Math.multiplyHigh(r, gi) + carry(gl + p, gl);
      gl += p;
      f[i - 1] = fl & M62;
      g[i - 1] = gl & M62;
      fl = (fl >>> 62) | (fh << 2);
      fh >>= 62;
      gl = (gl >>> 62) | (gh << 2);
      gh >>= 62;
    }
    // |f|, |g| < 2^257 after the update, so what is left fits the top limb
    f[4] = fl;
    g[4] = gl;
  }

  /**
   * (d, e) = (u d + v e, q d + r e) / 2^62 mod m, d and e in (-2m, m) before and after: first m is added to a
   * negative d or e (as the multiples md, me of m), which brings them to (-m, m); then md and me drop by the
   * amount in [0, 2^62) that clears the low 62 bits. The sum is then within (-2^63 m, 2^62 m), hence (-2m, m) after
   * the division.
   */
  private void updateDe(long[] d, long[] e, long[] mat) {
    long u = mat[0];
    long v = mat[1];
    long q = mat[2];
    long r = mat[3];
    long sd = d[4] >> 63;
    long se = e[4] >> 63;
    long md = (u & sd) + (v & se);
    long me = (q & sd) + (r & se);
    long d0 = d[0];
    long e0 = e[0];
    long m0 = modulus[0];
    long cdLow = u * d0 + v * e0;
    long ceLow = q * d0 + r * e0;
    md -= (modulusInv62 * cdLow + md) & M62;
    me -= (modulusInv62 * ceLow + me) & M62;
    long dl = u * d0;
    long dh = Math.multiplyHigh(u, d0);
    long p = v * e0;
    dh += Math.multiplyHigh(v, e0) + carry(dl + p, dl);
    dl += p;
    p = md * m0;
    dh += Math.multiplyHigh(md, m0) + carry(dl + p, dl);
    dl += p;
    long el = q * d0;
    long eh = Math.multiplyHigh(q, d0);
    p = r * e0;
    eh += Math.multiplyHigh(r, e0) + carry(el + p, el);
    el += p;
    p = me * m0;
    eh += Math.multiplyHigh(me, m0) + carry(el + p, el);
    el += p;
    if ((dl & M62) != 0 || (el & M62) != 0) {
      throw new IllegalStateException("modular inversion: the low bits did not cancel (a bug)");
    }
    dl = (dl >>> 62) | (dh << 2);
    dh >>= 62;
    el = (el >>> 62) | (eh << 2);
    eh >>= 62;
    for (int i = 1; i < 5; i++) {
      long di = d[i];
      long ei = e[i];
      long mi = modulus[i];
      p = u * di;
      dh += Math.multiplyHigh(u, di) + carry(dl + p, dl);
      dl += p;
      p = v * ei;
      dh += Math.multiplyHigh(v, ei) + carry(dl + p, dl);
      dl += p;
      p = md * mi;
      dh += Math.multiplyHigh(md, mi) + carry(dl + p, dl);
      dl += p;
      p = q * di;
      eh += Math.multiplyHigh(q, di) + carry(el + p, el);
      el += p;
      p = r * ei;
      eh += Math.multiplyHigh(r, ei) + carry(el + p, el);
      el += p;
      p = me * mi;
      eh += Math.multiplyHigh(me, mi) + carry(el + p, el);
      el += p;
      d[i - 1] = dl & M62;
      e[i - 1] = el & M62;
      dl = (dl >>> 62) | (dh << 2);
      dh >>= 62;
      el = (el >>> 62) | (eh << 2);
      eh >>= 62;
    }
    d[4] = dl;
    e[4] = el;
  }

  /** 1 when the unsigned sum {@code sum = x + y} wrapped, given x: the carry into the high word. */
  private static long carry(long sum, long x) {
    return Long.compareUnsigned(sum, x) < 0 ? 1L : 0L;
  }

  private static boolean isOne(long[] a) {
    return a[0] == 1 && (a[1] | a[2] | a[3] | a[4]) == 0;
  }

  private static boolean isMinusOne(long[] a) {
    // -1 = (2^62 - 1) + (2^62 - 1) 2^62 + ... + (-1) 2^248 in this representation
    return a[0] == M62 && a[1] == M62 && a[2] == M62 && a[3] == M62 && a[4] == -1;
  }

  /** Four unsigned 64-bit limbs to five signed 62-bit ones (non-negative). */
  static long[] toSigned62(long[] a) {
    return new long[] {
        a[0] & M62,
        ((a[0] >>> 62) | (a[1] << 2)) & M62,
        ((a[1] >>> 60) | (a[2] << 4)) & M62,
        ((a[2] >>> 58) | (a[3] << 6)) & M62,
        a[3] >>> 56};
  }

  /** d (in (-2m, m)), negated when asked, brought into [0, m), as four 64-bit limbs. */
  private long[] toUnsigned64(long[] d, boolean negate) {
    // as a two's complement 320-bit number in five 64-bit words
    long[] w = fromSigned62(d);
    if (negate) {
      negate(w);
    }
    // now in (-m, 2m): at most one correction either way, twice for safety on the negative side
    while (w[4] < 0) {
      addModulus(w, 1);
    }
    while (compareToModulus(w) >= 0) {
      addModulus(w, -1);
    }
    return new long[] {w[0], w[1], w[2], w[3]};
  }

  private static long[] fromSigned62(long[] d) {
    // value = d0 + d1 2^62 + d2 2^124 + d3 2^186 + d4 2^248, limbs 0-3 non-negative, d4 signed
    long[] w = new long[5];
    w[0] = d[0] | (d[1] << 62);
    w[1] = (d[1] >>> 2) | (d[2] << 60);
    w[2] = (d[2] >>> 4) | (d[3] << 58);
    w[3] = (d[3] >>> 6) | (d[4] << 56);
    w[4] = d[4] >> 8;
    return w;
  }

  private static void negate(long[] w) {
    long c = 1;
    for (int i = 0; i < 5; i++) {
      long x = ~w[i] + c;
      c = (c == 1 && x == 0) ? 1 : 0;
      w[i] = x;
    }
  }

  /** w += sign * m (sign +-1) on 320-bit two's complement. */
  private void addModulus(long[] w, int sign) {
    long[] m = modulus64;
    if (sign > 0) {
      long c = 0;
      for (int i = 0; i < 4; i++) {
        long s = w[i] + c;
        long k = carry(s, w[i]);
        long s2 = s + m[i];
        k += carry(s2, s);
        w[i] = s2;
        c = k;
      }
      w[4] += c;
    } else {
      long b = 0;
      for (int i = 0; i < 4; i++) {
        long x = w[i];
        long s = x - m[i];
        long k = Long.compareUnsigned(x, m[i]) < 0 ? 1 : 0;
        long s2 = s - b;
        k += Long.compareUnsigned(s, b) < 0 ? 1 : 0;
        w[i] = s2;
        b = k;
      }
      w[4] -= b;
    }
  }

  /** Compares w (non-negative) with m. */
  private int compareToModulus(long[] w) {
    if (w[4] != 0) {
      return 1;
    }
    for (int i = 3; i >= 0; i--) {
      int c = Long.compareUnsigned(w[i], modulus64[i]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
