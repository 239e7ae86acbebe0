package io.jlivepeer.chain;

import io.jlivepeer.chain.ProtocolClient.FaultProof;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.SigningPayloads;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * Fault proofs signed the way the nodes sign (wire's {@link SigningPayloads}): B signs the segment, O its
 * rendition hashes, a verifier its verdict on one rendition.
 */
final class FaultProofs {
  static final List<VideoProfile> LADDER = List.of(VideoProfiles.preset("P144p30fps16x9").orElseThrow(),
      VideoProfiles.preset("P240p30fps16x9").orElseThrow());
  static final byte[] MANIFEST = "fault-proof-stream".getBytes(StandardCharsets.US_ASCII);

  private FaultProofs() {}

  static EthKey key(Credentials c) {
    return EthKey.fromPrivateKey(Numeric.toBytesPadded(c.getEcKeyPair().getPrivateKey(), 32));
  }

  static byte[] segmentHash(long seq) {
    return Keccak.hash(("segment " + seq).getBytes(StandardCharsets.US_ASCII));
  }

  static List<byte[]> renditionHashes(long seq) {
    return LADDER.stream()
        .map(p -> Keccak.hash((p.name() + " of segment " + seq).getBytes(StandardCharsets.US_ASCII)))
        .toList();
  }

  /** The verifier's signature over its verdict on rendition {@code index} of segment {@code seq}. */
  static byte[] verdictSig(EthKey verifier, EthAddress transcoder, EthAddress broadcaster, long seq, int index,
      long score) {
    return SigningPayloads.sign(verifier, SigningPayloads.verdict(transcoder.toBytes(), broadcaster.toBytes(), seq,
        segmentHash(seq),
        renditionHashes(seq).get(index), score));
  }

  /** A complete proof against {@code transcoder}'s rendition {@code index} of segment {@code seq}. */
  static FaultProof proof(EthKey broadcaster, EthKey transcoder, EthKey verifier, long seq, int index, long score) {
    byte[] segmentHash = segmentHash(seq);
    List<byte[]> renditions = renditionHashes(seq);
    byte[] broadcasterSig = SigningPayloads.sign(broadcaster, SigningPayloads.segment(MANIFEST, seq, segmentHash, LADDER));
    byte[] transcoderSig = SigningPayloads.sign(transcoder, SigningPayloads.transcodeResultOfHashes(renditions));
    return new FaultProof(MANIFEST, seq, Bytes32.of(segmentHash), SigningPayloads.profileIds(LADDER), broadcasterSig,
        renditions.stream().map(Bytes32::of).toList(), transcoder.address(), transcoderSig, index, seq, score,
        verdictSig(verifier, transcoder.address(), broadcaster.address(), seq, index, score));
  }
}
