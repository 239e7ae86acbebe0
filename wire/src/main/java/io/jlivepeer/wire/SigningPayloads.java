package io.jlivepeer.wire;

import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The 32-byte hashes that B and O personal-sign (wire.md "Signatures"); sign them with {@link EthSigner#personalSign}. */
public final class SigningPayloads {
  private SigningPayloads() {}

  /**
   * What B signs for a segment: keccak256(manifestID bytes || seq as 32-byte big-endian || segment hash ||
   * for each profile the ASCII hex of its 4-byte legacy id).
   */
  public static byte[] segment(byte[] manifestId, long seq, byte[] segmentHash, List<VideoProfile> profiles) {
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
    for (VideoProfile p : profiles) {
      out.writeBytes(VideoProfiles.legacyIdHex(p.name()).getBytes(StandardCharsets.US_ASCII));
    }
    return Keccak.hash(out.toByteArray());
  }

  /** What O signs over its results: keccak256(keccak256(rendition 1) || ... || keccak256(rendition n)). */
  public static byte[] transcodeResult(List<byte[]> renditions) {
    byte[][] hashes = renditions.stream().map(Keccak::hash).toArray(byte[][]::new);
    return Keccak.hash(hashes);
  }

  /** What B signs in OrchestratorRequest.sig: keccak256 of its EIP-55 checksummed {@code 0x...} address string. */
  public static byte[] orchestratorRequest(byte[] address) {
    return Keccak.hash(Signatures.checksumAddress(address).getBytes(StandardCharsets.US_ASCII));
  }
}
