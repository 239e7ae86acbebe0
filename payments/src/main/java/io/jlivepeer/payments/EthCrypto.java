package io.jlivepeer.payments;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Ethereum hashing and signatures for tickets. The curve backend is libsecp256k1 (native) when it loads, else
 * BouncyCastle; {@code -Djlivepeer.secp256k1=bouncycastle} forces the pure-Java one.
 */
public final class EthCrypto {
  /** "\x19Ethereum Signed Message:\n32": the personal-sign prefix the TicketBroker's signature check uses. */
  private static final byte[] PERSONAL_PREFIX = "\u0019Ethereum Signed Message:\n32".getBytes(StandardCharsets.US_ASCII);
  private static final BigInteger HALF_N =
      new BigInteger("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", 16);
  private static final BigInteger N =
      new BigInteger("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16);

  private static final byte[] N_BYTES = Ticket.uint256(N);
  private static final byte[] HALF_N_BYTES = Ticket.uint256(HALF_N);

  private static final Secp256k1 BACKEND = chooseBackend(System.getProperty("jlivepeer.secp256k1", "auto"));

  private EthCrypto() {}

  static Secp256k1 chooseBackend(String choice) {
    if (choice.equalsIgnoreCase("bouncycastle") || choice.equalsIgnoreCase("bc")) {
      return new BouncyCastleSecp256k1();
    }
    return NativeSecp256k1.load().orElseGet(BouncyCastleSecp256k1::new);
  }

  static Secp256k1 backend() {
    return BACKEND;
  }

  /** Which curve implementation is in use, for logs and benchmarks. */
  public static String backendName() {
    return BACKEND.name();
  }

  public static byte[] keccak256(byte[]... parts) {
    return Keccak.hash(parts);
  }

  /** keccak256("\x19Ethereum Signed Message:\n32" || hash): what a personal signature actually signs. */
  public static Bytes32 personalHash(Bytes32 hash) {
    return Bytes32.wrap(keccak256(PERSONAL_PREFIX, hash.raw()));
  }

  /** Personal-signs a 32-byte hash: r || s || v, v in {27, 28}, s in the lower half of the curve order. */
  public static Signature signPersonal(Bytes32 hash, EthKey key) {
    return sign(personalHash(hash), key, BACKEND);
  }

  static Signature sign(Bytes32 digest, EthKey key, Secp256k1 curve) {
    byte[] sig = curve.sign(digest.raw(), key.privateKeyBytes(), key.publicKeyBytes());
    sig[64] = (byte) (sig[64] + 27);
    return Signature.wrap(sig);
  }

  /**
   * The address that personal-signed {@code hash}, or empty for a malformed signature: v not 27/28, r or s out of
   * range, or a high s (malleable form, which the contract's ECDSA library refuses too).
   */
  public static Optional<EthAddress> recoverPersonal(Bytes32 hash, Signature signature) {
    return recover(personalHash(hash), signature, BACKEND);
  }

  static Optional<EthAddress> recover(Bytes32 digest, Signature signature, Secp256k1 curve) {
    if (!wellFormed(signature)) {
      return Optional.empty();
    }
    byte[] sig = signature.raw();
    return curve.recover(digest.raw(), Arrays.copyOf(sig, 64), sig[64] - 27).map(EthCrypto::addressOf);
  }

  /**
   * Whether {@code signer} personal-signed {@code hash}: the same answer as comparing {@link #recoverPersonal} with
   * the signer, v included, but backends may get there faster when the signer's key is already known.
   */
  public static boolean isPersonalSignedBy(Bytes32 hash, Signature signature, EthAddress signer) {
    return isSignedBy(personalHash(hash), signature, signer, BACKEND);
  }

  static boolean isSignedBy(Bytes32 digest, Signature signature, EthAddress signer, Secp256k1 curve) {
    if (!wellFormed(signature)) {
      return false;
    }
    byte[] sig = signature.raw();
    return curve.recoversTo(digest.raw(), Arrays.copyOf(sig, 64), sig[64] - 27, signer);
  }

  /** v is 27 or 28, 0 < r < n, 0 < s <= n/2 (EIP-2 low s). */
  private static boolean wellFormed(Signature signature) {
    return malformation(signature).isEmpty();
  }

  /** Why a signature is not well formed (see {@link #wellFormed}), or empty when it is. */
  static Optional<String> malformation(Signature signature) {
    byte[] sig = signature.raw();
    int v = sig[64] & 0xff;
    if (v != 27 && v != 28) {
      return Optional.of("signature v must be 27 or 28, got " + v);
    }
    // unsigned big-endian byte order is numeric order: no BigInteger needed
    if (isZero(sig, 0) || Arrays.compareUnsigned(sig, 0, 32, N_BYTES, 0, 32) >= 0
        || isZero(sig, 32) || Arrays.compareUnsigned(sig, 32, 64, N_BYTES, 0, 32) >= 0) {
      return Optional.of("signature r or s is out of range");
    }
    if (Arrays.compareUnsigned(sig, 32, 64, HALF_N_BYTES, 0, 32) > 0) {
      // the twin (n - s, other v) of a valid signature: refused so that a signature cannot be re-shaped into a second
      return Optional.of("signature has a high s value (not canonical, EIP-2); sign with low s");
    }
    return Optional.empty();
  }

  private static boolean isZero(byte[] b, int from) {
    for (int i = from; i < from + 32; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The address of a 64-byte uncompressed public key: the last 20 bytes of its keccak256. */
  static EthAddress addressOf(byte[] publicKey64) {
    byte[] h = keccak256(publicKey64);
    return EthAddress.of(Arrays.copyOfRange(h, 12, 32));
  }
}
