package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.payments.EthAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

class KeystoresTest {
  @TempDir Path dir;

  @Test
  void createsGethNamedFileAndLoadsItByAddressOrAsTheOnlyOne() {
    Path file = Keystores.create(dir.resolve("keystore"), "s3cret", true);
    assertThat(file.getFileName().toString()).startsWith("UTC--");
    EthAddress account = Keystores.accounts(dir.resolve("keystore")).getFirst();
    assertThat(file.getFileName().toString()).contains("--" + account.hex().substring(2));

    Credentials byAddress = Keystores.load(dir.resolve("keystore"), account, "s3cret");
    Credentials only = Keystores.loadOnly(dir.resolve("keystore"), "s3cret");
    assertThat(EthAddress.of(byAddress.getAddress())).isEqualTo(account);
    assertThat(only.getEcKeyPair()).isEqualTo(byAddress.getEcKeyPair());
    assertThat(EthAddress.of(Keystores.loadOnly(file, "s3cret").getAddress())).isEqualTo(account);
  }

  @Test
  void wrongPasswordNamesTheFileWithoutCause() {
    Path file = Keystores.create(dir, "right", true);
    assertThatThrownBy(() -> Keystores.loadOnly(dir, "wrong"))
        .isInstanceOf(ChainException.class)
        .hasMessage("wrong password for keystore " + file)
        .hasNoCause();
  }

  @Test
  void importsAKnownKey() {
    // anvil's first dev account (public test key).
    String key = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    Keystores.importKey(dir, "", key, true);
    assertThat(Keystores.accounts(dir)).containsExactly(EthAddress.of("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
  }

  @Test
  void explainsMissingAndAmbiguousKeystores() throws Exception {
    assertThatThrownBy(() -> Keystores.loadOnly(dir, "x")).hasMessageStartingWith("no keystore file in " + dir);
    Files.writeString(dir.resolve("notes.txt"), "not a key");
    Keystores.create(dir, "x", true);
    Keystores.create(dir, "x", true);
    assertThatThrownBy(() -> Keystores.loadOnly(dir, "x")).hasMessageStartingWith("2 keystore files in " + dir);
    EthAddress stranger = EthAddress.of("0x00000000000000000000000000000000000000aa");
    assertThatThrownBy(() -> Keystores.load(dir, stranger, "x")).hasMessageStartingWith("no keystore file for account " + stranger);
  }

  @Test
  void readsPasswordFromFileOrTakesTextAsIs() throws Exception {
    Path pw = Files.writeString(dir.resolve("pw"), "from-file\nignored\n");
    assertThat(Keystores.password(pw.toString())).isEqualTo("from-file");
    assertThat(Keystores.password("literal password")).isEqualTo("literal password");
    assertThat(Keystores.password("")).isEmpty();
  }
}
