package io.jlivepeer.chain;

import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import org.web3j.crypto.Keys;

/**
 * A 20-byte Ethereum account or contract address. Stored lower case; printed in its EIP-55 checksummed
 * form. Mixed-case input must carry a valid EIP-55 checksum, which catches most typing mistakes.
 */
public record EthAddress(String hex) {
  public static final EthAddress ZERO = new EthAddress("0x0000000000000000000000000000000000000000");
  private static final Pattern HEX40 = Pattern.compile("(0[xX])?[0-9a-fA-F]{40}");

  public EthAddress {
    Objects.requireNonNull(hex, "hex");
    if (!hex.matches("0x[0-9a-f]{40}")) {
      throw new ChainException("not an Ethereum address: " + hex);
    }
  }

  /** Parses "0x" followed by 40 hex digits (the prefix is optional); mixed case must be a valid checksum. */
  public static EthAddress of(String text) {
    if (text == null) {
      throw new ChainException("not an Ethereum address: (missing)");
    }
    String t = text.strip();
    if (!HEX40.matcher(t).matches()) {
      throw new ChainException("not an Ethereum address: \"" + text + "\" (expected 0x followed by 40 hex digits)");
    }
    String digits = t.length() == 42 ? t.substring(2) : t;
    boolean mixed = !digits.equals(digits.toLowerCase()) && !digits.equals(digits.toUpperCase());
    EthAddress address = new EthAddress("0x" + digits.toLowerCase());
    if (mixed && !address.toString().substring(2).equals(digits)) {
      throw new ChainException(
          "not an Ethereum address: \"" + text + "\" has a wrong EIP-55 checksum (a typo?); expected " + address);
    }
    return address;
  }

  public static EthAddress of(byte[] twentyBytes) {
    if (twentyBytes.length != 20) {
      throw new ChainException("not an Ethereum address: " + twentyBytes.length + " bytes instead of 20");
    }
    return new EthAddress("0x" + HexFormat.of().formatHex(twentyBytes));
  }

  public byte[] toBytes() {
    return HexFormat.of().parseHex(hex.substring(2));
  }

  public boolean isZero() {
    return equals(ZERO);
  }

  /** The EIP-55 checksummed form. */
  @Override
  public String toString() {
    return Keys.toChecksumAddress(hex);
  }
}
