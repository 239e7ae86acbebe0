package io.jlivepeer.ingest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The ingest fuzz targets' quiet log sink: a console line per rejected input would dominate the run, yet a target
 * still checks which reasons were logged. (Their allocation bound is media's {@code AllocationMeter}.)
 */
final class FuzzSupport {
  private static ListAppender<ILoggingEvent> appender;

  private FuzzSupport() {}

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
