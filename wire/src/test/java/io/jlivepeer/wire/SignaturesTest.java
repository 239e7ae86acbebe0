package io.jlivepeer.wire;

import static io.jlivepeer.wire.Hex.bytes;
import static io.jlivepeer.wire.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.payments.Keccak;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

class SignaturesTest {
  /** A widely published test key; its address and signatures below were computed with web3j. */
  private static final byte[] KEY = bytes("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  private static final String ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
  private static final byte[] HASH = bytes("c5dfdee7ec6e018becf4afd78a78d46e2d9f4c65b0f5bd09cb3f84d8cfe41ca2");
  private static final String SIGNATURE = "dbe0e94c8e67a1ec1b0d0720d36067e7578b7cc59300b3bf97e22ed2a25ec884"
      + "21a49ba4e5f2b2070aba55c03198f13217b8bd770964f1f613378d7c786f8d34" + "1b";

  @Test
  void keccakMatchesKnownAnswers() {
    assertThat(hex(Keccak.hash(new byte[0])))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    assertThat(Keccak.hash("jlivepeer".getBytes(StandardCharsets.US_ASCII))).isEqualTo(HASH);
    assertThat(Keccak.hash("jli".getBytes(StandardCharsets.US_ASCII), "vepeer".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(HASH);
  }

  @Test
  void knownKeyHasKnownAddressAndSignature() {
    EthKeyPair key = EthKeyPair.fromPrivateKey(KEY);
    assertThat(key.checksumAddress()).isEqualTo(ADDRESS);
    assertThat(hex(key.personalSign(HASH))).isEqualTo(SIGNATURE);
    assertThat(Signatures.checksumAddress(Signatures.recover(HASH, bytes(SIGNATURE)))).isEqualTo(ADDRESS);
    assertThat(key.privateKey()).isEqualTo(KEY);
    assertThat(key.toString()).doesNotContain(hex(KEY));
  }

  @Test
  void signaturesAgreeWithWeb3jForRandomKeysAndHashes() {
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 20; i++) {
      EthKeyPair ours = EthKeyPair.generate(random);
      byte[] hash = new byte[32];
      random.nextBytes(hash);
      ECKeyPair theirs = ECKeyPair.create(new BigInteger(1, ours.privateKey()));
      Sign.SignatureData s = Sign.signPrefixedMessage(hash, theirs);
      byte[] expected = new byte[65];
      System.arraycopy(s.getR(), 0, expected, 0, 32);
      System.arraycopy(s.getS(), 0, expected, 32, 32);
      expected[64] = s.getV()[0];
      assertThat(hex(ours.personalSign(hash))).isEqualTo(hex(expected));
      assertThat(Signatures.recover(hash, expected)).isEqualTo(ours.address());
    }
  }

  @Test
  void signRecoverRoundTripAlwaysGivesLowSAndV27Or28() {
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 50; i++) {
      EthKeyPair key = EthKeyPair.generate(random);
      byte[] hash = new byte[32];
      random.nextBytes(hash);
      byte[] sig = key.personalSign(hash);
      assertThat(sig).hasSize(65);
      assertThat(sig[64] & 0xFF).isIn(27, 28);
      assertThat(new BigInteger(1, Arrays.copyOfRange(sig, 32, 64))).isLessThanOrEqualTo(Secp256k1.HALF_N);
      assertThat(Signatures.recover(hash, sig)).isEqualTo(key.address());
      assertThat(Signatures.verify(key.address(), hash, sig)).isTrue();
    }
  }

  @Test
  void rejectsHighS() {
    byte[] sig = bytes(SIGNATURE);
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    byte[] high = sig.clone();
    Signatures.put32(Secp256k1.N.subtract(s), high, 32);
    high[64] = (byte) (high[64] == 27 ? 28 : 27); // the mathematically equivalent twin of a valid signature
    assertThatThrownBy(() -> Signatures.recover(HASH, high))
        .isInstanceOf(WireException.class)
        .hasMessageContaining("high s")
        .satisfies(e -> assertThat(((WireException) e).httpStatus()).isEqualTo(403));
    assertThat(Signatures.verify(Signatures.parseAddress(ADDRESS), HASH, high)).isFalse();
  }

  @Test
  void rejectsMalformedSignatures() {
    byte[] sig = bytes(SIGNATURE);
    byte[] badV = sig.clone();
    badV[64] = 1;
    assertThatThrownBy(() -> Signatures.recover(HASH, badV)).hasMessageContaining("v must be 27 or 28");
    assertThatThrownBy(() -> Signatures.recover(HASH, Arrays.copyOf(sig, 64))).hasMessageContaining("65 bytes");
    byte[] zeroR = sig.clone();
    Arrays.fill(zeroR, 0, 32, (byte) 0);
    assertThatThrownBy(() -> Signatures.recover(HASH, zeroR)).hasMessageContaining("out of range");
  }

  @Test
  void verifyFailsForAnotherAddressOrHash() {
    byte[] address = Signatures.parseAddress(ADDRESS);
    byte[] otherHash = HASH.clone();
    otherHash[0] ^= 1;
    assertThat(Signatures.verify(address, HASH, bytes(SIGNATURE))).isTrue();
    assertThat(Signatures.verify(address, otherHash, bytes(SIGNATURE))).isFalse();
    assertThat(Signatures.verify(new byte[20], HASH, bytes(SIGNATURE))).isFalse();
  }

  @Test
  void checksumAddressFollowsEip55() {
    // EIP-55's own examples
    for (String a : List.of("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")) {
      assertThat(Signatures.checksumAddress(Signatures.parseAddress(a.toLowerCase()))).isEqualTo(a);
    }
    assertThatThrownBy(() -> Signatures.parseAddress("0x1234")).isInstanceOf(WireException.class);
  }

  @Test
  void segmentSignatureHashMatchesTheSpecKnownAnswer() {
    byte[] segmentHash = Arrays.copyOf("browns".getBytes(StandardCharsets.US_ASCII), 32);
    byte[] hash = SigningPayloads.segment("abcdef".getBytes(StandardCharsets.US_ASCII), 1234, segmentHash,
        List.of(VideoProfiles.preset("P144p30fps16x9").orElseThrow(),
            VideoProfiles.preset("P240p30fps16x9").orElseThrow()));
    assertThat(hex(hash)).isEqualTo("08a398e7e7a5a545b0b07d9e7e1eab52b4131e0df1621bd53ee6e7550a15465b");
  }

  @Test
  void segmentSignedByBVerifiesOnOFromTheSegDataAloneAndFailsWhenTampered() {
    EthKeyPair broadcaster = EthKeyPair.fromPrivateKey(KEY);
    List<io.jlivepeer.media.VideoProfile> ladder = VideoProfiles.defaultLadder();
    byte[] segmentHash = Keccak.hash(new byte[] {1, 2, 3});
    byte[] manifest = "stream".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = broadcaster.personalSign(SigningPayloads.segment(manifest, 7, segmentHash, ladder));
    io.jlivepeer.wire.proto.SegData seg = WireProfiles.setProfiles(io.jlivepeer.wire.proto.SegData.newBuilder(), ladder)
        .setManifestId(com.google.protobuf.ByteString.copyFrom(manifest)).setSeq(7)
        .setHash(com.google.protobuf.ByteString.copyFrom(segmentHash))
        .setSig(com.google.protobuf.ByteString.copyFrom(sig)).build();
    SigningPayloads.verifySegment(seg, broadcaster.address());
    // legacy-only SegData (field 4) gives the same hash
    SigningPayloads.verifySegment(seg.toBuilder().clearFullProfiles().build(), broadcaster.address());
    assertThatThrownBy(() -> SigningPayloads.verifySegment(seg.toBuilder().setSeq(8).build(), broadcaster.address()))
        .isInstanceOf(WireException.class)
        .hasMessageContaining("segment signature does not match")
        .satisfies(e -> assertThat(((WireException) e).httpStatus()).isEqualTo(403));
    assertThatThrownBy(() -> SigningPayloads.verifySegment(seg, new byte[20]))
        .hasMessageContaining("segment signature does not match");
  }

  @Test
  void resultHashIsKeccakOfConcatenatedRenditionHashes() {
    byte[] a = {1, 2, 3};
    byte[] b = {4, 5};
    byte[] concatenated = new byte[64];
    System.arraycopy(Keccak.hash(a), 0, concatenated, 0, 32);
    System.arraycopy(Keccak.hash(b), 0, concatenated, 32, 32);
    assertThat(SigningPayloads.transcodeResult(List.of(a, b))).isEqualTo(Keccak.hash(concatenated));
    assertThat(SigningPayloads.transcodeResult(List.of(b, a))).isNotEqualTo(Keccak.hash(concatenated));
    assertThat(SigningPayloads.transcodeResultOfHashes(List.of(Keccak.hash(a), Keccak.hash(b))))
        .isEqualTo(SigningPayloads.transcodeResult(List.of(a, b)));
  }

  @Test
  void orchestratorRequestSignsTheChecksummedAddressString() {
    EthKeyPair key = EthKeyPair.fromPrivateKey(KEY);
    byte[] payload = SigningPayloads.orchestratorRequest(key.address());
    assertThat(payload).isEqualTo(Keccak.hash(ADDRESS.getBytes(StandardCharsets.US_ASCII)));
    assertThat(Signatures.recover(payload, key.personalSign(payload))).isEqualTo(key.address());
  }
}
