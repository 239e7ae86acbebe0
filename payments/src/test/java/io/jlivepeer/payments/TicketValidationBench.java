package io.jlivepeer.payments;

import java.math.BigInteger;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Ticket validation throughput on one thread: ticket hash + personal-sign signature recovery + win check, the
 * CPU part of {@link TicketValidator#receive} per ticket. Not a test; run with
 * {@code ./mvnw -B -q -pl payments -Pbench test-compile exec:exec} (docs/benchmarks.md).
 *
 * <p>{@link #main} is a second harness for shared, loaded machines: it divides operations by the CPU time of the
 * measuring thread rather than by wall time, which is what "per second on one core" means when other processes
 * steal the core half of the time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TicketValidationBench {
  private static final int TICKETS = 1024;

  /**
   * native: the default backend, a known busy sender checked from its precomputed table; native-recover: every
   * ticket by libsecp256k1 recovery (what an unseen or not yet busy sender costs); bouncycastle: the fallback.
   */
  @Param({"native", "native-recover", "bouncycastle"})
  public String backend;

  private Secp256k1 curve;
  private Ticket[] tickets;
  private Signature[] signatures;
  private EthAddress sender;
  private BigInteger recipientRand;
  private BigInteger winProb;
  private byte[] rand32;
  private byte[] winProb32;
  private int next;
  private long ops;
  private long cpuAtIterationStart;
  private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

  @Setup
  public void setUp() {
    curve = switch (backend) {
      case "native" -> NativeSecp256k1.load(true).orElseThrow(() -> new IllegalStateException("native secp256k1 did not load"));
      case "native-recover" -> NativeSecp256k1.load(false).orElseThrow(() -> new IllegalStateException("native secp256k1 did not load"));
      default -> new BouncyCastleSecp256k1();
    };
    EthKey key = EthKey.fromHex("5a".repeat(32));
    sender = key.address();
    recipientRand = new BigInteger(1, EthCrypto.keccak256(new byte[] {1, 2, 3}));
    winProb = Amounts.MAX_UINT256.divide(BigInteger.valueOf(120));
    Ticket base = new Ticket(EthAddress.of("0x" + "01".repeat(20)), sender, Wei.of(120_000_000_000_000L), winProb, 0,
        TicketParamsIssuer.recipientRandHash(recipientRand), 7, Bytes32.fromHex("cd".repeat(32)));
    rand32 = Ticket.uint256(recipientRand);
    winProb32 = Ticket.uint256(winProb);
    tickets = new Ticket[TICKETS];
    signatures = new Signature[TICKETS];
    for (int i = 0; i < TICKETS; i++) {
      tickets[i] = base.withNonce(i + 1);
      signatures[i] = key.signPersonal(tickets[i].hash());
    }
  }

  @Benchmark
  public boolean validateTicket() {
    int i = next++ & (TICKETS - 1);
    Ticket t = tickets[i];
    Signature sig = signatures[i];
    Bytes32 hash = t.hash();
    boolean signedBySender = EthCrypto.isSignedBy(EthCrypto.personalHash(hash), sig, sender, curve);
    if (!signedBySender) {
      throw new IllegalStateException("benchmark ticket did not verify");
    }
    ops++;
    return TicketValidator.isWinner(sig, rand32, winProb32);
  }

  /** JMH runs iteration fixtures on the benchmark thread: its CPU time is the per-core figure. */
  @Setup(Level.Iteration)
  public void startCpuClock() {
    ops = 0;
    cpuAtIterationStart = THREADS.getCurrentThreadCpuTime();
  }

  @TearDown(Level.Iteration)
  public void printPerCpuSecond() {
    double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpuAtIterationStart) / 1e9;
    System.out.printf("  [%s: %.0f validations per CPU-second of the benchmark thread, load average %.1f]%n", backend,
        ops / cpuSeconds, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /** Args: seconds to measure per backend (default 10). Prints wall and CPU-time throughput. */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    for (String b : new String[] {"native", "native-recover", "bouncycastle"}) {
      TicketValidationBench bench = new TicketValidationBench();
      bench.backend = b;
      bench.setUp();
      boolean sink = false;
      long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
      while (System.nanoTime() < warmEnd) {
        sink ^= bench.validateTicket();
      }
      long ops = 0;
      long cpu0 = mx.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      long end = wall0 + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        for (int i = 0; i < 256; i++) {
          sink ^= bench.validateTicket();
        }
        ops += 256;
      }
      double wall = (System.nanoTime() - wall0) / 1e9;
      double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
      System.out.printf("%-13s %9.0f validations/s wall  %9.0f validations per CPU-second  (%d ops, %.1f s wall, %.1f s CPU,"
          + " load average %.1f)%s%n", b, ops / wall, ops / cpu, ops, wall, cpu,
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), sink ? "" : " ");
    }
  }
}
