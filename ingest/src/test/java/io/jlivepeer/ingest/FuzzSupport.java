package io.jlivepeer.ingest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * What the fuzz targets share: a heap-allocation meter for the "no input makes the decoder allocate more than a
 * fixed cap" contract, and a quiet log sink (a console line per rejected input would dominate the run) that still
 * lets a target check which reasons were logged.
 */
final class FuzzSupport {
  /** Heap a single input of at most a few KiB may make any decoder here allocate, harness included. */
  static final long ALLOCATION_CAP = 32L << 20;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static ListAppender<ILoggingEvent> appender;

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

  /** Routes the ingest loggers to a list only; returns the events logged since the last call. */
  static synchronized List<ILoggingEvent> drainLogs() {
    if (appender == null) {
      Logger ingest = (Logger) LoggerFactory.getLogger("io.jlivepeer.ingest");
      appender = new ListAppender<>();
      appender.start();
      ingest.setAdditive(false);
      ingest.setLevel(Level.INFO);
      ingest.addAppender(appender);
    }
    List<ILoggingEvent> events = List.copyOf(appender.list);
    appender.list.clear();
    return events;
  }
}
