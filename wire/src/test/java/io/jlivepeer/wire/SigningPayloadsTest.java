package io.jlivepeer.wire;

import static io.jlivepeer.wire.Hex.bytes;
import static io.jlivepeer.wire.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthCrypto;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.payments.Signature;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

/** The wire's signed hashes, and signing and verifying them on raw bytes (the curve itself is tested in payments). */
class SigningPayloadsTest {
  /** A widely published test key; its address and signatures below were computed with web3j. */
  private static final byte[] KEY = bytes("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  private static final String ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
  private static final byte[] HASH = bytes("c5dfdee7ec6e018becf4afd78a78d46e2d9f4c65b0f5bd09cb3f84d8cfe41ca2");
  private static final String SIGNATURE = "dbe0e94c8e67a1ec1b0d0720d36067e7578b7cc59300b3bf97e22ed2a25ec884"
      + "21a49ba4e5f2b2070aba55c03198f13217b8bd770964f1f613378d7c786f8d34" + "1b";
  private static final BigInteger N =
      new BigInteger("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16);

  @Test
  void knownKeySignsTheKnownSignature() {
    EthKey key = EthKey.fromPrivateKey(KEY);
    assertThat(SigningPayloads.checksumAddress(key.address().toBytes())).isEqualTo(ADDRESS);
    assertThat(hex(SigningPayloads.sign(key, HASH))).isEqualTo(SIGNATURE);
    assertThat(SigningPayloads.verify(key.address().toBytes(), HASH, bytes(SIGNATURE))).isTrue();
  }

  @Test
  void signaturesAgreeWithWeb3jForRandomKeysAndHashes() {
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 20; i++) {
      EthKey ours = EthKey.random(random);
      byte[] hash = new byte[32];
      random.nextBytes(hash);
      ECKeyPair theirs = ECKeyPair.create(new BigInteger(1, ours.privateKey()));
      Sign.SignatureData s = Sign.signPrefixedMessage(hash, theirs);
      byte[] expected = new byte[65];
      System.arraycopy(s.getR(), 0, expected, 0, 32);
      System.arraycopy(s.getS(), 0, expected, 32, 32);
      expected[64] = s.getV()[0];
      assertThat(hex(SigningPayloads.sign(ours, hash))).isEqualTo(hex(expected));
      assertThat(EthCrypto.recoverPersonal(Bytes32.of(hash), Signature.of(expected))).contains(ours.address());
    }
  }

  @Test
  void signVerifyRoundTripAlwaysGivesLowSAndV27Or28() {
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 50; i++) {
      EthKey key = EthKey.random(random);
      byte[] hash = new byte[32];
      random.nextBytes(hash);
      byte[] sig = SigningPayloads.sign(key, hash);
      assertThat(sig).hasSize(65);
      assertThat(sig[64] & 0xFF).isIn(27, 28);
      assertThat(new BigInteger(1, Arrays.copyOfRange(sig, 32, 64))).isLessThanOrEqualTo(N.shiftRight(1));
      assertThat(EthCrypto.recoverPersonal(Bytes32.of(hash), Signature.of(sig))).contains(key.address());
      assertThat(SigningPayloads.verify(key.address().toBytes(), hash, sig)).isTrue();
    }
  }

  @Test
  void verifyRefusesHighSAndMalformedSignaturesWithoutThrowing() {
    byte[] address = EthAddress.of(ADDRESS).toBytes();
    byte[] sig = bytes(SIGNATURE);
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    byte[] high = sig.clone();
    put32(N.subtract(s), high, 32);
    high[64] = (byte) (high[64] == 27 ? 28 : 27); // the mathematically equivalent twin of a valid signature
    assertThat(SigningPayloads.verify(address, HASH, high)).isFalse();
    byte[] badV = sig.clone();
    badV[64] = 1;
    assertThat(SigningPayloads.verify(address, HASH, badV)).isFalse();
    assertThat(SigningPayloads.verify(address, HASH, Arrays.copyOf(sig, 64))).isFalse();
    byte[] zeroR = sig.clone();
    Arrays.fill(zeroR, 0, 32, (byte) 0);
    assertThat(SigningPayloads.verify(address, HASH, zeroR)).isFalse();
    assertThat(SigningPayloads.verify(new byte[19], HASH, sig)).isFalse();
    assertThat(SigningPayloads.verify(address, Arrays.copyOf(HASH, 31), sig)).isFalse();
  }

  @Test
  void verifyFailsForAnotherAddressOrHash() {
    byte[] address = EthAddress.of(ADDRESS).toBytes();
    byte[] otherHash = HASH.clone();
    otherHash[0] ^= 1;
    assertThat(SigningPayloads.verify(address, HASH, bytes(SIGNATURE))).isTrue();
    assertThat(SigningPayloads.verify(address, otherHash, bytes(SIGNATURE))).isFalse();
    assertThat(SigningPayloads.verify(new byte[20], HASH, bytes(SIGNATURE))).isFalse();
  }

