package io.jlivepeer.chain;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.PaymentsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.WalletUtils;
import org.web3j.crypto.exception.CipherException;

/**
 * geth-compatible JSON keystores (Web3 Secret Storage, scrypt) in one directory, by default
 * {@code <dataDir>/keystore}. Files are named like geth names them ({@code UTC--<time>--<address>}), so a
 * keystore made here opens in geth, clef or MetaMask and the other way round.
 */
public final class Keystores {
  private Keystores() {}

  /**
   * Creates a new random account encrypted with the password.
   *
   * @param light use light scrypt parameters (fast, for tests and dev chains) instead of geth's standard ones
   * @return the file written
   */
  public static Path create(Path dir, String password, boolean light) {
    try {
      return write(dir, password, org.web3j.crypto.Keys.createEcKeyPair(), light);
    } catch (java.security.GeneralSecurityException e) {
      throw new ChainException("cannot create a key: " + e.getMessage(), e);
    }
  }

  /** Encrypts a known private key (for example an anvil dev account) into a new keystore file. */
  public static Path importKey(Path dir, String password, String privateKeyHex, boolean light) {
    if (!WalletUtils.isValidPrivateKey(privateKeyHex)) {
      throw new ChainException("not a private key: expected 64 hex digits");
    }
    return write(dir, password, Credentials.create(privateKeyHex).getEcKeyPair(), light);
  }

  private static Path write(Path dir, String password, ECKeyPair pair, boolean light) {
    try {
      Files.createDirectories(dir);
      String name = WalletUtils.generateWalletFile(password, pair, dir.toFile(), !light);
      return dir.resolve(name);
    } catch (IOException e) {
      throw new ChainException("cannot write a keystore file in " + dir + ": " + e.getMessage(), e);
    } catch (CipherException e) {
      throw new ChainException("cannot encrypt the key: " + e.getMessage(), e);
    }
  }

  /** The accounts with a keystore file in the directory (none when it does not exist). */
  public static List<EthAddress> accounts(Path dir) {
    List<EthAddress> out = new ArrayList<>();
    for (Path f : files(dir)) {
      address(f).ifPresent(out::add);
    }
    return out;
  }

  /**
   * Loads the account's key. The directory may also be a keystore file itself.
   *
   * @throws ChainException "wrong password for keystore FILE", or when no file holds the account
   */
  public static Credentials load(Path dirOrFile, EthAddress account, String password) {
    Path file = Files.isRegularFile(dirOrFile) ? dirOrFile : find(dirOrFile, account);
    return decrypt(file, password);
  }

  /** Loads the only key in the directory (or the file itself); fails clearly when there are none or several. */
  public static Credentials loadOnly(Path dirOrFile, String password) {
    if (Files.isRegularFile(dirOrFile)) {
      return decrypt(dirOrFile, password);
    }
    List<Path> keys = files(dirOrFile).stream().filter(f -> address(f).isPresent()).toList();
    if (keys.isEmpty()) {
      throw new ChainException("no keystore file in " + dirOrFile + "; create an account first or point -ethKeystorePath at one");
    }
    if (keys.size() > 1) {
      throw new ChainException(
          keys.size() + " keystore files in " + dirOrFile + "; choose one with -ethAcctAddr or point -ethKeystorePath at a file");
    }
    return decrypt(keys.getFirst(), password);
  }

  /**
   * Reads a password given on the command line: the content of the file when the text names an existing
   * file (first line, like geth's --password), else the text itself.
   */
  public static String password(String textOrFile) {
    try {
      Path p = Path.of(textOrFile);
      if (!textOrFile.isEmpty() && Files.isRegularFile(p)) {
        String content = Files.readString(p, StandardCharsets.UTF_8);
        int nl = content.indexOf('\n');
        return (nl >= 0 ? content.substring(0, nl) : content).stripTrailing();
      }
    } catch (java.nio.file.InvalidPathException | IOException e) {
      // Not a readable file name: it is the password itself.
    }
    return textOrFile;
  }

  private static Credentials decrypt(Path file, String password) {
    try {
      return WalletUtils.loadCredentials(password, file.toFile());
    } catch (CipherException e) {
      if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("password")) {
        throw new ChainException("wrong password for keystore " + file);
      }
      throw new ChainException("cannot decrypt keystore " + file + ": " + e.getMessage());
    } catch (IOException e) {
      throw new ChainException("cannot read keystore " + file + ": " + e.getMessage() + " (is it a geth JSON keystore?)");
    } catch (RuntimeException e) {
      throw new ChainException("cannot read keystore " + file + ": not a geth JSON keystore (" + e.getMessage() + ")");
    }
  }

  private static Path find(Path dir, EthAddress account) {
    for (Path f : files(dir)) {
      if (address(f).filter(account::equals).isPresent()) {
        return f;
      }
    }
    throw new ChainException("no keystore file for account " + account + " in " + dir);
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new ChainException("cannot list keystore directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The address field of a keystore file, when the file is one. */
  static Optional<EthAddress> address(Path file) {
    try {
      JsonNode n = EthRpc.JSON.readTree(file.toFile());
      if (n != null && n.path("address").isTextual() && (n.has("crypto") || n.has("Crypto"))) {
        return Optional.of(EthAddress.of(n.path("address").asText()));
      }
    } catch (IOException | ChainException | PaymentsException e) {
      // Not a keystore file: ignored like geth ignores stray files.
    }
    return Optional.empty();
  }
}
