package io.jlivepeer.wire;

import java.util.HexFormat;

/** Hand-written byte fixtures: hex with spaces and {@code |} as field separators for readability. */
final class Hex {
  private Hex() {}

  static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
