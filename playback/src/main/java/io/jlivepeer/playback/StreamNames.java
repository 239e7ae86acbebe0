package io.jlivepeer.playback;

import java.util.regex.Pattern;

/**
 * The characters allowed in manifest ids and rendition names. They become URL path segments and file names, so
 * the set excludes '.', '/', '%' and everything else that could change a path's meaning.
 */
final class StreamNames {
  static final int MAX_LENGTH = 128;
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_LENGTH + "}");
  static final String RULE = "1-" + MAX_LENGTH + " characters among letters, digits, '-' and '_'";

  private StreamNames() {}

  static boolean isSafe(String name) {
    return SAFE.matcher(name).matches();
  }

  static String requireSafe(String name, String what) {
    if (!isSafe(name)) {
      throw new IllegalArgumentException(what + " must be " + RULE + ", got '" + printable(name) + "'");
    }
    return name;
  }

  /** The name cut and stripped of control characters, fit for a log line or an error message. */
  static String printable(String name) {
    String cut = name.length() > MAX_LENGTH ? name.substring(0, MAX_LENGTH) + "..." : name;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
