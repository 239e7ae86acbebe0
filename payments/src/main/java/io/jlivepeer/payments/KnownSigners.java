package io.jlivepeer.payments;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Public keys of senders already seen, and for busy senders a {@link KnownKeyVerifier}: the per-backend cache
 * behind {@link Secp256k1#recoversTo}. A sender's first ticket is checked by full recovery and comparison of the
 * address; later ones by recovery and comparison of the public key (no address hash); after {@link #TABLE_AFTER}
 * of those, by the sender's precomputed table, which gives recovery's exact answer (v included) at about the
 * native library's speed and three to four times BouncyCastle's.
 */
final class KnownSigners {
  /** Tickets checked by recovery before a sender's table is built (about 30 ms of CPU and 1.5 MB). */
  static final int TABLE_AFTER = 16;
  /** At most this many tables at once; senders beyond it stay on recovery. */
  static final int MAX_TABLES = 16;
  private static final int MAX_KNOWN_SIGNERS = 4096;

  private static final class KnownSigner {
    final byte[] publicKey;
    int verified; // a heuristic count: a lost update only delays the table
    volatile KnownKeyVerifier verifier;

    KnownSigner(byte[] publicKey) {
      this.publicKey = publicKey;
    }
  }

  private final Secp256k1 curve;
  private final boolean tables;
  private final ConcurrentHashMap<EthAddress, KnownSigner> signers = new ConcurrentHashMap<>();

  KnownSigners(Secp256k1 curve, boolean tables) {
    this.curve = curve;
    this.tables = tables;
  }

  boolean recoversTo(byte[] hash32, byte[] rs64, int recid, EthAddress signer) {
    KnownSigner known = signers.get(signer);
    if (known != null) {
      KnownKeyVerifier verifier = known.verifier;
      if (verifier != null) {
        return verifier.recoversTo(hash32, rs64, recid);
      }
    }
    Optional<byte[]> pub = curve.recover(hash32, rs64, recid);
    if (pub.isEmpty()) {
      return false;
    }
    if (known != null) {
      if (!Arrays.equals(known.publicKey, pub.get())) {
        return false;
      }
      if (tables && ++known.verified >= TABLE_AFTER && tableCount() < MAX_TABLES) {
        known.verifier = KnownKeyVerifier.forPublicKey(known.publicKey);
      }
      return true;
    }
    if (!EthCrypto.addressOf(pub.get()).equals(signer)) {
      return false;
    }
    if (signers.size() >= MAX_KNOWN_SIGNERS) {
      signers.clear(); // crude bound; a few hundred broadcasters per orchestrator is already a lot
    }
    signers.put(signer, new KnownSigner(pub.get()));
    return true;
  }

  /** Whether the signer's checks now go through its table (for tests). */
  boolean hasTable(EthAddress signer) {
    KnownSigner known = signers.get(signer);
    return known != null && known.verifier != null;
  }

  private int tableCount() {
    int n = 0;
    for (KnownSigner k : signers.values()) {
      if (k.verifier != null) {
        n++;
      }
    }
    return n;
  }
}
