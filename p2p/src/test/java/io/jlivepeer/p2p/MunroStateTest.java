package io.jlivepeer.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MunroStateTest {
  private final MessageDigest md = Merkle.sha256();

  private static List<byte[]> content(int chunks, int lastLength) {
    Random r = new Random(chunks);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      byte[] b = new byte[i == chunks - 1 ? lastLength : 1024];
      r.nextBytes(b);
      out.add(b);
    }
    return out;
  }

  private static Map<Integer, byte[]> uncles(MunroTree tree, int chunk) {
    Map<Integer, byte[]> m = new HashMap<>();
    for (int u : MunroTree.uncles(tree.start(), chunk)) {
      m.put(u, tree.node(u));
    }
    return m;
  }

  @Test
  void everyChunkOfAPartialMunroVerifiesWithItsUncles() {
    List<byte[]> chunks = content(37, 100); // a segment's tail: 36 full chunks and a short one
    MunroTree tree = new MunroTree(128, chunks);
    LiveSigner signer = LiveSigner.generate();
    byte[] sig = signer.sign(tree.range(), 99, tree.root());
    assertThat(new LiveSigner.Verifier(signer.swarmId()).verify(tree.range(), 99, tree.root(), sig)).isTrue();
    MunroState peer = MunroState.signed(128, tree.root(), 99, sig);
    for (int c = 0; c < chunks.size(); c++) {
      assertThat(peer.verify(md, 128 + c, chunks.get(c), uncles(tree, 128 + c))).isEqualTo(MunroState.Verdict.OK);
    }
    assertThat(peer.held()).isEqualTo(37);
    assertThat(peer.verify(md, 128, chunks.get(0), Map.of())).isEqualTo(MunroState.Verdict.DUPLICATE);
  }

  @Test
  void laterChunksNeedOnlyTheHashesNotYetProved() {
    List<byte[]> chunks = content(64, 1024);
    MunroTree tree = new MunroTree(0, chunks);
    MunroState peer = MunroState.signed(0, tree.root(), 1, new byte[64]);
    assertThat(peer.verify(md, 0, chunks.get(0), uncles(tree, 0))).isEqualTo(MunroState.Verdict.OK);
    // chunk 1's uncles are chunk 0 (now known) and the same upper nodes: no candidates needed
    assertThat(peer.verify(md, 1, chunks.get(1), Map.of())).isEqualTo(MunroState.Verdict.OK);
    assertThat(peer.verify(md, 2, chunks.get(2), Map.of())).isEqualTo(MunroState.Verdict.UNVERIFIABLE);
  }

  @Test
  void aForgedChunkOrForgedHashIsDetectedAndNotStored() {
    List<byte[]> chunks = content(64, 1024);
    MunroTree tree = new MunroTree(64, chunks);
    MunroState peer = MunroState.signed(64, tree.root(), 1, new byte[64]);
    byte[] forged = chunks.get(5).clone();
    forged[17] ^= 1;
    assertThat(peer.verify(md, 69, forged, uncles(tree, 69))).isEqualTo(MunroState.Verdict.FORGED);
    Map<Integer, byte[]> badUncles = uncles(tree, 70);
    badUncles.put(MunroTree.uncles(64, 70)[3], new byte[32]);
    assertThat(peer.verify(md, 70, chunks.get(6), badUncles)).isEqualTo(MunroState.Verdict.FORGED);
    assertThat(peer.has(69)).isFalse();
    assertThat(peer.has(70)).isFalse();
    assertThat(peer.verify(md, 69, chunks.get(5), uncles(tree, 69))).isEqualTo(MunroState.Verdict.OK);
  }

  @Test
  void aSignatureOverAnotherRootOrByAnotherKeyIsRefused() {
    MunroTree tree = new MunroTree(0, content(3, 10));
    LiveSigner signer = LiveSigner.generate();
    byte[] sig = signer.sign(tree.range(), 5, tree.root());
    LiveSigner.Verifier verifier = new LiveSigner.Verifier(signer.swarmId());
    assertThat(verifier.verify(tree.range(), 5, new byte[32], sig)).isFalse();
    assertThat(verifier.verify(tree.range(), 6, tree.root(), sig)).isFalse();
    assertThat(verifier.verify(new ChunkRange(64, 127), 5, tree.root(), sig)).isFalse();
    assertThat(new LiveSigner.Verifier(LiveSigner.generate().swarmId()).verify(tree.range(), 5, tree.root(), sig))
        .isFalse();
  }

  @Test
  void nodeRangesAndHeapIndicesAgree() {
    for (int i = 1; i < 2 * Merkle.MUNRO_CHUNKS; i++) {
      assertThat(Merkle.indexOf(Merkle.rangeOf(192, i))).isEqualTo(i);
    }
    assertThat(Merkle.indexOf(new ChunkRange(1, 2))).isEqualTo(-1);
    assertThat(Merkle.indexOf(new ChunkRange(0, 127))).isEqualTo(-1);
  }
}
