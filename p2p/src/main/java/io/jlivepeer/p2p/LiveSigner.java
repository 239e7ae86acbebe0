package io.jlivepeer.p2p;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * The injector's live signing key (RFC 7574 section 6.1): Ed25519 from the JDK (DNSSEC algorithm 15, 64-byte
 * signatures). The swarm identifier is the raw 32-byte public key, so a peer that knows the swarm can check every
 * munro without trusting anyone who forwards it.
 */
final class LiveSigner {
  /** X.509 SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): SEQUENCE, AlgorithmIdentifier 1.3.101.112. */
  private static final byte[] X509_PREFIX = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
  static final int PUBLIC_KEY_BYTES = 32;

  private final KeyPair keys;
  private final byte[] swarmId;

  private LiveSigner(KeyPair keys) {
    this.keys = keys;
    byte[] encoded = keys.getPublic().getEncoded();
    this.swarmId = Arrays.copyOfRange(encoded, encoded.length - PUBLIC_KEY_BYTES, encoded.length);
  }

  static LiveSigner generate() {
    try {
      return new LiveSigner(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no Ed25519", e);
    }
  }

  byte[] swarmId() {
    return swarmId.clone();
  }

  byte[] sign(ChunkRange munro, long timestamp, byte[] root) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(keys.getPrivate());
      s.update(Merkle.signedBytes(munro, timestamp, root));
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** Checks signatures of the swarm whose identifier is {@code swarmId}. */
  static final class Verifier {
    private final PublicKey key;

    Verifier(byte[] swarmId) {
      if (swarmId.length != PUBLIC_KEY_BYTES) {
        throw new P2pException("swarm id must be a " + PUBLIC_KEY_BYTES + "-byte Ed25519 public key, got "
            + swarmId.length + " bytes");
      }
      byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + PUBLIC_KEY_BYTES);
      System.arraycopy(swarmId, 0, encoded, X509_PREFIX.length, PUBLIC_KEY_BYTES);
      try {
        this.key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
      } catch (GeneralSecurityException e) {
        throw new P2pException("swarm id is not a valid Ed25519 public key", e);
      }
    }

    boolean verify(ChunkRange munro, long timestamp, byte[] root, byte[] signature) {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(Merkle.signedBytes(munro, timestamp, root));
        return s.verify(signature);
      } catch (GeneralSecurityException e) {
        return false; // a malformed signature is a bad signature
      }
    }
  }
}
