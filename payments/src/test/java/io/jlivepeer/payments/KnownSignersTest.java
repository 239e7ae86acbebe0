package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KnownSignersTest {
  private static final BigInteger N = KnownKeyVerifier.N;
  private final EthKey alice = EthKey.fromHex("a1".repeat(32));
  private final EthKey mallory = EthKey.fromHex("b2".repeat(32));

  private static List<Secp256k1> curves() {
    List<Secp256k1> curves = new ArrayList<>();
    NativeSecp256k1.load(true).ifPresent(curves::add);
    curves.add(new BouncyCastleSecp256k1());
    return curves;
  }

  private static Bytes32 digest(int i) {
    byte[] h = new byte[32];
    h[0] = (byte) i;
    h[31] = (byte) (i >> 8);
    return Bytes32.wrap(h);
  }

  /** Enough genuine tickets for the sender's table to be built. */
  private void makeBusy(Secp256k1 curve, EthKey key) {
    for (int i = 0; i <= KnownSigners.TABLE_AFTER; i++) {
      Bytes32 d = digest(1000 + i);
      assertThat(EthCrypto.isSignedBy(d, EthCrypto.sign(d, key, curve), key.address(), curve)).isTrue();
    }
  }

  @Test
  void busySenderMovesToItsTableAndStillGetsEveryAnswerRight() {
    for (Secp256k1 curve : curves()) {
      KnownSigners signers = new KnownSigners(curve, true);
      for (int i = 0; i <= KnownSigners.TABLE_AFTER; i++) {
        Bytes32 d = digest(i);
        byte[] sig = EthCrypto.sign(d, alice, curve).toBytes();
        assertThat(signers.recoversTo(d.raw(), Arrays.copyOf(sig, 64), sig[64] - 27, alice.address())).isTrue();
      }
      assertThat(signers.hasTable(alice.address())).isTrue();
      for (int i = 100; i < 140; i++) {
        Bytes32 d = digest(i);
        byte[] sig = EthCrypto.sign(d, alice, curve).toBytes();
        byte[] rs = Arrays.copyOf(sig, 64);
        int recid = sig[64] - 27;
        assertThat(signers.recoversTo(d.raw(), rs, recid, alice.address())).isTrue();
        assertThat(signers.recoversTo(d.raw(), rs, 1 - recid, alice.address())).as("flipped v").isFalse();
        assertThat(signers.recoversTo(digest(i + 1).raw(), rs, recid, alice.address())).as("other hash").isFalse();
        byte[] bySomeoneElse = EthCrypto.sign(d, mallory, curve).toBytes();
        assertThat(signers.recoversTo(d.raw(), Arrays.copyOf(bySomeoneElse, 64), bySomeoneElse[64] - 27,
            alice.address())).as("another key's signature").isFalse();
      }
    }
  }

  @Test
  void cachedKeyOfOneSenderDoesNotVouchForAnother() {
    for (Secp256k1 curve : curves()) {
      makeBusy(curve, alice);
      Bytes32 d = digest(7);
      Signature byAlice = EthCrypto.sign(d, alice, curve);
      // alice's genuine signature, but the payment claims to come from mallory
      assertThat(EthCrypto.isSignedBy(d, byAlice, mallory.address(), curve)).isFalse();
      assertThat(EthCrypto.isSignedBy(d, byAlice, alice.address(), curve)).isTrue();
    }
  }

  @Test
  void highSIsRejectedOnTheTablePath() {
    for (Secp256k1 curve : curves()) {
      makeBusy(curve, alice);
      Bytes32 d = digest(9);
      byte[] sig = EthCrypto.sign(d, alice, curve).toBytes();
      BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
      byte[] highS = Ticket.uint256(N.subtract(s));
      System.arraycopy(highS, 0, sig, 32, 32);
      sig[64] = (byte) (sig[64] == 27 ? 28 : 27); // the malleated twin: recovers to alice, refused for its high s
      assertThat(curve.recover(d.raw(), Arrays.copyOf(sig, 64), sig[64] - 27).map(EthCrypto::addressOf))
          .contains(alice.address());
      assertThat(EthCrypto.isSignedBy(d, Signature.of(sig), alice.address(), curve)).isFalse();
    }
  }

  @Test
  void withoutTablesEveryCheckStaysOnRecovery() {
    NativeSecp256k1.load(false).ifPresent(curve -> {
      KnownSigners signers = new KnownSigners(curve, false);
      for (int i = 0; i < KnownSigners.TABLE_AFTER * 2; i++) {
        Bytes32 d = digest(i);
        byte[] sig = EthCrypto.sign(d, alice, curve).toBytes();
        assertThat(signers.recoversTo(d.raw(), Arrays.copyOf(sig, 64), sig[64] - 27, alice.address())).isTrue();
      }
      assertThat(signers.hasTable(alice.address())).isFalse();
    });
  }
}
