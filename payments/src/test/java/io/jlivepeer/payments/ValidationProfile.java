package io.jlivepeer.payments;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * Where the time of one known-sender ticket validation goes, part by part (docs/benchmarks.md, "Ticket validation"):
 * best of five rounds of thread CPU time per call, after three warm-up rounds, on the same data as
 * {@link TicketValidationBench}. Not a test and not a JMH benchmark (the parts are too small and too many for
 * one run of forks); run with
 * {@code ./mvnw -B -q -pl payments -Pbench test-compile exec:exec -Dbench.main=io.jlivepeer.payments.ValidationProfile -Dbench.args=}.
 */
public final class ValidationProfile {
  private interface Part {
    long run(int i);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ValidationProfile() {}

  private static void time(String name, int n, Part part) {
    long sink = 0;
    for (int w = 0; w < 3; w++) {
      for (int i = 0; i < n; i++) {
        sink += part.run(i);
      }
    }
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        sink += part.run(i);
      }
      best = Math.min(best, (THREADS.getCurrentThreadCpuTime() - c0) / (double) n);
    }
    System.out.printf("%-44s %10.0f ns%s%n", name, best, sink == 42 ? " " : "");
  }

  public static void main(String[] args) {
    Random random = new Random(1);
    long[][] values = new long[1024][4];
    for (long[] v : values) {
      for (int i = 0; i < 4; i++) {
        v[i] = random.nextLong();
      }
      v[3] >>>= 1; // below both moduli
    }
    long[] r = new long[4];
    time("field multiplication mod p", 1_000_000, i -> {
      Secp256k1Field.mul(r, values[i & 1023], values[(i + 1) & 1023]);
      return r[0];
    });
    time("field squaring mod p", 1_000_000, i -> {
      Secp256k1Field.sqr(r, values[i & 1023]);
      return r[0];
    });
    time("inversion mod p (divsteps)", 20_000, i -> {
      Secp256k1Field.inv(r, values[i & 1023]);
      return r[0];
    });
    ModInverse modN = new ModInverse(limbs(KnownKeyVerifier.N));
    time("inversion mod n (divsteps)", 20_000, i -> {
      modN.invert(r, values[i & 1023]);
      return r[0];
    });
    time("product mod n (limbs)", 200_000, i -> {
      KnownKeyVerifier.mulModN(r, values[i & 1023], values[(i + 1) & 1023]);
      return r[0];
    });
    long[] gx = limbs(new java.math.BigInteger("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", 16));
    long[] gy = limbs(new java.math.BigInteger("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8", 16));
    KnownKeyVerifier.Point point = new KnownKeyVerifier.Point();
    point.addAffine(gx, gy);
    point.dbl();
    time("mixed point addition (x44 per signature)", 1_000_000, i -> {
      point.addAffine(gx, gy);
      return point.x[0];
    });
    byte[][] hashes = new byte[1024][32];
    for (byte[] h : hashes) {
      random.nextBytes(h);
    }
    time("keccak256 of 64 bytes (x3 per ticket)", 200_000, i -> EthCrypto.keccak256(hashes[i & 1023], hashes[(i + 1) & 1023])[0]);

    EthKey key = EthKey.fromHex("5a".repeat(32));
    KnownKeyVerifier verifier = KnownKeyVerifier.forPublicKey(key.publicKeyBytes());
    byte[][] rs = new byte[1024][];
    int[] recids = new int[1024];
    for (int i = 0; i < 1024; i++) {
      byte[] sig = EthCrypto.sign(Bytes32.wrap(hashes[i]), key, EthCrypto.backend()).raw();
      rs[i] = Arrays.copyOf(sig, 64);
      recids[i] = sig[64] - 27;
    }
    time("signature check from the sender's table", 20_000,
        i -> verifier.recoversTo(hashes[i & 1023], rs[i & 1023], recids[i & 1023]) ? 1 : 0);
    Secp256k1 nativeCurve = NativeSecp256k1.load(false).orElseThrow();
    time("libsecp256k1 ecrecover through JNI", 20_000,
        i -> nativeCurve.recover(hashes[i & 1023], rs[i & 1023], recids[i & 1023]).orElseThrow()[0]);
    TicketValidationBench bench = new TicketValidationBench();
    bench.backend = "native";
    bench.setUp();
    time("whole validation, busy known sender", 20_000, i -> bench.validateTicket() ? 1 : 0);
  }

  private static long[] limbs(java.math.BigInteger v) {
    long[] r = new long[4];
    Secp256k1Field.fromBigInteger(r, v);
    return r;
  }
}
