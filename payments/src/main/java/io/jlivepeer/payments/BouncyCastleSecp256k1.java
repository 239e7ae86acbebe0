package io.jlivepeer.payments;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/** Pure-Java secp256k1 on BouncyCastle's custom curve (GLV endomorphism), the fallback when no native library loads. */
final class BouncyCastleSecp256k1 implements Secp256k1 {
  private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");
  private static final BigInteger N = PARAMS.getN();
  private static final BigInteger HALF_N = N.shiftRight(1);
  private static final ECCurve CURVE = PARAMS.getCurve();
  private static final ECPoint G = PARAMS.getG();

  @Override
  public String name() {
    return "bouncycastle";
  }

  @Override
  public byte[] publicKey(byte[] privateKey) {
    ECPoint q = new FixedPointCombMultiplier().multiply(G, new BigInteger(1, privateKey)).normalize();
    return Arrays.copyOfRange(q.getEncoded(false), 1, 65);
  }

  /**
   * ECDSA written out, with the RFC 6979 nonce BouncyCastle's ECDSASigner uses (so the same r and s), so that the
   * recovery id comes from R's y parity: finding it by trial recovery would cost one or two recoveries per signature.
   */
  @Override
  public byte[] sign(byte[] hash32, byte[] privateKey, byte[] pub) {
    BigInteger d = new BigInteger(1, privateKey);
    BigInteger e = new BigInteger(1, hash32);
    HMacDSAKCalculator nonces = new HMacDSAKCalculator(new SHA256Digest());
    nonces.init(N, d, hash32);
    FixedPointCombMultiplier base = new FixedPointCombMultiplier();
    while (true) {
      BigInteger k = nonces.nextK();
      ECPoint bigR = base.multiply(G, k).normalize();
      BigInteger x = bigR.getAffineXCoord().toBigInteger();
      BigInteger r = x.mod(N);
      // an x of R at or above n (odds about 2^-128) would need recovery id 2 or 3, which Ethereum cannot express
      if (r.signum() == 0 || x.compareTo(N) >= 0) {
        continue;
      }
      BigInteger s = k.modInverse(N).multiply(e.add(d.multiply(r))).mod(N);
      if (s.signum() == 0) {
        continue;
      }
      int recid = bigR.getAffineYCoord().toBigInteger().testBit(0) ? 1 : 0;
      if (s.compareTo(HALF_N) > 0) {
        s = N.subtract(s); // Ethereum only accepts the low-s form (EIP-2); negating s mirrors R
        recid ^= 1;
      }
      byte[] out = new byte[65];
      Ticket.putUint(out, 0, r);
      Ticket.putUint(out, 32, s);
      out[64] = (byte) recid;
      return out;
    }
  }

  private final KnownSigners knownSigners = new KnownSigners(this, true);

  @Override
  public boolean recoversTo(byte[] hash32, byte[] rs64, int recid, EthAddress signer) {
    return knownSigners.recoversTo(hash32, rs64, recid, signer);
  }

  @Override
  public Optional<byte[]> recover(byte[] hash32, byte[] rs64, int recid) {
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(rs64, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(rs64, 32, 64));
    if (r.signum() == 0 || s.signum() == 0 || r.compareTo(N) >= 0 || s.compareTo(N) >= 0 || recid < 0 || recid > 1) {
      return Optional.empty();
    }
    // R has x = r (x >= n happens with probability ~2^-128; Ethereum's v cannot express it) and the parity of recid.
    byte[] compressed = new byte[33];
    compressed[0] = (byte) (0x02 + recid);
    Ticket.putUint(compressed, 1, r);
    ECPoint rPoint;
    try {
      rPoint = CURVE.decodePoint(compressed);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // r is not the x of a curve point
    }
    // Q = r^-1 (s R - e G), as one simultaneous multiplication
    BigInteger e = new BigInteger(1, hash32);
    BigInteger rInv = r.modInverse(N);
    BigInteger a = rInv.multiply(s).mod(N);
    BigInteger b = N.subtract(e).multiply(rInv).mod(N);
    ECPoint q = ECAlgorithms.sumOfTwoMultiplies(rPoint, a, G, b).normalize();
    if (q.isInfinity()) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOfRange(q.getEncoded(false), 1, 65));
  }
}
