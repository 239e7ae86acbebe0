package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class EthCryptoTest {
  private static final BigInteger N =
      new BigInteger("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16);
  private static final List<Secp256k1> BACKENDS = backends();

  private static List<Secp256k1> backends() {
    return NativeSecp256k1.load().map(n -> List.of(n, (Secp256k1) new BouncyCastleSecp256k1()))
        .orElse(List.of(new BouncyCastleSecp256k1()));
  }

  @Test
  void keccakOfEmptyInputIsTheKnownConstant() {
    assertThat(HexFormat.of().formatHex(EthCrypto.keccak256(new byte[0])))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  }

  @Test
  void privateKeyOneHasTheKnownAddress() {
    byte[] one = new byte[32];
    one[31] = 1;
    for (Secp256k1 curve : BACKENDS) {
      assertThat(EthCrypto.addressOf(curve.publicKey(one)))
          .isEqualTo(EthAddress.of("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"));
    }
  }

  @Test
  void printsAddressesInEip55Form() {
    EthAddress a = EthAddress.of("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    assertThat(a.toString()).isEqualTo("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    assertThatThrownBy(() -> EthAddress.of("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))
        .isInstanceOf(PaymentsException.class).hasMessageContaining("checksum");
  }

  @Test
  void personalHashUsesTheEthereumPrefix() {
    Bytes32 h = Bytes32.fromHex("42".repeat(32));
    byte[] prefixed = new byte[28 + 32];
    System.arraycopy("\u0019Ethereum Signed Message:\n32".getBytes(StandardCharsets.US_ASCII), 0, prefixed, 0, 28);
    System.arraycopy(h.toBytes(), 0, prefixed, 28, 32);
    assertThat(EthCrypto.personalHash(h)).isEqualTo(Bytes32.wrap(EthCrypto.keccak256(prefixed)));
  }

  @Test
  void signThenRecoverGivesTheSignerOnEveryBackend() {
    SecureRandom random = new SecureRandom();
    for (Secp256k1 curve : BACKENDS) {
      for (int i = 0; i < 20; i++) {
        EthKey key = EthKey.random(random);
        byte[] h = new byte[32];
        random.nextBytes(h);
        Bytes32 digest = Bytes32.wrap(h);
        Signature sig = EthCrypto.sign(digest, key, curve);
        assertThat(sig.v()).isIn(27, 28);
        assertThat(new BigInteger(1, java.util.Arrays.copyOfRange(sig.toBytes(), 32, 64)))
            .isLessThanOrEqualTo(N.shiftRight(1));
        for (Secp256k1 verifier : BACKENDS) {
          assertThat(EthCrypto.recover(digest, sig, verifier)).contains(key.address());
        }
      }
    }
  }

  @Test
  void backendsProduceIdenticalDeterministicSignatures() {
    EthKey key = EthKey.fromHex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    Bytes32 digest = Bytes32.fromHex("9a".repeat(32));
    Signature first = EthCrypto.sign(digest, key, BACKENDS.get(0));
    for (Secp256k1 curve : BACKENDS) {
      assertThat(EthCrypto.sign(digest, key, curve)).isEqualTo(first);
    }
  }

  @Test
  void personalSignRoundTrip() {
    EthKey key = EthKey.random(new SecureRandom());
    Bytes32 hash = Bytes32.fromHex("07".repeat(32));
    Signature sig = key.signPersonal(hash);
    assertThat(EthCrypto.recoverPersonal(hash, sig)).contains(key.address());
    assertThat(EthCrypto.recoverPersonal(Bytes32.fromHex("08".repeat(32)), sig)).isNotEqualTo(java.util.Optional.of(key.address()));
  }

  @Test
  void knownSignerShortcutAgreesWithRecoveryIncludingV() {
    SecureRandom random = new SecureRandom();
    EthKey alice = EthKey.random(random);
    EthKey mallory = EthKey.random(random);
    for (Secp256k1 curve : List.of(new BouncyCastleSecp256k1(), BACKENDS.get(0))) {
      for (int i = 0; i < 30; i++) {
        byte[] h = new byte[32];
        random.nextBytes(h);
        Bytes32 digest = Bytes32.wrap(h);
        Signature byAlice = EthCrypto.sign(digest, alice, curve);
        Signature byMallory = EthCrypto.sign(digest, mallory, curve);
        byte[] flipped = byAlice.toBytes();
        flipped[64] = (byte) (flipped[64] == 27 ? 28 : 27);
        byte[] otherHash = h.clone();
        otherHash[0] ^= 1;
        assertThat(EthCrypto.isSignedBy(digest, byAlice, alice.address(), curve)).isTrue();
        assertThat(EthCrypto.isSignedBy(digest, Signature.of(flipped), alice.address(), curve)).isFalse();
        assertThat(EthCrypto.isSignedBy(digest, byMallory, alice.address(), curve)).isFalse();
        assertThat(EthCrypto.isSignedBy(Bytes32.wrap(otherHash), byAlice, alice.address(), curve)).isFalse();
        assertThat(EthCrypto.isSignedBy(digest, byMallory, mallory.address(), curve)).isTrue();
      }
    }
  }

  @Test
  void rejectsHighS() {
    EthKey key = EthKey.random(new SecureRandom());
    Bytes32 hash = Bytes32.fromHex("01".repeat(32));
    byte[] sig = key.signPersonal(hash).toBytes();
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
    byte[] high = new byte[32];
    Ticket.putUint(high, 0, N.subtract(s));
    System.arraycopy(high, 0, sig, 32, 32);
    sig[64] = (byte) (sig[64] == 27 ? 28 : 27); // the mathematically equivalent malleated signature
    assertThat(EthCrypto.recoverPersonal(hash, Signature.of(sig))).isEmpty();
  }

  @Test
  void rejectsVOtherThan27Or28() {
    EthKey key = EthKey.random(new SecureRandom());
    Bytes32 hash = Bytes32.fromHex("02".repeat(32));
    byte[] sig = key.signPersonal(hash).toBytes();
    sig[64] = (byte) (sig[64] - 27);
    assertThat(EthCrypto.recoverPersonal(hash, Signature.of(sig))).isEmpty();
  }

  @Test
  void rejectsZeroAndOutOfRangeR() {
    Bytes32 hash = Bytes32.fromHex("03".repeat(32));
    byte[] sig = new byte[65];
    sig[63] = 1;
    sig[64] = 27;
    assertThat(EthCrypto.recoverPersonal(hash, Signature.of(sig))).isEmpty();
    for (int i = 0; i < 32; i++) {
      sig[i] = (byte) 0xff;
    }
    for (Secp256k1 curve : BACKENDS) {
      assertThat(EthCrypto.recover(hash, Signature.of(sig), curve)).isEmpty();
    }
  }

  @Test
  void rejectsInvalidPrivateKeys() {
    assertThatThrownBy(() -> EthKey.fromPrivateKey(new byte[32])).isInstanceOf(PaymentsException.class);
    assertThatThrownBy(() -> EthKey.fromPrivateKey(new byte[31])).isInstanceOf(PaymentsException.class);
    assertThat(EthKey.fromHex("0x" + "00".repeat(31) + "01").toString()).doesNotContain("0000");
  }

  @Test
  void nativeBackendLoadsOnLinuxX64() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"));
    assertThat(NativeSecp256k1.load()).isPresent();
    assertThat(EthCrypto.backendName()).contains("native");
  }
}
