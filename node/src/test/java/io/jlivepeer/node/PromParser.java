package io.jlivepeer.node;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4 for tests: every sample must belong to a family declared by a
 * TYPE line before it, names and label sets must be well formed, values must parse, a histogram's buckets must be
 * cumulative and end in +Inf equal to its _count. Anything else throws.
 */
public final class PromParser {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)");

  /** Sample name with its labels as written (e.g. {@code x_bucket{le="0.5"}}) to value. */
  public static Map<String, Double> parse(String text) {
    Map<String, String> types = new HashMap<>();
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ", 2);
        if (!NAME.matcher(parts[0]).matches() || parts.length != 2) {
          throw new IllegalArgumentException("bad comment line: " + line);
        }
        if (line.startsWith("# TYPE ")) {
          if (!parts[1].matches("counter|gauge|summary|histogram|untyped")) {
            throw new IllegalArgumentException("unknown type: " + line);
          }
          if (types.put(parts[0], parts[1]) != null) {
            throw new IllegalArgumentException("family typed twice: " + line);
          }
        }
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("bad sample line: '" + line + "'");
      }
      String name = m.group(1);
      String family = family(name, types);
      String type = types.get(family);
      if (type == null) {
        throw new IllegalArgumentException("sample without a TYPE before it: " + line);
      }
      if (type.equals("counter") && !name.endsWith("_total") && !name.equals(family)) {
        throw new IllegalArgumentException("counter sample name: " + line);
      }
      double value = switch (m.group(3)) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> Double.parseDouble(m.group(3));
      };
      String key = name + (m.group(2) == null ? "" : m.group(2));
      if (samples.put(key, value) != null) {
        throw new IllegalArgumentException("duplicate sample: " + line);
      }
    }
    for (Map.Entry<String, String> t : types.entrySet()) {
      if (t.getValue().equals("histogram")) {
        checkHistogram(t.getKey(), samples);
      }
    }
    return samples;
  }

  private static String family(String name, Map<String, String> types) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (name.endsWith(suffix)) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }

  private static void checkHistogram(String family, Map<String, Double> samples) {
    double previous = 0;
    boolean sawInf = false;
    for (Map.Entry<String, Double> s : samples.entrySet()) {
      if (s.getKey().startsWith(family + "_bucket{")) {
        if (s.getValue() < previous) {
          throw new IllegalArgumentException("histogram " + family + " buckets are not cumulative at " + s.getKey());
        }
        previous = s.getValue();
        sawInf = s.getKey().equals(family + "_bucket{le=\"+Inf\"}");
      }
    }
    Double count = samples.get(family + "_count");
    if (!sawInf || count == null || count != previous || !samples.containsKey(family + "_sum")) {
      throw new IllegalArgumentException("histogram " + family + " lacks a last +Inf bucket equal to _count and _sum");
    }
  }

  public static double value(Map<String, Double> samples, String key) {
    Double v = samples.get(key);
    if (v == null) {
      throw new AssertionError("no sample " + key + " in " + samples.keySet());
    }
    return v;
  }
}
