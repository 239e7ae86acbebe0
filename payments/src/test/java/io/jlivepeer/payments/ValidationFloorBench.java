package io.jlivepeer.payments;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Same-run references for {@link TicketValidationBench}, on the same 1024 tickets: what a validation cannot go
 * below whichever way the signature is checked. {@code ecrecover}: libsecp256k1's recovery of the signer's key
 * through JNI alone (no hashing, no address), what every ticket of an unseen sender costs and what the go-livepeer
 * style "recover, then compare the address" check costs per ticket. {@code hashes}: the three Keccak-256 of a
 * validation (ticket hash, personal-sign hash, win check) alone. Not a test; docs/benchmarks.md has the command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ValidationFloorBench {
  private static final int TICKETS = 1024;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private Secp256k1 nativeCurve;
  private Ticket[] tickets;
  private byte[][] digests;
  private byte[][] rs;
  private int[] recids;
  private Signature[] signatures;
  private byte[] rand32;
  private byte[] winProb32;
  private int next;
  private long ops;
  private long cpuAtIterationStart;
  private String running = "";

  @Setup
  public void setUp() {
    nativeCurve = NativeSecp256k1.load(false).orElseThrow(() -> new IllegalStateException("native secp256k1 did not load"));
    EthKey key = EthKey.fromHex("5a".repeat(32));
    BigInteger recipientRand = new BigInteger(1, EthCrypto.keccak256(new byte[] {1, 2, 3}));
    BigInteger winProb = Amounts.MAX_UINT256.divide(BigInteger.valueOf(120));
    Ticket base = new Ticket(EthAddress.of("0x" + "01".repeat(20)), key.address(), Wei.of(120_000_000_000_000L), winProb,
        0, TicketParamsIssuer.recipientRandHash(recipientRand), 7, Bytes32.fromHex("cd".repeat(32)));
    rand32 = Ticket.uint256(recipientRand);
    winProb32 = Ticket.uint256(winProb);
    tickets = new Ticket[TICKETS];
    digests = new byte[TICKETS][];
    rs = new byte[TICKETS][];
    recids = new int[TICKETS];
    signatures = new Signature[TICKETS];
    for (int i = 0; i < TICKETS; i++) {
      tickets[i] = base.withNonce(i + 1);
      signatures[i] = key.signPersonal(tickets[i].hash());
      digests[i] = EthCrypto.personalHash(tickets[i].hash()).raw();
      byte[] sig = signatures[i].raw();
      rs[i] = Arrays.copyOf(sig, 64);
      recids[i] = sig[64] - 27;
    }
  }

  @Benchmark
  public byte[] ecrecover() {
    running = "ecrecover";
    int i = next++ & (TICKETS - 1);
    ops++;
    return nativeCurve.recover(digests[i], rs[i], recids[i]).orElseThrow();
  }

  @Benchmark
  public boolean hashes() {
    running = "hashes";
    int i = next++ & (TICKETS - 1);
    Bytes32 personal = EthCrypto.personalHash(tickets[i].hash());
    ops++;
    return personal.raw()[0] == 0 ^ TicketValidator.isWinner(signatures[i], rand32, winProb32);
  }

  @Setup(Level.Iteration)
  public void startCpuClock() {
    ops = 0;
    cpuAtIterationStart = THREADS.getCurrentThreadCpuTime();
  }

  @TearDown(Level.Iteration)
  public void printPerCpuSecond() {
    double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpuAtIterationStart) / 1e9;
    System.out.printf("  [%s: %.0f per CPU-second of the benchmark thread, load average %.1f]%n", running,
        ops / cpuSeconds, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
