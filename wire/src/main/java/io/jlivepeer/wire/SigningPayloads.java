package io.jlivepeer.wire;

import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.proto.SegData;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The 32-byte hashes that B and O personal-sign (wire.md "Signatures"); sign them with {@link EthSigner#personalSign}. */
public final class SigningPayloads {
  private SigningPayloads() {}

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
    if (!Signatures.verify(broadcaster, segment(segData), segData.getSig().toByteArray())) {
      throw new WireException(403, "segment signature does not match the broadcaster's address "
          + (broadcaster.length == Signatures.ADDRESS_LENGTH ? Signatures.checksumAddress(broadcaster) : "(malformed)"));
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
    byte[] seqBytes = new byte[32];
    Signatures.put32(BigInteger.valueOf(seq), seqBytes, 0);
    out.writeBytes(seqBytes);
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

  /** What B signs in OrchestratorRequest.sig: keccak256 of its EIP-55 checksummed {@code 0x...} address string. */
  public static byte[] orchestratorRequest(byte[] address) {
    return Keccak.hash(Signatures.checksumAddress(address).getBytes(StandardCharsets.US_ASCII));
  }
}
