package io.jlivepeer.wire;

/**
 * Something that signs as an Ethereum account: an in-memory key here, later a keystore-backed account in
 * {@code chain}. Every signature of wire.md is a personal-sign over a 32-byte hash.
 */
public interface EthSigner {
  /** The 20-byte account address. */
  byte[] address();

  /**
   * Ethereum personal-sign of {@code hash32}: secp256k1 over keccak256("\x19Ethereum Signed Message:\n32" ||
   * hash32), 65 bytes r||s||v with low s and v in {27, 28}.
   */
  byte[] personalSign(byte[] hash32);
}
