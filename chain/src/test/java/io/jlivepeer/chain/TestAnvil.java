package io.jlivepeer.chain;

import java.util.List;
import org.web3j.crypto.Credentials;

/** Test helper: an {@link Anvil} chain (automine) plus the keys of its prefunded dev accounts. */
final class TestAnvil implements AutoCloseable {
  /** anvil's well-known dev keys (its default mnemonic "test test ... junk"): public test material. */
  static final List<String> KEYS =
      List.of(
          "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
          "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
          "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
          "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");

  private final Anvil anvil;
  final String url;

  private TestAnvil(Anvil anvil) {
    this.anvil = anvil;
    this.url = anvil.rpcUrl();
  }

  static TestAnvil start() {
    return new TestAnvil(Anvil.start(AnvilConfig.defaults()));
  }

  static Credentials account(int i) {
    return Credentials.create(KEYS.get(i));
  }

  @Override
  public void close() {
    anvil.close();
  }
}
