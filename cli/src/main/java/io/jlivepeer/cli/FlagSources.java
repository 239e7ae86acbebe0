package io.jlivepeer.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where a flag's value comes from when it is not on the command line, in the reference node's order:
 * command line, then an {@code LP_}-prefixed environment variable ({@code -rtmpAddr} -> {@code LP_RTMPADDR}),
 * then the {@code -config} file (one {@code flagName value} per line, {@code #} comments), then the default.
 */
final class FlagSources implements CommandLine.IDefaultValueProvider {
  static final String ENV_PREFIX = "LP_";

  private final Map<String, String> env;
  private final Map<String, String> file;

  FlagSources(Map<String, String> env, Map<String, String> file) {
    this.env = Map.copyOf(env);
    this.file = Map.copyOf(file);
  }

  /** Builds the sources for a command line: finds {@code -config} in args (or LP_CONFIG) and reads it. */
  static FlagSources forArgs(String[] args, Map<String, String> env) {
    Optional<String> configPath = findConfigArg(args);
    if (configPath.isEmpty()) {
      configPath = Optional.ofNullable(env.get(ENV_PREFIX + "CONFIG")).filter(s -> !s.isBlank());
    }
    Map<String, String> file = configPath.map(p -> readConfigFile(Path.of(p))).orElse(Map.of());
    return new FlagSources(env, file);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option)) {
      return null; // picocli's contract: null = no value from this provider
    }
    String name = flagName(option);
    String fromEnv = env.get(ENV_PREFIX + name.toUpperCase(Locale.ROOT));
    if (fromEnv != null) {
      return fromEnv;
    }
    String fromFile = file.get(name.toLowerCase(Locale.ROOT));
    if (fromFile != null) {
      return fromFile;
    }
    return option.defaultValue();
  }

  /** The reference-style name of an option without dashes: {@code -rtmpAddr} -> {@code rtmpAddr}. */
  static String flagName(OptionSpec option) {
    String longest = option.longestName();
    int i = 0;
    while (i < longest.length() && longest.charAt(i) == '-') {
      i++;
    }
    return longest.substring(i);
  }

  private static Optional<String> findConfigArg(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      for (String prefix : List.of("-config", "--config")) {
        if (a.equals(prefix) && i + 1 < args.length) {
          return Optional.of(args[i + 1]);
        }
        if (a.startsWith(prefix + "=")) {
          return Optional.of(a.substring(prefix.length() + 1));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Reads a reference-style config file: each non-blank line is {@code name value} (or {@code name=value});
   * the name may carry leading dashes; a line with a name alone sets a boolean flag to true.
   */
  static Map<String, String> readConfigFile(Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException("cannot read config file " + path + ": " + e.getMessage()
          + " (check the -config path)");
    }
    Map<String, String> values = new HashMap<>();
    int lineNo = 0;
    for (String raw : lines) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sep = indexOfSeparator(line);
      String name = (sep < 0 ? line : line.substring(0, sep)).strip().replaceFirst("^-+", "");
      String value = sep < 0 ? "true" : line.substring(sep + 1).strip();
      if (name.isEmpty() || !name.chars().allMatch(Character::isLetterOrDigit)) {
        throw new CliException("config file " + path + " line " + lineNo + ": expected 'flagName value', got '"
            + line + "'");
      }
      values.put(name.toLowerCase(Locale.ROOT), value); // flag names match case-insensitively, like env names
    }
    return values;
  }

  private static int indexOfSeparator(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t' || c == '=') {
        return i;
      }
    }
    return -1;
  }
}
