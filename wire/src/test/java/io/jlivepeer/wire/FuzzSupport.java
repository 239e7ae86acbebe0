package io.jlivepeer.wire;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

/** The heap-allocation meter of this module's fuzz targets (as ingest's FuzzSupport). */
final class FuzzSupport {
  /** Heap a single input of at most a few KiB may make any decoder here allocate, harness included. */
  static final long ALLOCATION_CAP = 32L << 20;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private FuzzSupport() {}

  /**
   * Runs {@code target} on {@code input} and fails when it allocated more than {@link #ALLOCATION_CAP} on this
   * thread. An input over the cap runs once more before it fails, so the class loading of a first visit to a code
   * path is not taken for the decoder's own allocation.
   */
  static <T> void bounded(T input, Consumer<T> target) {
    long allocated = measure(input, target);
    if (allocated > ALLOCATION_CAP && measure(input, target) > ALLOCATION_CAP) {
      throw new AssertionError("an input allocated " + allocated + " bytes, over the cap of " + ALLOCATION_CAP);
    }
  }

  private static <T> long measure(T input, Consumer<T> target) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    target.accept(input);
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }
}
