package io.jlivepeer.media;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

/**
 * The fuzz targets' allocation bound (every module's, through media's test-jar): no input of at most a few KiB may
 * make a decoder allocate more than {@link #ALLOCATION_CAP} on the calling thread, harness included.
 */
public final class AllocationMeter {
  /** Heap a single input may make any decoder allocate. */
  public static final long ALLOCATION_CAP = 32L << 20;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private AllocationMeter() {}

  /**
   * Runs {@code target} on {@code input} and fails when it allocated more than {@link #ALLOCATION_CAP} on this
   * thread. An input over the cap runs once more before it fails, so the class loading of a first visit to a code
   * path is not taken for the decoder's own allocation.
   */
  public static <T> void bounded(T input, Consumer<T> target) {
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
