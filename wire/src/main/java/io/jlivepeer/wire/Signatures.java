package io.jlivepeer.wire;

import io.jlivepeer.payments.Keccak;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Verification side of wire.md "Signatures": Ethereum personal-sign over a 32-byte hash, 65 bytes r||s||v with
 * v in {27, 28}; high s is rejected (EIP-2) so a signature cannot be re-shaped into a second valid one.
 */
public final class Signatures {
  /** Length of r||s||v. */
  public static final int SIGNATURE_LENGTH = 65;
  /** Length of an Ethereum address. */
  public static final int ADDRESS_LENGTH = 20;

  private static final byte[] PERSONAL_PREFIX = "\u0019Ethereum Signed Message:\n32".getBytes(StandardCharsets.US_ASCII);

  private Signatures() {}

  /** keccak256("\x19Ethereum Signed Message:\n32" || hash32): the digest a personal-sign signs. */
  public static byte[] personalMessageHash(byte[] hash32) {
    if (hash32.length != 32) {
      throw new WireException(400, "personal-sign covers a 32-byte hash, got " + hash32.length + " bytes");
    }
    return Keccak.hash(PERSONAL_PREFIX, hash32);
  }

  /**
   * The 20-byte address whose key personal-signed {@code hash32} into {@code signature}. Throws {@link
   * WireException} (403) when the signature is malformed, has high s, or recovers to no key.
   */
  public static byte[] recover(byte[] hash32, byte[] signature) {
    byte[] digest = personalMessageHash(hash32);
    if (signature.length != SIGNATURE_LENGTH) {
      throw new WireException(403, "signature must be 65 bytes r||s||v, got " + signature.length);
    }
    int v = signature[64] & 0xFF;
    if (v != 27 && v != 28) {
      throw new WireException(403, "signature v must be 27 or 28, got " + v);
    }
    BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 0, 32));
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 32, 64));
    if (r.signum() == 0 || r.compareTo(Secp256k1.N) >= 0 || s.signum() == 0 || s.compareTo(Secp256k1.N) >= 0) {
      throw new WireException(403, "signature r or s is out of range");
    }
    if (s.compareTo(Secp256k1.HALF_N) > 0) {
      throw new WireException(403, "signature has a high s value (not canonical, EIP-2); sign with low s");
    }
    ECPoint q = Secp256k1.recover(v - 27, r, s, digest);
    if (q == null) {
      throw new WireException(403, "signature does not recover to any public key");
    }
    return Secp256k1.address(q);
  }

  /** True when {@code signature} is a valid personal-sign of {@code hash32} by {@code address}; never throws on bad input. */
  public static boolean verify(byte[] address, byte[] hash32, byte[] signature) {
    if (address.length != ADDRESS_LENGTH || hash32.length != 32) {
      return false;
    }
    try {
      return MessageDigest.isEqual(recover(hash32, signature), address);
    } catch (WireException e) {
      return false;
    }
  }

  /** EIP-55 mixed-case {@code 0x...} form of a 20-byte address. */
  public static String checksumAddress(byte[] address) {
    if (address.length != ADDRESS_LENGTH) {
      throw new WireException(400, "an Ethereum address is 20 bytes, got " + address.length);
    }
    String lower = HexFormat.of().formatHex(address);
    String hashHex = HexFormat.of().formatHex(Keccak.hash(lower.getBytes(StandardCharsets.US_ASCII)));
    StringBuilder out = new StringBuilder("0x");
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      out.append(Character.digit(hashHex.charAt(i), 16) >= 8 ? Character.toUpperCase(c) : c);
    }
    return out.toString();
  }

  /** Parses a {@code 0x}-prefixed (or bare) 40-hex-digit address, any case. */
  public static byte[] parseAddress(String hex) {
    String digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    if (digits.length() != 40) {
      throw new WireException(400, "an Ethereum address is 40 hex digits, got '" + hex + "'");
    }
    try {
      return HexFormat.of().parseHex(digits.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new WireException(400, "an Ethereum address is 40 hex digits, got '" + hex + "'", e);
    }
  }

  static void put32(BigInteger value, byte[] out, int offset) {
    byte[] raw = value.toByteArray();
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, offset + 32 - copy, copy);
  }
}
