package io.jlivepeer.payments;

import java.util.Arrays;
import java.util.HexFormat;

/** A 65-byte Ethereum signature r (32) || s (32) || v (1, 27 or 28), as the TicketBroker expects it. */
public final class Signature {
  private final byte[] bytes;

  private Signature(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Any 65 bytes; whether they verify is decided by {@link EthCrypto#recoverPersonal}. */
  public static Signature of(byte[] bytes) {
    if (bytes.length != 65) {
      throw new PaymentsException("a signature is 65 bytes (r || s || v), got " + bytes.length);
    }
    return new Signature(bytes.clone());
  }

  static Signature wrap(byte[] bytes) {
    return new Signature(bytes);
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  byte[] raw() {
    return bytes;
  }

  public int v() {
    return bytes[64] & 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signature s && Arrays.equals(bytes, s.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "0x" + HexFormat.of().formatHex(bytes);
  }
}
