package io.jlivepeer.node.studio;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;

/**
 * API keys: 32 random bytes shown once, as 64 hex characters. Only their SHA-256 is stored: a key has 256 bits of
 * entropy, so a slow password hash would add nothing, and a leaked database gives no usable key.
 */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  /**
   * Creates a key in the broadcaster's data dir ({@code livepeer cli apikey}); works while the node runs (it reads
   * keys from the same file on each request). Returns the key, which is not stored anywhere in clear.
   */
  public static String create(Path dataDir, String name, Clock clock) {
    try (StudioStore store = StudioStore.open(dataDir)) {
      return create(store, name, clock);
    }
  }

  static String create(StudioStore store, String name, Clock clock) {
    if (name.length() > 200) {
      throw new StudioException("an API key name is at most 200 characters");
    }
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String key = HexFormat.of().formatHex(raw);
    store.addKey(hash(key), name, clock.millis());
    return key;
  }

  static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
