package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.chain.Keystores;
import io.jlivepeer.payments.Wei;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to the chain flags and the cli command: clear one-line errors, no stack traces. */
class ChainCommandsTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void wrongPasswordIsOneLineNamingTheKeystore() {
    Path file = Keystores.create(dir.resolve("keys"), "right", true);
    Run r = run("chain", "-network", "custom", "-ethUrl", "http://127.0.0.1:1", "-ethController",
        "0x0000000000000000000000000000000000000001", "-ethKeystorePath", dir.resolve("keys").toString(), "-ethPassword", "wrong");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("error: wrong password for keystore " + file);
  }

  @Test
  void unreachableRpcNamesTheUrl() throws Exception {
    Keystores.create(dir.resolve("keys"), "pw", true);
    String url = "http://127.0.0.1:" + freePort();
    Run r = run("chain", "-network", "custom", "-ethUrl", url, "-ethController", "0x0000000000000000000000000000000000000001",
        "-ethKeystorePath", dir.resolve("keys").toString(), "-ethPassword", "pw", "-cliAddr", "127.0.0.1:0");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: cannot reach the Ethereum JSON-RPC endpoint at " + url).contains("check -ethUrl");
    assertThat(r.err()).doesNotContain("\tat ");
  }

  @Test
  void malformedControllerAddressIsRejectedBeforeConnecting() {
    Run r = run("chain", "-network", "custom", "-ethUrl", "http://127.0.0.1:1", "-ethController", "0x1234",
        "-datadir", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("error: -ethController: not an Ethereum address: \"0x1234\" (expected 0x followed by 40 hex digits)");
  }

  @Test
  void mistypedChecksumOfAnAccountAddressIsOneLine() {
    String typo = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
    Run r = run("chain", "-network", "custom", "-ethUrl", "http://127.0.0.1:1", "-ethController", typo,
        "-datadir", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("error: -ethController: not an Ethereum address: \"" + typo
        + "\" has a wrong EIP-55 checksum (a typo?); expected 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  }

  @Test
  void devchainRefusesAMalformedTokenAmountBeforeStarting() {
    Run r = run("devchain", "-datadir", dir.toString(), "-lptEach", "lots");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip())
        .isEqualTo("error: not an amount: \"lots\" (expected a decimal number with at most 18 decimals)");
  }

  @Test
  void devchainWithoutADevchainSaysWhatToStart() {
    Run r = run("chain", "-network", "devchain", "-datadir", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("start `livepeer devchain` first");
  }

  @Test
  void missingFlagsForACustomNetworkAreNamed() {
    assertThat(run("chain", "-network", "custom", "-datadir", dir.toString()).err()).contains("needs -ethUrl");
    assertThat(run("chain", "-network", "custom", "-ethUrl", "http://127.0.0.1:1", "-datadir", dir.toString()).err())
        .contains("needs -ethController");
    assertThat(run("chain", "-network", "offchain").err()).contains("has no chain");
  }

  @Test
  void cliCommandExplainsAnAbsentNode() throws Exception {
    int port = freePort();
    Run r = run("cli", "-cliAddr", "127.0.0.1:" + port, "currentRound");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: cannot reach the node's CLI API at http://127.0.0.1:" + port).contains("is the node running?");
  }

  @Test
  void cliCommandListsCommandsAndRejectsUnknownOnes() {
    assertThat(run("cli").out()).contains("bond", "activateOrchestrator", "delegatorInfo");
    Run r = run("cli", "frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown command \"frobnicate\"");
    assertThat(run("cli", "bond", "amount").err()).contains("parameters are name=value");
  }

  @Test
  void amountsAcceptWeiAndTokenUnits() {
    assertThat(ChainApiServer.amount("amount", "1000")).isEqualTo(Wei.of(1000));
    assertThat(ChainApiServer.amount("amount", "1.5LPT")).isEqualTo(Wei.ofEther("1.5"));
    assertThat(ChainApiServer.amount("amount", "0.1 ETH")).isEqualTo(Wei.ofEther("0.1"));
    assertThat(ChainApiServer.amount("amount", "5gwei")).isEqualTo(Wei.of(5_000_000_000L));
    assertThatThrownBy(() -> ChainApiServer.amount("amount", "-3")).hasMessageStartingWith("amount: not an amount: \"-3\"");
    assertThatThrownBy(() -> ChainApiServer.amount("amount", "lots")).isInstanceOf(ChainUsageException.class);
  }

  @Test
  void percentagesBecomePartsPerMillion() {
    var p = ChainApiServer.Params.parse("blockRewardCut=10&feeShare=12.5", "");
    assertThat(p.percent("blockRewardCut")).isEqualTo(100_000);
    assertThat(p.percent("feeShare")).isEqualTo(125_000);
    assertThatThrownBy(() -> ChainApiServer.Params.parse("feeShare=101", "").percent("feeShare"))
        .hasMessageContaining("between 0 and 100");
    assertThatThrownBy(() -> ChainApiServer.Params.parse("", "").required("toAddr")).hasMessage("missing parameter toAddr");
    assertThat(ChainApiServer.Params.parse("a=1", "a=2&b=x%20y").values()).containsEntry("a", "1").containsEntry("b", "x y");
  }

  @Test
  void cliApiBindsOnlyToLoopback() {
    assertThatThrownBy(() -> ChainApiServer.loopback("0.0.0.0:7935")).hasMessageContaining("must be a loopback address");
    assertThat(ChainApiServer.loopback("127.0.0.1:0").getAddress().isLoopbackAddress()).isTrue();
    assertThatThrownBy(() -> ChainApiServer.loopback("7935")).hasMessageContaining("expected host:port");
  }

  @Test
  void pollingIntervalTakesSecondsOrUnits() {
    assertThat(ChainOptions.parseDuration("-x", "2")).isEqualTo(Duration.ofSeconds(2));
    assertThat(ChainOptions.parseDuration("-x", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ChainOptions.parseDuration("-x", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThatThrownBy(() -> ChainOptions.parseDuration("-x", "0")).hasMessageContaining("not a positive duration");
  }
}
