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
  /** A widely published test key; its address and signature below were computed with web3j. */
  private static final String KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
  private static final String ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
  private static final Bytes32 HASH = Bytes32.fromHex("c5dfdee7ec6e018becf4afd78a78d46e2d9f4c65b0f5bd09cb3f84d8cfe41ca2");
  private static final String SIGNATURE = "0xdbe0e94c8e67a1ec1b0d0720d36067e7578b7cc59300b3bf97e22ed2a25ec884"
      + "21a49ba4e5f2b2070aba55c03198f13217b8bd770964f1f613378d7c786f8d34" + "1b";

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
  void knownKeyHasKnownAddressAndPersonalSignatureOnEveryBackend() {
    EthKey key = EthKey.fromHex(KEY);
    assertThat(key.address().toString()).isEqualTo(ADDRESS);
    assertThat(key.signPersonal(HASH).toString()).isEqualTo(SIGNATURE);
    for (Secp256k1 curve : BACKENDS) {
      assertThat(EthCrypto.sign(EthCrypto.personalHash(HASH), key, curve).toString()).isEqualTo(SIGNATURE);
      assertThat(EthCrypto.recover(EthCrypto.personalHash(HASH), signature(SIGNATURE), curve))
          .contains(EthAddress.of(ADDRESS));
    }
    assertThat(EthCrypto.recoverPersonal(HASH, signature(SIGNATURE))).contains(EthAddress.of(ADDRESS));
    assertThat(key.privateKey()).isEqualTo(HexFormat.of().parseHex(KEY));
    assertThat(key.toString()).doesNotContain(KEY);
  }

  @Test
  void refusesTheHighSTwinOfTheKnownSignatureAndSaysWhy() {
    byte[] sig = signature(SIGNATURE).toBytes();
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
    Ticket.putUint(sig, 32, N.subtract(s));
    sig[64] = (byte) (sig[64] == 27 ? 28 : 27); // the mathematically equivalent twin of a valid signature
    Signature high = Signature.of(sig);
    assertThat(EthCrypto.malformation(high)).hasValueSatisfying(m -> assertThat(m).contains("high s"));
    assertThat(EthCrypto.recoverPersonal(HASH, high)).isEmpty();
    assertThat(EthCrypto.isPersonalSignedBy(HASH, high, EthAddress.of(ADDRESS))).isFalse();
  }

  @Test
  void namesWhatIsMalformed() {
    assertThat(EthCrypto.malformation(signature(SIGNATURE))).isEmpty();
    byte[] badV = signature(SIGNATURE).toBytes();
    badV[64] = 1;
    assertThat(EthCrypto.malformation(Signature.of(badV))).hasValueSatisfying(
        m -> assertThat(m).contains("v must be 27 or 28"));
    assertThatThrownBy(() -> Signature.of(java.util.Arrays.copyOf(badV, 64))).isInstanceOf(PaymentsException.class)
        .hasMessageContaining("65 bytes");
    byte[] zeroR = signature(SIGNATURE).toBytes();
    java.util.Arrays.fill(zeroR, 0, 32, (byte) 0);
    assertThat(EthCrypto.malformation(Signature.of(zeroR))).hasValueSatisfying(m -> assertThat(m).contains("out of range"));
    assertThat(EthCrypto.recoverPersonal(HASH, Signature.of(zeroR))).isEmpty();
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

  private static Signature signature(String hex) {
    return Signature.of(HexFormat.of().parseHex(hex.substring(2)));
  }
}
