package io.jlivepeer.wire;

import io.jlivepeer.payments.Keccak;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9IntegerConverter;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.custom.sec.SecP256K1Curve;

/** The curve arithmetic behind {@link Signatures} and {@link EthKeyPair}: public-key recovery per SEC 1 section 4.1.6. */
final class Secp256k1 {
  static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");
  static final ECDomainParameters DOMAIN =
      new ECDomainParameters(PARAMS.getCurve(), PARAMS.getG(), PARAMS.getN(), PARAMS.getH());
  static final BigInteger N = PARAMS.getN();
  static final BigInteger HALF_N = N.shiftRight(1);

  private Secp256k1() {}

  static ECPoint publicPoint(BigInteger privateKey) {
    return new FixedPointCombMultiplier().multiply(DOMAIN.getG(), privateKey).normalize();
  }

  /** keccak256 of the 64-byte uncompressed public key (no 0x04 prefix), last 20 bytes. */
  static byte[] address(ECPoint publicKey) {
    byte[] encoded = publicKey.getEncoded(false);
    byte[] hash = Keccak.hash(Arrays.copyOfRange(encoded, 1, encoded.length));
    return Arrays.copyOfRange(hash, 12, 32);
  }

  /** The public key that produced (r, s) over {@code digest} with recovery id {@code recId} (0 or 1), or null. */
  static ECPoint recover(int recId, BigInteger r, BigInteger s, byte[] digest) {
    BigInteger x = r; // recId 2 and 3 (x >= n) do not occur for Ethereum's v in {27, 28}
    BigInteger prime = SecP256K1Curve.q;
    if (x.compareTo(prime) >= 0) {
      return null;
    }
    ECPoint bigR = decompress(x, (recId & 1) == 1);
    if (!bigR.multiply(N).isInfinity()) {
      return null;
    }
    BigInteger e = new BigInteger(1, digest);
    BigInteger eInv = BigInteger.ZERO.subtract(e).mod(N);
    BigInteger rInv = r.modInverse(N);
    BigInteger srInv = rInv.multiply(s).mod(N);
    BigInteger eInvrInv = rInv.multiply(eInv).mod(N);
    ECPoint q = ECAlgorithms.sumOfTwoMultiplies(DOMAIN.getG(), eInvrInv, bigR, srInv).normalize();
    return q.isInfinity() ? null : q;
  }

  private static ECPoint decompress(BigInteger x, boolean yOdd) {
    X9IntegerConverter converter = new X9IntegerConverter();
    byte[] compressed = converter.integerToBytes(x, 1 + converter.getByteLength(DOMAIN.getCurve()));
    compressed[0] = (byte) (yOdd ? 0x03 : 0x02);
    return DOMAIN.getCurve().decodePoint(compressed);
  }
}
