package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.chain.ProtocolClient.FaultProof;
import io.jlivepeer.chain.ProtocolClient.FaultProven;
import io.jlivepeer.chain.ProtocolClient.SlashingParams;
import io.jlivepeer.chain.ProtocolClient.TranscoderSlashed;
import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * Fault proofs on a real EVM (docs/chain.md "Verifier"): a broadcaster, an orchestrator and a verifier sign
 * as the nodes do, a reporter submits through {@link ProtocolClient#submitFault}; every check reverts with
 * its own reason and slashes nothing.
 */
class VerifierTest {
  private static final BigInteger N =
      new BigInteger("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16);
  private static final Wei STAKE = Wei.ofEther("1000");
  private static final long SEQ = 7;
  private static final int INDEX = 1;
  private static final long BAD_SCORE = 12_000;

  private static TestChain chain;
  private static EthRpc rpc;
  private final List<TxManager> managers = new ArrayList<>();
  private String snapshot;

  private ProtocolClient owner;
  private ProtocolClient orchestrator;
  private ProtocolClient reporter;
  private ProtocolClient stranger;
  private EthKey broadcasterKey;
  private EthKey transcoderKey;
  private EthKey verifierKey;
  private EthKey strangerKey;

  @BeforeAll
  static void deploy() {
    chain = TestChain.start(5, accounts -> Parameters.devDefaults()
        .withRoundLength(50)
        .withInitialMints(TestChain.mints(accounts, Wei.ofEther("10000").value())));
    rpc = EthRpc.connect(chain.anvil.rpcUrl());
    chain.nextRound();
  }

  @AfterAll
  static void stop() {
    rpc.close();
    chain.close();
  }

  @BeforeEach
  void setUp() {
    snapshot = chain.snapshot();
    owner = client(chain.deployer);
    orchestrator = client(chain.accounts.get(0));
    reporter = client(chain.accounts.get(3));
    stranger = client(chain.accounts.get(4));
    transcoderKey = FaultProofs.key(chain.accounts.get(0));
    broadcasterKey = FaultProofs.key(chain.accounts.get(1));
    verifierKey = FaultProofs.key(chain.accounts.get(2));
    strangerKey = FaultProofs.key(chain.accounts.get(4));

    orchestrator.bond(STAKE, orchestrator.account().orElseThrow());
    orchestrator.transcoder(0, 0);
    chain.nextRound();
    owner.setVerifier(verifierKey.address(), true);
    assertThat(orchestrator.isActiveTranscoder(transcoder())).isTrue();
  }

  @AfterEach
  void tearDown() {
    managers.forEach(TxManager::close);
    chain.revertTo(snapshot);
  }

  private ProtocolClient client(Credentials who) {
    TxManager tx = TxManager.create(rpc, who, TxManager.Config.DEFAULTS.withPollInterval(Duration.ofMillis(20)));
    managers.add(tx);
    return ProtocolClient.connect(tx, EthAddress.of(chain.deployment.controller()));
  }

  private EthAddress transcoder() {
    return transcoderKey.address();
  }

  private FaultProof proof() {
    return FaultProofs.proof(broadcasterKey, transcoderKey, verifierKey, SEQ, INDEX, BAD_SCORE);
  }

  private static Wei percOf(Wei amount, long ppm) {
    return Wei.of(amount.value().multiply(BigInteger.valueOf(ppm)).divide(BigInteger.valueOf(ProtocolClient.PERC_DIVISOR)));
  }

  @Test
  void deployedWithTheDefaultsOwnedByTheDeployer() {
    ProtocolClient reader = ProtocolClient.readOnly(rpc, EthAddress.of(chain.deployment.controller()));
    assertThat(reader.verifier()).contains(EthAddress.of(chain.deployment.verifier()));
    assertThat(reader.slashingParams()).isEqualTo(new SlashingParams(500_000, 500_000, 30_000));
    assertThat(TestChain.call(() -> chain.verifier(chain.deployer).owner().send()))
        .isEqualToIgnoringCase(chain.deployer.getAddress());
    assertThat(reader.isVerifier(verifierKey.address())).isTrue();
    assertThat(reader.isVerifier(strangerKey.address())).isFalse();
  }

  @Test
  void provenFaultSlashesHalfTheStakePaysTheFinderAndEjectsTheTranscoder() throws Exception {
    Wei supply = reporter.lptTotalSupply();
    Wei finderBefore = reporter.lptBalance(reporter.account().orElseThrow());
    FaultProof proof = proof();

    TxReceipt receipt = reporter.submitFault(proof);

    Wei penalty = percOf(STAKE, 500_000);
    Wei finderReward = percOf(penalty, 500_000);
    assertThat(penalty).isEqualTo(Wei.ofEther("500"));
    assertThat(reporter.transcoderSlashed(receipt)).containsExactly(
        new TranscoderSlashed(transcoder(), reporter.account().orElseThrow(), penalty, finderReward));
    assertThat(reporter.faultProven(receipt)).containsExactly(new FaultProven(transcoder(),
        reporter.account().orElseThrow(), broadcasterKey.address(), SEQ, proof.renditionHashes().get(INDEX), BAD_SCORE));
    assertThat(reporter.getDelegator(transcoder()).bondedAmount()).isEqualTo(STAKE.minus(penalty));
    assertThat(reporter.lptBalance(reporter.account().orElseThrow())).isEqualTo(finderBefore.plus(finderReward));
    assertThat(reporter.lptTotalSupply()).isEqualTo(supply.minus(penalty.minus(finderReward)));
    assertThat(reporter.faultSlashed(transcoder(), proof.segmentHash(), SEQ)).isTrue();
    // Out of the pool at once (its remaining self-bond keeps it registered); still active until the round
    // ends, not from the next one.
    assertThat(reporter.getTranscoderPoolSize()).isZero();
    assertThat(reporter.transcoderPool()).doesNotContain(transcoder());
    assertThat(reporter.isRegisteredTranscoder(transcoder())).isTrue();
    assertThat(reporter.isActiveTranscoder(transcoder())).isTrue();
    chain.nextRound();
    assertThat(reporter.isActiveTranscoder(transcoder())).isFalse();

    long gas = receipt.gasUsed();
    Path out = Path.of("target", "gas-report-verifier.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, "| submitFault (two renditions, proven fault, transcoder leaves the pool) | " + gas + " |\n");
    System.out.println("submitFault gas used: " + gas);
    assertThat(gas).isBetween(50_000L, 400_000L);
  }

  @Test
  void forgedBroadcasterSignatureIsRefused() {
    byte[] sig = proof().broadcasterSig();
    // The high-s twin of B's valid signature (it recovers to B in raw ecrecover; EIP-2 forbids it).
    byte[] twin = sig.clone();
    byte[] s = N.subtract(new BigInteger(1, Arrays.copyOfRange(sig, 32, 64))).toByteArray();
    Arrays.fill(twin, 32, 64, (byte) 0);
    int len = Math.min(s.length, 32);
    System.arraycopy(s, s.length - len, twin, 64 - len, len);
    twin[64] = (byte) (sig[64] == 27 ? 28 : 27);
    refused(proof().withBroadcasterSig(twin), "invalid broadcaster signature");
    refused(proof().withBroadcasterSig(Arrays.copyOf(sig, 64)), "invalid broadcaster signature");
    byte[] badV = sig.clone();
    badV[64] = 29;
    refused(proof().withBroadcasterSig(badV), "invalid broadcaster signature");
  }

  @Test
  void forgedTranscoderSignatureIsRefused() {
    FaultProof honest = proof();
    byte[] byStranger = io.jlivepeer.wire.SigningPayloads.sign(strangerKey,
        io.jlivepeer.wire.SigningPayloads.transcodeResultOfHashes(FaultProofs.renditionHashes(SEQ)));
    refused(honest.withTranscoderSig(byStranger), "invalid transcoder signature");
    // O's signature over other renditions (another segment's) does not cover these.
    byte[] otherResult = io.jlivepeer.wire.SigningPayloads.sign(transcoderKey,
        io.jlivepeer.wire.SigningPayloads.transcodeResultOfHashes(FaultProofs.renditionHashes(SEQ + 1)));
    refused(honest.withTranscoderSig(otherResult), "invalid transcoder signature");
  }

  @Test
  void renditionIndexOutOfRangeIsRefused() {
    refused(proof().withRenditionIndex(FaultProofs.LADDER.size()), "rendition index out of range");
  }

  @Test
  void verdictForAnotherSegmentIsRefused() {
    FaultProof p = proof();
    byte[] forNextSeq = FaultProofs.verdictSig(verifierKey, transcoder(), broadcasterKey.address(), SEQ + 1, INDEX, BAD_SCORE);
    refused(p.withVerdict(SEQ + 1, BAD_SCORE, forNextSeq), "verdict is for another segment");
    // A verdict naming this seq but made for another segment or rendition recovers to someone else.
    byte[] otherSegment = io.jlivepeer.wire.SigningPayloads.sign(verifierKey, io.jlivepeer.wire.SigningPayloads.verdict(
        transcoder().toBytes(), broadcasterKey.address().toBytes(), SEQ, FaultProofs.segmentHash(SEQ + 1), p.renditionHashes().get(INDEX).toBytes(), BAD_SCORE));
    refused(p.withVerdict(SEQ, BAD_SCORE, otherSegment), "verdict not signed by a verifier");
    refused(p.withVerdict(SEQ, BAD_SCORE, FaultProofs.verdictSig(verifierKey, transcoder(), broadcasterKey.address(), SEQ, 0, BAD_SCORE)),
        "verdict not signed by a verifier");
    // ... and so does one the verifier made for another broadcaster's segment (the signature names its signer) ...
    refused(p.withVerdict(SEQ, BAD_SCORE, FaultProofs.verdictSig(verifierKey, transcoder(), strangerKey.address(), SEQ,
        INDEX, BAD_SCORE)), "verdict not signed by a verifier");
    // ... and so does one whose score was changed after signing.
    refused(p.withVerdict(SEQ, BAD_SCORE - 1, p.verdictSig()), "verdict not signed by a verifier");
  }

  @Test
  void verdictByANonVerifierIsRefused() {
    FaultProof bySomeone = proof().withVerdict(SEQ, BAD_SCORE,
        FaultProofs.verdictSig(strangerKey, transcoder(), broadcasterKey.address(), SEQ, INDEX, BAD_SCORE));
    refused(bySomeone, "verdict not signed by a verifier");
    owner.setVerifier(verifierKey.address(), false);
    assertThat(owner.isVerifier(verifierKey.address())).isFalse();
    refused(proof(), "verdict not signed by a verifier");
  }

  @Test
  void honestRenditionIsNotSlashed() {
    refused(FaultProofs.proof(broadcasterKey, transcoderKey, verifierKey, SEQ, INDEX, 41_000),
        "rendition passed verification");
    // minScore itself passes.
    refused(FaultProofs.proof(broadcasterKey, transcoderKey, verifierKey, SEQ, INDEX, 30_000),
        "rendition passed verification");
  }

  @Test
  void aProvenFaultIsSlashedOnlyOnce() {
    reporter.submitFault(proof());
    Wei after = reporter.getDelegator(transcoder()).bondedAmount();
    assertThatThrownBy(() -> reporter.submitFault(proof()))
        .isInstanceOf(ChainException.class)
        .satisfies(e -> assertThat(((ChainException) e).revertReason()).contains("fault already slashed"));
    // Another rendition of the same segment is the same fault.
    assertThatThrownBy(() -> stranger.submitFault(
        FaultProofs.proof(broadcasterKey, transcoderKey, verifierKey, SEQ, 0, 0)))
        .satisfies(e -> assertThat(((ChainException) e).revertReason()).contains("fault already slashed"));
    assertThat(reporter.getDelegator(transcoder()).bondedAmount()).isEqualTo(after);
  }

  @Test
  void onlyTheOwnerSetsVerifiersAndSlashingParameters() {
    String notOwner = "caller " + stranger.account().orElseThrow() + " is not the owner";
    assertThatThrownBy(() -> stranger.setVerifier(strangerKey.address(), true))
        .isInstanceOf(ChainException.class)
        .satisfies(e -> assertThat(((ChainException) e).revertReason()).contains(notOwner));
    assertThatThrownBy(() -> stranger.setSlashingParams(new SlashingParams(1, 1, 1)))
        .satisfies(e -> assertThat(((ChainException) e).revertReason()).contains(notOwner));
    assertThat(owner.isVerifier(strangerKey.address())).isFalse();
    assertThat(owner.slashingParams()).isEqualTo(new SlashingParams(500_000, 500_000, 30_000));
  }

  @Test
  void slashingParametersAreValidatedAndApply() {
    assertThatThrownBy(() -> owner.setSlashingParams(new SlashingParams(1_000_001, 0, 0)))
        .satisfies(e -> assertThat(((ChainException) e).revertReason()).contains("slash amount must be a valid percentage"));
    assertThatThrownBy(() -> owner.setSlashingParams(new SlashingParams(0, 1_000_001, 0)))
        .satisfies(e -> assertThat(((ChainException) e).revertReason()).contains("finder fee must be a valid percentage"));

    owner.setSlashingParams(new SlashingParams(100_000, 1_000_000, 30_000));
    assertThat(owner.slashingParams()).isEqualTo(new SlashingParams(100_000, 1_000_000, 30_000));
    // 28 dB passed under the default 25 dB threshold; under 30 dB it is a fault, slashed 10%, all to the finder.
    TxReceipt receipt = reporter.submitFault(FaultProofs.proof(broadcasterKey, transcoderKey, verifierKey, SEQ, INDEX, 28_000));
    assertThat(reporter.transcoderSlashed(receipt)).containsExactly(new TranscoderSlashed(transcoder(),
        reporter.account().orElseThrow(), Wei.ofEther("100"), Wei.ofEther("100")));
    assertThat(reporter.getDelegator(transcoder()).bondedAmount()).isEqualTo(Wei.ofEther("900"));
  }

  @Test
  void noFaultIsProvenWhileTheSystemIsPaused() {
    TestChain.send(() -> chain.controller(chain.deployer).pause().send());
    refused(proof(), "system is paused");
  }

  /** The proof reverts with {@code reason}, nothing is slashed and the transcoder stays in the pool. */
  private void refused(FaultProof proof, String reason) {
    ThrowingCallable submit = () -> reporter.submitFault(proof);
    assertThatThrownBy(submit)
        .isInstanceOf(ChainException.class)
        .hasMessage("submitFault failed: " + reason)
        .satisfies(e -> assertThat(((ChainException) e).revertReason()).contains(reason));
    assertThat(reporter.getDelegator(transcoder()).bondedAmount()).isEqualTo(STAKE);
    assertThat(reporter.getTranscoderPoolSize()).isEqualTo(1);
    assertThat(reporter.faultSlashed(transcoder(), Bytes32.of(FaultProofs.segmentHash(SEQ)), SEQ)).isFalse();
  }
}
