package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./livepeer} launcher script as a user meets it: on a fresh clone of the committed repository (the working
 * tree's uncommitted files are not in it, as on CI), so its first start really builds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherIT {
  /** The clone's first build runs in 1-3 minutes (the whole reactor, from the local Maven repository). */
  private static final Duration BUILD_LIMIT = Duration.ofMinutes(4);

  @TempDir static Path work;
  private static Path clone;

  @BeforeAll
  static void cloneTheRepository() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent(); // failsafe runs in cli/
    String head = run(repo, "git", "rev-parse", "HEAD").strip();
    clone = work.resolve("jlivepeer");
    run(work, "git", "clone", "--quiet", "--no-hardlinks", "--no-checkout", repo.toString(), clone.toString());
    run(clone, "git", "checkout", "--quiet", "--detach", head); // this commit, whatever the source's HEAD names
  }

  @Test
  @Order(1)
  void parallelFirstStartsBuildOnceAndBothRun() throws Exception {
    Launcher first = Launcher.start("first", Map.of(), "--version");
    Launcher second = Launcher.start("second", Map.of(), "--version");
    first.await();
    second.await();
    String both = "\n--- first launcher (exit " + first.exit + "):\n" + first.output()
        + "\n--- second launcher (exit " + second.exit + "):\n" + second.output()
        + "\n--- cli/build.log (tail):\n" + tail(clone.resolve("cli/build.log"), 40);

    assertThat(first.exit).as("first launcher's exit" + both).isZero();
    assertThat(second.exit).as("second launcher's exit" + both).isZero();
    for (Launcher l : List.of(first, second)) {
      assertThat(l.output()).as(l.name + " launcher ran the node CLI" + both).contains("jlivepeer ");
    }
    long builds = List.of(first, second).stream().filter(l -> l.output().contains("livepeer: building (")).count();
    long waits = List.of(first, second).stream()
        .filter(l -> l.output().contains("livepeer: another launcher is building; waiting...")).count();
    assertThat(builds).as("launchers that ran a build" + both).isEqualTo(1);
    assertThat(waits).as("launchers that waited for it" + both).isEqualTo(1);
  }

  @Test
  @Order(2)
  void missingSystemLibraryPrintsTheInstallCommandAndDoesNotStartJava() throws Exception {
    // `demo --version` would print the version and exit 0 if the JVM started.
    Map<String, String> missing =
        Map.of("LIVEPEER_SYSTEM_LIBS_ASSUME_MISSING", "libpulse.so.0 libva.so.2 libva-drm.so.2");
    Launcher l = Launcher.start("libs", missing, "demo", "--version");
    l.await();
    String out = "\n--- launcher (exit " + l.exit + "):\n" + l.output();

    assertThat(l.exit).as("exit" + out).isEqualTo(1);
    assertThat(l.output()).as(out)
        .contains("missing: libpulse.so.0 libva.so.2 libva-drm.so.2")
        .contains("Debian/Ubuntu: sudo apt-get install libpulse0 libva2 libva-drm2")
        .contains("Fedora:        sudo dnf install pulseaudio-libs libva")
        .doesNotContain("jlivepeer ");
  }

  /** One {@code ./livepeer} process on the clone, its output (stdout and stderr) in a file. */
  private static final class Launcher {
    final String name;
    final Process process;
    final Path log;
    int exit = -1;

    private Launcher(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    static Launcher start(String name, Map<String, String> env, String... args) throws IOException {
      List<String> command = new ArrayList<>();
      command.add("./livepeer");
      command.addAll(List.of(args));
      Path log = work.resolve(name + ".log");
      ProcessBuilder pb = new ProcessBuilder(command).directory(clone.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      // The outer Maven's variables would point the clone's build at this checkout.
      pb.environment().keySet().removeIf(k -> k.startsWith("MAVEN_"));
      pb.environment().put("MAVEN_ARGS", mavenArgs());
      pb.environment().putAll(env);
      return new Launcher(name, pb.start(), log);
    }

    void await() throws InterruptedException {
      if (!process.waitFor(BUILD_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
        throw new AssertionError(name + " launcher still ran after " + BUILD_LIMIT + ":\n" + output());
      }
      exit = process.exitValue();
    }

    String output() {
      try {
        return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * The clone builds offline from the local repository this build uses: this build has just resolved the same modules,
   * and the test should not depend on the network.
   */
  private static String mavenArgs() {
    return "-o -Dmaven.repo.local=" + System.getProperty("livepeer.it.localRepository",
        Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
  }

  private static String tail(Path file, int lines) throws IOException {
    if (!Files.exists(file)) {
      return "(none)";
    }
    List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static String run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed in " + dir + ":\n" + out);
    }
    return out;
  }
}
