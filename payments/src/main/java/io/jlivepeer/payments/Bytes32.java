package io.jlivepeer.payments;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable 32-byte value: a hash, a seed, a block hash. */
public final class Bytes32 {
  public static final Bytes32 ZERO = new Bytes32(new byte[32]);

  private final byte[] bytes;

  private Bytes32(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Bytes32 of(byte[] bytes) {
    if (bytes.length != 32) {
      throw new PaymentsException("expected 32 bytes, got " + bytes.length);
    }
    return new Bytes32(bytes.clone());
  }

  /** Parses 64 hex digits, with or without 0x. */
  public static Bytes32 fromHex(String hex) {
    String h = hex.startsWith("0x") ? hex.substring(2) : hex;
    if (h.length() != 64) {
      throw new PaymentsException("expected 64 hex digits, got \"" + hex + "\"");
    }
    try {
      return new Bytes32(HexFormat.of().parseHex(h));
    } catch (IllegalArgumentException e) {
      throw new PaymentsException("expected 64 hex digits, got \"" + hex + "\"");
    }
  }

  /** Owns the array: only for arrays nobody else keeps. */
  static Bytes32 wrap(byte[] bytes) {
    return new Bytes32(bytes);
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The internal array, for hashing without a copy; callers must not modify it. */
  byte[] raw() {
    return bytes;
  }

  public boolean isZero() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  public String hex() {
    return "0x" + HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes32 b && Arrays.equals(bytes, b.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
