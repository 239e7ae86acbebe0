package io.jlivepeer.payments;

import java.util.Arrays;
import java.util.Optional;

/** libsecp256k1 through ACINQ's JNI binding (fr.acinq.secp256k1); about ten times faster than BouncyCastle. */
final class NativeSecp256k1 implements Secp256k1 {
  private final fr.acinq.secp256k1.Secp256k1 lib;

  private NativeSecp256k1(fr.acinq.secp256k1.Secp256k1 lib, boolean tables) {
    this.lib = lib;
    this.knownSigners = new KnownSigners(this, tables);
  }

  /** Loads the native library; empty when it is not available for this platform. */
  static Optional<Secp256k1> load() {
    return load(true);
  }

  /** tables: whether busy senders get a {@link KnownKeyVerifier} (false keeps every check on native recovery). */
  static Optional<Secp256k1> load(boolean tables) {
    try {
      NativeSecp256k1 n = new NativeSecp256k1(fr.acinq.secp256k1.Secp256k1.get(), tables);
      n.publicKey(selfTestKey()); // forces the library to load now rather than on the first ticket
      return Optional.of(n);
    } catch (LinkageError | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static byte[] selfTestKey() {
    byte[] k = new byte[32];
    k[31] = 1;
    return k;
  }

  @Override
  public String name() {
    return "libsecp256k1 (native)";
  }

  @Override
  public byte[] publicKey(byte[] privateKey) {
    byte[] pub = lib.pubkeyCreate(privateKey); // 65 bytes, 0x04 prefix
    return Arrays.copyOfRange(pub, 1, 65);
  }

  @Override
  public byte[] sign(byte[] hash32, byte[] privateKey, byte[] pub) {
    byte[] rs = lib.sign(hash32, privateKey); // compact 64 bytes, already low-s
    for (int recid = 0; recid < 2; recid++) {
      Optional<byte[]> candidate = recover(hash32, rs, recid);
      if (candidate.isPresent() && Arrays.equals(candidate.get(), pub)) {
        byte[] out = Arrays.copyOf(rs, 65);
        out[64] = (byte) recid;
        return out;
      }
    }
    throw new PaymentsException("could not compute the recovery id of a fresh signature (a bug)");
  }

  private final KnownSigners knownSigners;

  @Override
  public boolean recoversTo(byte[] hash32, byte[] rs64, int recid, EthAddress signer) {
    return knownSigners.recoversTo(hash32, rs64, recid, signer);
  }

  @Override
  public Optional<byte[]> recover(byte[] hash32, byte[] rs64, int recid) {
    try {
      byte[] pub = lib.ecdsaRecover(rs64, hash32, recid);
      if (pub.length == 65) {
        return Optional.of(Arrays.copyOfRange(pub, 1, 65));
      }
      return pub.length == 64 ? Optional.of(pub) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty(); // the library throws for signatures that recover nothing
    }
  }
}
