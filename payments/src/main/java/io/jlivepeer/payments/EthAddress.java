package io.jlivepeer.payments;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/** A 20-byte Ethereum address, stored as lower-case hex with 0x; printed in EIP-55 checksummed form. */
public record EthAddress(String hex) {
  public static final EthAddress ZERO = new EthAddress("0x0000000000000000000000000000000000000000");

  public EthAddress {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != 42 || !hex.startsWith("0x") || !isLowerHex(hex, 2)) {
      throw new PaymentsException("not an Ethereum address: " + hex);
    }
  }

  /**
   * Parses "0x" + 40 hex digits (prefix optional); mixed case must carry a valid EIP-55 checksum, which catches most
   * typing mistakes. The messages are written for an operator who typed the address.
   */
  public static EthAddress of(String text) {
    if (text == null) {
      throw new PaymentsException("not an Ethereum address: (missing)");
    }
    String t = text.strip();
    String digits = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
    if (digits.length() != 40 || !isHex(digits)) {
      throw new PaymentsException("not an Ethereum address: \"" + text + "\" (expected 0x followed by 40 hex digits)");
    }
    String lower = digits.toLowerCase(Locale.ROOT);
    EthAddress address = new EthAddress("0x" + lower);
    boolean mixed = !digits.equals(lower) && !digits.equals(digits.toUpperCase(Locale.ROOT));
    if (mixed && !address.toString().substring(2).equals(digits)) {
      throw new PaymentsException(
          "not an Ethereum address: \"" + text + "\" has a wrong EIP-55 checksum (a typo?); expected " + address);
    }
    return address;
  }

  public static EthAddress of(byte[] twentyBytes) {
    if (twentyBytes.length != 20) {
      throw new PaymentsException("not an Ethereum address: " + twentyBytes.length + " bytes instead of 20");
    }
    return new EthAddress("0x" + HexFormat.of().formatHex(twentyBytes));
  }

  public byte[] toBytes() {
    return HexFormat.of().parseHex(hex, 2, 42);
  }

  public boolean isZero() {
    return equals(ZERO);
  }

  /** EIP-55: upper-case a hex letter when the matching nibble of keccak256(lower-case hex) is >= 8. */
  @Override
  public String toString() {
    String lower = hex.substring(2);
    byte[] h = EthCrypto.keccak256(lower.getBytes(StandardCharsets.US_ASCII));
    StringBuilder sb = new StringBuilder("0x");
    for (int i = 0; i < 40; i++) {
      char c = lower.charAt(i);
      int nibble = (h[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf;
      sb.append(nibble >= 8 ? Character.toUpperCase(c) : c);
    }
    return sb.toString();
  }

  /** ASCII hex digits only: Character.digit would also take other scripts' digits. */
  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerHex(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
