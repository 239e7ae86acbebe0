package io.jlivepeer.payments;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;

/** An Ethereum key pair from a 32-byte private key. toString never prints the private key. */
public final class EthKey {
  private static final BigInteger N =
      new BigInteger("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16);

  private final byte[] privateKey;
  private final byte[] publicKey;
  private final EthAddress address;

  private EthKey(byte[] privateKey) {
    this.privateKey = privateKey;
    this.publicKey = EthCrypto.backend().publicKey(privateKey);
    this.address = EthCrypto.addressOf(publicKey);
  }

  public static EthKey fromPrivateKey(byte[] privateKey32) {
    if (privateKey32.length != 32) {
      throw new PaymentsException("a private key is 32 bytes, got " + privateKey32.length);
    }
    BigInteger d = new BigInteger(1, privateKey32);
    if (d.signum() == 0 || d.compareTo(N) >= 0) {
      throw new PaymentsException("not a valid secp256k1 private key (zero or not below the curve order)");
    }
    return new EthKey(privateKey32.clone());
  }

  public static EthKey fromHex(String hex) {
    String h = hex.startsWith("0x") ? hex.substring(2) : hex;
    try {
      return fromPrivateKey(HexFormat.of().parseHex(h));
    } catch (IllegalArgumentException e) {
      throw new PaymentsException("not a private key: expected 64 hex digits");
    }
  }

  public static EthKey random(SecureRandom random) {
    while (true) {
      byte[] k = new byte[32];
      random.nextBytes(k);
      BigInteger d = new BigInteger(1, k);
      if (d.signum() > 0 && d.compareTo(N) < 0) {
        return new EthKey(k);
      }
    }
  }

  public EthAddress address() {
    return address;
  }

  /** The 32-byte private key, for writing a key file; never log it. */
  public byte[] privateKey() {
    return privateKey.clone();
  }

  /** Personal-signs a 32-byte hash (see {@link EthCrypto#signPersonal}). */
  public Signature signPersonal(Bytes32 hash) {
    return EthCrypto.signPersonal(hash, this);
  }

  byte[] publicKeyBytes() {
    return publicKey;
  }

  byte[] privateKeyBytes() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "EthKey[" + address + "]";
  }
}
