package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** -objectStore / -recordObjectStore: a bad URL stops the broadcaster before it listens, without showing the secret. */
class ObjectStoreFlagsTest {
  @TempDir Path dir;

  @Test
  void aBadRecordStoreUrlIsRefusedAtStartWithAClearErrorAndNoSecret() {
    String out = run("-broadcaster", "-dataDir", dir.toString(), "-rtmpAddr", "127.0.0.1:0", "-httpAddr",
        "127.0.0.1:0", "-recordObjectStore", "s3+http://AKIA:topsecret@127.0.0.1:9000/Bad_Bucket");
    assertThat(out).contains("error: object store URL s3+http://127.0.0.1:9000/Bad_Bucket has an invalid bucket name")
        .doesNotContain("topsecret").doesNotContain("AKIA");
  }

  @Test
  void anUnknownSchemeNamesTheFormsThatWork() {
    String out = run("-broadcaster", "-dataDir", dir.toString(), "-rtmpAddr", "127.0.0.1:0", "-httpAddr",
        "127.0.0.1:0", "-objectStore", "gs://bucket/x");
    assertThat(out).contains("unsupported object store URL scheme 'gs'").contains("s3+http(s)://")
        .contains("file:///");
  }

  @Test
  void flagsBecomeTheStoreSetup() {
    Main main = new Main();
    CommandLine cl = new CommandLine(main);
    cl.setDefaultValueProvider(new FlagSources(java.util.Map.of(), java.util.Map.of()));
    cl.parseArgs("-broadcaster", "-objectStore", "file:///tmp/live", "-recordObjectStore", "s3+http://k:s@h/rec");
    var setup = Main.storeSetup(main.flags);
    assertThat(setup.objectStore()).contains("file:///tmp/live");
    assertThat(setup.recordObjectStore()).contains("s3+http://k:s@h/rec");
    assertThat(setup.recordWhen().test("any-stream")).isTrue();
    assertThat(setup.toString()).doesNotContain("k:s");
  }

  private static String run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    assertThat(code).isEqualTo(2);
    return err.toString();
  }
}
