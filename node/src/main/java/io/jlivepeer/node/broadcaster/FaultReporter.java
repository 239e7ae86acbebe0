package io.jlivepeer.node.broadcaster;

import java.util.List;

/**
 * Where a broadcaster with {@code -slashOnFault} sends the proof of a fault: the Verifier contract on chain
 * ({@code cli} implements it over {@code chain}'s ProtocolClient). The node module knows no chain, only this port.
 */
public interface FaultReporter {
  /**
   * Everything Verifier.submitFault checks: B's signed source segment, O's signed result hashes, which rendition is
   * disputed and its verification score, and the verdict (seq and signature of a registered verifier: this B).
   */
  record FaultProof(byte[] manifestId, long seq, byte[] segmentHash, byte[] profileIds, byte[] broadcasterSig,
      List<byte[]> renditionHashes, byte[] transcoder, byte[] transcoderSig, int renditionIndex, long score,
      long verdictSeq, byte[] verdictSig) {}

  /** Sends the proof and waits for it to be mined: the transaction hash; throws with the revert reason when refused. */
  String submit(FaultProof proof);
}
