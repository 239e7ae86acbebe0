package io.jlivepeer.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Go-style durations as the reference node's flags take them: {@code 2s}, {@code 500ms}, {@code 1m30s}. */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Durations() {}

  static Duration parse(String flag, String value) {
    String v = value.strip();
    Matcher m = PART.matcher(v);
    long nanos = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      double n = Double.parseDouble(m.group(1));
      long unitNanos = switch (m.group(2)) {
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos += (long) (n * unitNanos);
      end = m.end();
    }
    if (end != v.length() || v.isEmpty()) {
      throw new CliException("-" + flag + " " + value + ": expected a duration like 2s, 500ms or 1m30s");
    }
    return Duration.ofNanos(nanos);
  }
}
