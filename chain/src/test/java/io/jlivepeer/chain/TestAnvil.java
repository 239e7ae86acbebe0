package io.jlivepeer.chain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.crypto.Credentials;

/** Test helper: an anvil dev chain on a loopback ephemeral port, from the contracts toolchain's npm package. */
final class TestAnvil implements AutoCloseable {
  /** anvil's well-known dev keys (mnemonic "test test ... junk"), public test material. */
  static final List<String> KEYS =
      List.of(
          "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
          "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
          "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
          "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");

  private final Process process;
  final String url;

  private TestAnvil(Process p, String url) {
    this.process = p;
    this.url = url;
  }

  static TestAnvil start(String... extraArgs) throws Exception {
    Path bin = binary();
    List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--host", "127.0.0.1", "--port", "0", "--accounts", "4"));
    cmd.addAll(List.of(extraArgs));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      Pattern re = Pattern.compile("Listening on (\\S+)");
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = re.matcher(line);
          if (m.find()) {
            listening.complete("http://" + m.group(1));
          }
        }
      } catch (IOException e) {
        listening.completeExceptionally(e);
      }
      listening.completeExceptionally(new IOException("anvil exited"));
    });
    return new TestAnvil(p, listening.get(20, TimeUnit.SECONDS));
  }

  static Path binary() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path b = d.resolve("contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
      if (Files.isExecutable(b)) {
        return b;
      }
    }
    throw new IllegalStateException("anvil not found: build the chain module first (npm ci in contracts/)");
  }

  static Credentials account(int i) {
    return Credentials.create(KEYS.get(i));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
