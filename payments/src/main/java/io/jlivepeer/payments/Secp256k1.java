package io.jlivepeer.payments;

import java.util.Optional;

/** The elliptic-curve operations payments needs, with a native (libsecp256k1) and a BouncyCastle implementation. */
interface Secp256k1 {
  String name();

  /** 64-byte uncompressed public key (x || y, no 0x04 prefix) of a valid 32-byte private key. */
  byte[] publicKey(byte[] privateKey);

  /**
   * Deterministic (RFC 6979) low-s signature: r (32) || s (32) || recid (1, 0 or 1). publicKey64 is the key's
   * public key, passed in for backends that find the recovery id by recovering and comparing.
   */
  byte[] sign(byte[] hash32, byte[] privateKey, byte[] publicKey64);

  /** The 64-byte public key that signed hash32, or empty when r/s/recid describe no valid signature. */
  Optional<byte[]> recover(byte[] hash32, byte[] rs64, int recid);

  /**
   * Whether recovering (hash32, rs64, recid) gives {@code signer}'s key. Implementations may answer without a full
   * recovery, but the answer must be exactly the recovery's (the recovery id included: the contract uses v).
   */
  default boolean recoversTo(byte[] hash32, byte[] rs64, int recid, EthAddress signer) {
    return recover(hash32, rs64, recid).map(EthCrypto::addressOf).filter(signer::equals).isPresent();
  }
}
