package io.jlivepeer.wire;

import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthCrypto;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.payments.Signature;
import io.jlivepeer.wire.proto.SegData;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The 32-byte hashes that B and O personal-sign (wire.md "Signatures"), and signing and checking them on the wire's
 * raw bytes. The crypto is payments' ({@link EthKey}, {@link EthCrypto}): personal-sign, 65 bytes r||s||v, v in
 * {27, 28}, low s only (EIP-2), deterministic (RFC 6979).
 */
public final class SigningPayloads {
  /** Length of an Ethereum address on the wire. */
  public static final int ADDRESS_LENGTH = 20;
  private static final int SIGNATURE_LENGTH = 65;

  private SigningPayloads() {}

  /** {@code key}'s personal-sign of a 32-byte payload hash, as the wire carries it: r||s||v. */
  public static byte[] sign(EthKey key, byte[] hash32) {
    return key.signPersonal(Bytes32.of(hash32)).toBytes();
  }

  /**
   * True when {@code signature} is {@code address}'s personal-sign of {@code hash32}; false for anything malformed
   * (lengths, v, r or s out of range, high s) and never throws: the bytes come from a peer.
   */
  public static boolean verify(byte[] address, byte[] hash32, byte[] signature) {
    if (address.length != ADDRESS_LENGTH || hash32.length != 32 || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    return EthCrypto.isPersonalSignedBy(Bytes32.of(hash32), Signature.of(signature), EthAddress.of(address));
  }

  /** EIP-55 mixed-case {@code 0x...} form of a 20-byte address. */
  public static String checksumAddress(byte[] address) {
    if (address.length != ADDRESS_LENGTH) {
      throw new WireException(400, "an Ethereum address is 20 bytes, got " + address.length);
    }
    return EthAddress.of(address).toString();
  }

  /**
   * What B signs for a segment: keccak256(manifestID bytes || seq as 32-byte big-endian || segment hash ||
   * for each profile the ASCII hex of its 4-byte legacy id).
   */
  public static byte[] segment(byte[] manifestId, long seq, byte[] segmentHash, List<VideoProfile> profiles) {
    return segmentOfIds(manifestId, seq, segmentHash,
        profiles.stream().map(p -> WireProfiles.legacyIdHex(p.name())).toList());
  }

  /**
   * The same hash computed from a received SegData (what O verifies {@code segData.sig} against): the profile
   * names of whichever fullProfiles field is filled, else the legacy ids of field 4 as they are.
   */
  public static byte[] segment(SegData segData) {
    List<io.jlivepeer.wire.proto.VideoProfile> full = !segData.getFullProfilesList().isEmpty()
        ? segData.getFullProfilesList()
        : !segData.getFullProfiles2List().isEmpty() ? segData.getFullProfiles2List() : segData.getFullProfiles3List();
    List<String> ids;
    if (!full.isEmpty()) {
      ids = full.stream().map(p -> WireProfiles.legacyIdHex(p.getName())).toList();
    } else {
      byte[] legacy = segData.getProfiles().toByteArray();
      if (legacy.length % 4 != 0) {
        throw new WireException(403, "legacy profile ids are 4 bytes each, got " + legacy.length + " bytes");
      }
      ids = new ArrayList<>();
      for (int i = 0; i < legacy.length; i += 4) {
        ids.add(HexFormat.of().formatHex(legacy, i, i + 4));
      }
    }
    return segmentOfIds(segData.getManifestId().toByteArray(), segData.getSeq(), segData.getHash().toByteArray(), ids);
  }

  /**
   * Checks B's signature on a received segment: throws {@link WireException} (403, "bad segment credentials")
   * unless {@code segData.sig} is {@code broadcaster}'s personal-sign of {@link #segment(SegData)}.
   */
  public static void verifySegment(SegData segData, byte[] broadcaster) {
    if (!verify(broadcaster, segment(segData), segData.getSig().toByteArray())) {
      throw new WireException(403, "segment signature does not match the broadcaster's address "
          + (broadcaster.length == ADDRESS_LENGTH ? checksumAddress(broadcaster) : "(malformed)"));
    }
  }

  private static byte[] segmentOfIds(byte[] manifestId, long seq, byte[] segmentHash, List<String> hexIds) {
    if (segmentHash.length != 32) {
      throw new WireException(403, "segment hash must be 32 bytes (keccak256), got " + segmentHash.length);
    }
    if (seq < 0) {
      throw new WireException(403, "segment sequence number must not be negative, got " + seq);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(manifestId);
    out.writeBytes(uint256(seq));
    out.writeBytes(segmentHash);
    for (String id : hexIds) {
      out.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
    }
    return Keccak.hash(out.toByteArray());
  }

  /** What O signs over its results: keccak256(keccak256(rendition 1) || ... || keccak256(rendition n)). */
  public static byte[] transcodeResult(List<byte[]> renditions) {
    byte[][] hashes = renditions.stream().map(Keccak::hash).toArray(byte[][]::new);
    return Keccak.hash(hashes);
  }

  /** As {@link #transcodeResult}, from each rendition's keccak256 (e.g. hashed while it was downloaded). */
  public static byte[] transcodeResultOfHashes(List<byte[]> renditionHashes) {
    return Keccak.hash(renditionHashes.toArray(byte[][]::new));
  }

  /**
   * The profile part of {@link #segment(byte[], long, byte[], List)}: for each profile the 8 ASCII hex chars of its
   * 4-byte legacy id, concatenated. It is the {@code profileIds} argument of Verifier.submitFault.
   */
  public static byte[] profileIds(List<VideoProfile> profiles) {
    StringBuilder ids = new StringBuilder();
    profiles.forEach(p -> ids.append(WireProfiles.legacyIdHex(p.name())));
    return ids.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * What a verifier signs over its verdict on one rendition (docs/chain.md "Verifier"), as Verifier.submitFault
   * rebuilds it: keccak256(transcoder address (20 bytes) || broadcaster address (20 bytes) || seq as 32-byte
   * big-endian || segment hash || rendition hash || score as 32-byte big-endian). The score is milli-dB PSNR
   * against a trusted re-transcode, 0 for a rendition that failed a hard check. Binding the broadcaster, seq and
   * segment hash keeps a verdict from being reused for another segment, and ties the segment signature to the
   * broadcaster the verifier vouches for (any well-formed signature recovers to some address).
   */
  public static byte[] verdict(byte[] transcoder20, byte[] broadcaster20, long seq, byte[] segmentHash,
      byte[] renditionHash, long score) {
    if (transcoder20.length != ADDRESS_LENGTH || broadcaster20.length != ADDRESS_LENGTH) {
      throw new WireException(400, "an Ethereum address is 20 bytes, got " + transcoder20.length + " and "
          + broadcaster20.length);
    }
    if (segmentHash.length != 32 || renditionHash.length != 32) {
      throw new WireException(400, "segment and rendition hashes must be 32 bytes (keccak256), got "
          + segmentHash.length + " and " + renditionHash.length);
    }
    if (seq < 0 || score < 0) {
      throw new WireException(400, "seq and score are unsigned, got " + seq + " and " + score);
    }
    return Keccak.hash(transcoder20, broadcaster20, uint256(seq), segmentHash, renditionHash, uint256(score));
  }

  /** A non-negative long as a 32-byte big-endian uint256 (abi.encodePacked of a uint256). */
  private static byte[] uint256(long v) {
    byte[] word = new byte[32];
    for (int i = 0; i < 8; i++) {
      word[31 - i] = (byte) (v >>> (8 * i));
    }
    return word;
  }

  /** What B signs in OrchestratorRequest.sig: keccak256 of its EIP-55 checksummed {@code 0x...} address string. */
  public static byte[] orchestratorRequest(byte[] address) {
    return Keccak.hash(checksumAddress(address).getBytes(StandardCharsets.US_ASCII));
  }
}
