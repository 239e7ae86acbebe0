package io.jlivepeer.wire;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * An in-memory secp256k1 key: signs with deterministic k (RFC 6979), always low s (wire.md "Signatures").
 * Keep it out of logs: {@link #toString()} shows only the address.
 */
public final class EthKeyPair implements EthSigner {
  private final BigInteger privateKey;
  private final ECPoint publicKey;
  private final byte[] address;

  private EthKeyPair(BigInteger privateKey) {
    if (privateKey.signum() <= 0 || privateKey.compareTo(Secp256k1.N) >= 0) {
      throw new WireException(400, "private key is out of the secp256k1 range [1, n-1]");
    }
    this.privateKey = privateKey;
    this.publicKey = Secp256k1.publicPoint(privateKey);
    this.address = Secp256k1.address(publicKey);
  }

  /** A key from its 32-byte big-endian private scalar. */
  public static EthKeyPair fromPrivateKey(byte[] privateKey32) {
    if (privateKey32.length != 32) {
      throw new WireException(400, "a secp256k1 private key is 32 bytes, got " + privateKey32.length);
    }
    return new EthKeyPair(new BigInteger(1, privateKey32));
  }

  /** A fresh random key. */
  public static EthKeyPair generate(SecureRandom random) {
    while (true) {
      byte[] candidate = new byte[32];
      random.nextBytes(candidate);
      BigInteger k = new BigInteger(1, candidate);
      if (k.signum() > 0 && k.compareTo(Secp256k1.N) < 0) {
        return new EthKeyPair(k);
      }
    }
  }

  /** The 32-byte big-endian private scalar (for a keystore; never log it). */
  public byte[] privateKey() {
    byte[] raw = privateKey.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }

  /** The 64-byte uncompressed public key x||y. */
  public byte[] publicKey() {
    byte[] encoded = publicKey.getEncoded(false);
    return Arrays.copyOfRange(encoded, 1, encoded.length);
  }

  @Override
  public byte[] address() {
    return address.clone();
  }

  /** The EIP-55 checksummed {@code 0x...} address. */
  public String checksumAddress() {
    return Signatures.checksumAddress(address);
  }

  @Override
  public byte[] personalSign(byte[] hash32) {
    return signDigest(Signatures.personalMessageHash(hash32));
  }

  /** Signs a 32-byte digest as is (no personal-sign prefix): r||s||v, low s, v in {27, 28}. */
  byte[] signDigest(byte[] digest) {
    if (digest.length != 32) {
      throw new WireException(400, "can only sign a 32-byte hash, got " + digest.length + " bytes");
    }
    // ECDSA written out (RFC 6979 nonce as BouncyCastle's signer uses) so that the recovery id comes from R's y
    // parity: finding it by trial recovery cost one or two ecrecovers per signature, on every segment of B and O.
    BigInteger n = Secp256k1.N;
    BigInteger e = new BigInteger(1, digest);
    HMacDSAKCalculator nonces = new HMacDSAKCalculator(new SHA256Digest());
    nonces.init(n, privateKey, digest);
    FixedPointCombMultiplier base = new FixedPointCombMultiplier();
    while (true) {
      BigInteger k = nonces.nextK();
      ECPoint bigR = base.multiply(Secp256k1.DOMAIN.getG(), k).normalize();
      BigInteger x = bigR.getAffineXCoord().toBigInteger();
      BigInteger r = x.mod(n);
      if (r.signum() == 0) {
        continue;
      }
      BigInteger s = k.modInverse(n).multiply(e.add(privateKey.multiply(r))).mod(n);
      if (s.signum() == 0) {
        continue;
      }
      // an x of R at or above n (odds about 2^-128) would need recovery id 2 or 3, which Ethereum cannot express
      if (x.compareTo(n) >= 0) {
        continue;
      }
      int recId = bigR.getAffineYCoord().toBigInteger().testBit(0) ? 1 : 0;
      if (s.compareTo(Secp256k1.HALF_N) > 0) {
        s = n.subtract(s); // EIP-2: only low s is accepted by verifiers; negating s mirrors R
        recId ^= 1;
      }
      byte[] sig = new byte[65];
      Signatures.put32(r, sig, 0);
      Signatures.put32(s, sig, 32);
      sig[64] = (byte) (27 + recId);
      return sig;
    }
  }

  @Override
  public String toString() {
    return "EthKeyPair[" + checksumAddress() + "]";
  }
}