  @Test
  void checksumAddressFollowsEip55AndRefusesOtherLengths() {
    // EIP-55's own examples
    for (String a : List.of("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")) {
      assertThat(SigningPayloads.checksumAddress(EthAddress.of(a.toLowerCase()).toBytes())).isEqualTo(a);
    }
    assertThatThrownBy(() -> SigningPayloads.checksumAddress(new byte[2]))
        .isInstanceOf(WireException.class)
        .satisfies(e -> assertThat(((WireException) e).httpStatus()).isEqualTo(400));
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
    EthKey broadcaster = EthKey.fromPrivateKey(KEY);
    List<io.jlivepeer.media.VideoProfile> ladder = VideoProfiles.defaultLadder();
    byte[] segmentHash = Keccak.hash(new byte[] {1, 2, 3});
    byte[] manifest = "stream".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = SigningPayloads.sign(broadcaster, SigningPayloads.segment(manifest, 7, segmentHash, ladder));
    io.jlivepeer.wire.proto.SegData seg = WireProfiles.setProfiles(io.jlivepeer.wire.proto.SegData.newBuilder(), ladder)
        .setManifestId(com.google.protobuf.ByteString.copyFrom(manifest)).setSeq(7)
        .setHash(com.google.protobuf.ByteString.copyFrom(segmentHash))
        .setSig(com.google.protobuf.ByteString.copyFrom(sig)).build();
    SigningPayloads.verifySegment(seg, broadcaster.address().toBytes());
    // legacy-only SegData (field 4) gives the same hash
    SigningPayloads.verifySegment(seg.toBuilder().clearFullProfiles().build(), broadcaster.address().toBytes());
    assertThatThrownBy(() -> SigningPayloads.verifySegment(seg.toBuilder().setSeq(8).build(), broadcaster.address().toBytes()))
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
  void profileIdsAreTheSegmentHashsProfilePart() {
    List<io.jlivepeer.media.VideoProfile> ladder = List.of(VideoProfiles.preset("P144p30fps16x9").orElseThrow(),
        VideoProfiles.preset("P240p30fps16x9").orElseThrow());
    byte[] ids = SigningPayloads.profileIds(ladder);
    assertThat(ids).hasSize(16);
    byte[] manifest = "abcdef".getBytes(StandardCharsets.US_ASCII);
    byte[] segmentHash = Arrays.copyOf("browns".getBytes(StandardCharsets.US_ASCII), 32);
    byte[] seq = new byte[32];
    seq[30] = (byte) (1234 >> 8);
    seq[31] = (byte) 1234;
    assertThat(Keccak.hash(manifest, seq, segmentHash, ids))
        .isEqualTo(SigningPayloads.segment(manifest, 1234, segmentHash, ladder));
  }

  @Test
  void verdictHashPacksAddressSeqHashesAndScoreLikeSolidity() {
    byte[] transcoder = EthAddress.of(ADDRESS).toBytes();
    byte[] segmentHash = Keccak.hash(new byte[] {1});
    byte[] renditionHash = Keccak.hash(new byte[] {2});
    byte[] broadcaster = new byte[20];
    broadcaster[19] = 0x42;
    // abi.encodePacked(address, address, uint256, bytes32, bytes32, uint256): 20 + 20 + 32 + 32 + 32 + 32 bytes
    byte[] packed = new byte[168];
    System.arraycopy(transcoder, 0, packed, 0, 20);
    System.arraycopy(broadcaster, 0, packed, 20, 20);
    put32(BigInteger.valueOf(0x0102030405L), packed, 40);
    System.arraycopy(segmentHash, 0, packed, 72, 32);
    System.arraycopy(renditionHash, 0, packed, 104, 32);
    put32(BigInteger.valueOf(12_000), packed, 136);
    assertThat(SigningPayloads.verdict(transcoder, broadcaster, 0x0102030405L, segmentHash, renditionHash, 12_000))
        .isEqualTo(org.web3j.crypto.Hash.sha3(packed));
    assertThat(SigningPayloads.verdict(transcoder, broadcaster, 0x0102030406L, segmentHash, renditionHash, 12_000))
        .isNotEqualTo(org.web3j.crypto.Hash.sha3(packed));
    assertThat(SigningPayloads.verdict(transcoder, transcoder, 0x0102030405L, segmentHash, renditionHash, 12_000))
        .as("another broadcaster").isNotEqualTo(org.web3j.crypto.Hash.sha3(packed));
    assertThatThrownBy(() -> SigningPayloads.verdict(new byte[19], broadcaster, 1, segmentHash, renditionHash, 0))
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> SigningPayloads.verdict(transcoder, new byte[21], 1, segmentHash, renditionHash, 0))
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> SigningPayloads.verdict(transcoder, broadcaster, 1, new byte[31], renditionHash, 0))
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> SigningPayloads.verdict(transcoder, broadcaster, -1, segmentHash, renditionHash, 0))
        .isInstanceOf(WireException.class);
  }

  @Test
  void orchestratorRequestSignsTheChecksummedAddressString() {
    EthKey key = EthKey.fromPrivateKey(KEY);
    byte[] payload = SigningPayloads.orchestratorRequest(key.address().toBytes());
    assertThat(payload).isEqualTo(Keccak.hash(ADDRESS.getBytes(StandardCharsets.US_ASCII)));
    assertThat(EthCrypto.recoverPersonal(Bytes32.of(payload), Signature.of(SigningPayloads.sign(key, payload))))
        .contains(key.address());
  }

  private static void put32(BigInteger value, byte[] out, int offset) {
    byte[] raw = value.toByteArray();
    int copy = Math.min(raw.length, 32);
    Arrays.fill(out, offset, offset + 32, (byte) 0);
    System.arraycopy(raw, raw.length - copy, out, offset + 32 - copy, copy);
  }
}
