package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FlagSourcesTest {
  @TempDir Path dir;

  private static NodeFlags parse(FlagSources sources, String... args) {
    Main main = new Main();
    CommandLine cl = new CommandLine(main);
    cl.setDefaultValueProvider(sources);
    cl.parseArgs(args);
    return main.flags;
  }

  @Test
  void commandLineBeatsEnvironmentBeatsConfigFileBeatsDefault() throws Exception {
    Path config = Files.writeString(dir.resolve("node.conf"), """
        # a reference-style config file
        rtmpAddr 0.0.0.0:1936
        httpAddr=0.0.0.0:9936
        -maxSessions 7
        broadcaster
        """);
    FlagSources sources = FlagSources.forArgs(new String[] {"-config", config.toString()},
        Map.of("LP_HTTPADDR", "127.0.0.1:8000", "LP_TRANSCODINGOPTIONS", "P144p30fps16x9"));
    NodeFlags flags = parse(sources, "-config", config.toString(), "-transcodingOptions", "P720p30fps16x9");
    assertThat(flags.transcodingOptions).isEqualTo("P720p30fps16x9"); // command line
    assertThat(flags.httpAddr).isEqualTo("127.0.0.1:8000"); // environment over file
    assertThat(flags.rtmpAddr).isEqualTo("0.0.0.0:1936"); // file
    assertThat(flags.maxSessions).isEqualTo(7);
    assertThat(flags.broadcaster).isTrue(); // a bare name in the file sets a boolean
    assertThat(flags.segmentDuration).isEqualTo("2s"); // default
  }

  @Test
  void goStyleBooleanAndEqualsFormsParse() {
    NodeFlags flags = parse(new FlagSources(Map.of(), Map.of()), "-broadcaster=true", "-rtmpAddr=:1935", "-v", "5");
    assertThat(flags.broadcaster).isTrue();
    assertThat(flags.rtmpAddr).isEqualTo(":1935");
    assertThat(flags.verbosity).isEqualTo(5);
  }

  @Test
  void configFileIsFoundThroughTheEnvironmentToo() throws Exception {
    Path config = Files.writeString(dir.resolve("env.conf"), "rtmpAddr 127.0.0.1:2000\n");
    FlagSources sources = FlagSources.forArgs(new String[0], Map.of("LP_CONFIG", config.toString()));
    assertThat(parse(sources).rtmpAddr).isEqualTo("127.0.0.1:2000");
  }

  @Test
  void rejectsAMissingConfigFileWithTheFlagNamed() {
    assertThatThrownBy(() -> FlagSources.forArgs(new String[] {"-config=" + dir.resolve("nope.conf")}, Map.of()))
        .isInstanceOf(CliException.class).hasMessageContaining("cannot read config file").hasMessageContaining("-config");
  }

  @Test
  void rejectsAGarbledConfigLineWithItsNumber() throws Exception {
    Path config = Files.writeString(dir.resolve("bad.conf"), "rtmpAddr 1.2.3.4:1\n$$$ what\n");
    assertThatThrownBy(() -> FlagSources.readConfigFile(config)).isInstanceOf(CliException.class)
        .hasMessageContaining("line 2");
  }

  @Test
  void parsesAddressesAndDurationsLikeTheReferenceNode() {
    assertThat(HostPort.parse("rtmpAddr", ":1935").getPort()).isEqualTo(1935);
    assertThat(HostPort.parse("rtmpAddr", "127.0.0.1:1936").getHostString()).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> HostPort.parse("rtmpAddr", "localhost")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> HostPort.parse("rtmpAddr", "h:99999")).hasMessageContaining("0-65535");
    assertThat(Durations.parse("d", "1m30s").toMillis()).isEqualTo(90_000);
    assertThat(Durations.parse("d", "500ms").toMillis()).isEqualTo(500);
    assertThat(Durations.parse("d", "2s").toMillis()).isEqualTo(2000);
    assertThatThrownBy(() -> Durations.parse("segmentDuration", "2 seconds")).hasMessageContaining("-segmentDuration");
  }

  @Test
  void orchAddrSwitchesTheBroadcasterToRemoteTranscodingAndLocalStaysTheDefault() {
    NodeFlags local = parse(new FlagSources(Map.of(), Map.of()), "-broadcaster", "-dataDir", dir.toString());
    assertThat(Main.remoteTranscoder(local, Main.broadcasterConfig(local))).isEmpty();

    NodeFlags remote = parse(new FlagSources(Map.of(), Map.of()), "-broadcaster", "-dataDir", dir.toString(),
        "-orchAddr", "127.0.0.1:1, 127.0.0.1:2", "-maxAttempts", "2");
    assertThat(remote.maxAttempts).isEqualTo(2);
    // nothing listens on ports 1 and 2: discovery fails, B still starts (each O is retried per segment)
    try (io.jlivepeer.node.broadcaster.RemoteTranscoder t = Main.remoteTranscoder(remote, Main.broadcasterConfig(remote))
        .orElseThrow()) {
      assertThat(t.pool().scores()).hasSize(2).allMatch(s -> s.startsWith("127.0.0.1:"));
      assertThat(dir.resolve(io.jlivepeer.node.broadcaster.RemoteTranscoder.KEY_FILE)).exists();
    }
  }

  @Test
  void refusesToStartWithoutARoleAndSaysWhichToChoose() {
    var err = new java.io.StringWriter();
    CommandLine cl = Main.commandLine(new FlagSources(Map.of(), Map.of()));
    cl.setErr(new java.io.PrintWriter(err));
    java.io.PrintStream original = System.err;
    var captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(cl.execute()).isEqualTo(2);
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("-broadcaster");
  }
}
