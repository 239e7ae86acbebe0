package io.jlivepeer.ingest;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** Captures the ingest module's log events (Logback ListAppender) so tests can assert the logged reasons. */
final class LogCapture implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("io.jlivepeer.ingest");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture() {
    appender.start();
    logger.addAppender(appender);
  }

  List<ILoggingEvent> events() {
    synchronized (appender.list) {
      return List.copyOf(appender.list);
    }
  }

  /** Waits for a WARN (or worse) message containing every fragment; returns its formatted text. */
  Optional<String> awaitWarning(Duration timeout, String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      for (ILoggingEvent e : events()) {
        String text = e.getFormattedMessage();
        if (e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)
            && java.util.Arrays.stream(fragments).allMatch(text::contains)) {
          return Optional.of(text);
        }
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
