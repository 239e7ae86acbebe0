package io.jlivepeer.node.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Drives B's dashboard in a real headless Chromium for the browser tests (node's and cli's): Debian's chromium
 * through playwright-core from npm ({@code node/src/test/dashboard/check-dashboard.js}, the packages from
 * {@code node/src/test/dashboard}, installed by the node module's build).
 */
public final class DashboardBrowser {
  /** How far the player's {@code video.currentTime} must advance (issue 11's acceptance). */
  public static final int ADVANCE_SECONDS = 4;

  private DashboardBrowser() {}

  /**
   * What check-dashboard.js saw.
   *
   * @param json its RESULT line: live, startTime, endTime, advanced, text (the stream card's text), console,
   *     recording ({currentTime, duration} or null), error (absent when every step passed)
   */
  public record Result(JsonNode json) {
    public boolean live() {
      return json.path("live").asBoolean();
    }

    public double advanced() {
      return json.path("advanced").asDouble();
    }

    public String error() {
      return json.path("error").asText("");
    }

    public String cardText() {
      return json.path("text").asText("");
    }

    /** The whole page's text at the end (network panel included). */
    public String pageText() {
      return json.path("pageText").asText("");
    }

    /** The refused-key message the page showed ({@link #refusedKey}). */
    public String keyPrompt() {
      return json.path("keyPrompt").asText("");
    }

    public double recordingTime() {
      return json.path("recording").path("currentTime").asDouble();
    }

    @Override
    public String toString() {
      return json.toString();
    }
  }

  /**
   * Chromium ({@code /usr/bin/chromium} or {@code LIVEPEER_CHROMIUM}). Missing: the test is skipped with the command
   * that installs it, or fails under {@code CI=true} (.ci/run installs it).
   */
  public static Path chromium() {
    String configured = System.getenv("LIVEPEER_CHROMIUM");
    Path path = Path.of(configured != null && !configured.isBlank() ? configured : "/usr/bin/chromium");
    if (Files.isExecutable(path)) {
      return path;
    }
    String message = "the dashboard's browser test needs headless Chromium at " + path + ", which is missing: install"
        + " it with `apt-get install -y chromium` (Debian/Ubuntu, as root) or point LIVEPEER_CHROMIUM at a Chromium"
        + " or Chrome binary";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(message + " (.ci/run installs it; under CI=true this test does not skip)");
    }
    Assumptions.abort(message);
    throw new AssertionError(message); // not reached
  }

  /**
   * Opens {@code url} with a fresh profile under {@code work}, waits for {@code stream}'s card to show it live and its
   * player to play, measures how far {@code video.currentTime} advances (up to {@link #ADVANCE_SECONDS}), with
   * {@code recording} also plays the stream's first ready recording; writes {@code screenshot}.
   */
  public static Result check(String url, String stream, Path screenshot, Path work, boolean recording)
      throws Exception {
    return run(url, stream, screenshot, work, recording ? "--recording" : "");
  }

  /** Opens {@code url} expecting the page to refuse its key: {@link Result#keyPrompt()} is the reason it shows. */
  public static Result refusedKey(String url, Path screenshot, Path work) throws Exception {
    return run(url, "", screenshot, work, "--expect-key-prompt");
  }

  private static Result run(String url, String stream, Path screenshot, Path work, String mode) throws Exception {
    Path chromium = chromium();
    Path module = nodeModule();
    Path modules = module.resolve("src/test/dashboard/node_modules");
    if (!Files.isDirectory(modules.resolve("playwright-core"))) {
      throw new AssertionError(modules.resolve("playwright-core") + " is missing: the node module's build installs it"
          + " (npm ci in node/src/test/dashboard at generate-test-resources; ./mvnw -pl node -am"
          + " generate-test-resources, or `node node/src/main/dashboard/build.js --install-only --package"
          + " node/src/test/dashboard`)");
    }
    Files.createDirectories(screenshot.toAbsolutePath().getParent());
    List<String> cmd = new ArrayList<>(List.of("node", module.resolve("src/test/dashboard/check-dashboard.js")
            .toString(), "--modules", modules.toString(), "--chromium", chromium.toString(), "--url", url, "--stream",
        stream, "--advance", Integer.toString(ADVANCE_SECONDS), "--timeout", "60", "--screenshot",
        screenshot.toAbsolutePath().toString(), "--profile", Files.createTempDirectory(work, "chromium-profile")
            .toString()));
    if (!mode.isEmpty()) {
      cmd.add(mode);
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the browser check did not finish within 90 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    String line = text.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("the browser check printed no result (exit " + p.exitValue() + "):\n"
            + text));
    return new Result(new ObjectMapper().readTree(line.substring("RESULT ".length())));
  }

  /** node's module folder: the working folder of node's tests, or ../node from a sibling module's. */
  private static Path nodeModule() {
    Path here = Path.of("").toAbsolutePath();
    for (Path candidate : List.of(here, here.resolveSibling("node"))) {
      if (Files.isRegularFile(candidate.resolve("src/main/dashboard/build.js"))) {
        return candidate;
      }
    }
    throw new AssertionError("cannot find node/src/main/dashboard from " + here + "; run the test from its module");
  }
}
