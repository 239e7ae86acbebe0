package io.jlivepeer.chain;

import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;

/**
 * The typed client of the Livepeer protocol contracts (protocol.md): staking, rounds, rewards, the ticket
 * broker and the service registry. Contract addresses are looked up once in the Controller registry, so a
 * client needs only the Controller's address ({@code -ethController}). Writes go through a {@link TxManager}
 * and fail with a {@link ChainException} carrying the contract's revert string ("bond failed: delegation
 * amount must be greater than 0"). A read-only client (no account) rejects writes. Thread-safe.
 *
 * <p>LPT amounts are {@link Wei} too: LPT has 18 decimals like ETH, so its base unit is the same size.
 * Percentages (rewardCut, feeShare) are in parts per million (PERC_DIVISOR = 1,000,000).
 */
@SuppressWarnings("rawtypes") // web3j's ABI decoder hands back raw List<Type>
public final class ProtocolClient {
  /** The denominator of rewardCut, feeShare and the other percentages on chain. */
  public static final long PERC_DIVISOR = 1_000_000;

  /** Where each protocol contract lives. */
  public record Contracts(
      EthAddress controller,
      EthAddress bondingManager,
      EthAddress roundsManager,
      EthAddress minter,
      EthAddress ticketBroker,
      EthAddress serviceRegistry,
      EthAddress livepeerToken) {}

  /** BondingManager.getDelegator. */
  public record Delegator(
      Wei bondedAmount,
      Wei fees,
      EthAddress delegateAddress,
      Wei delegatedAmount,
      long startRound,
      long lastClaimRound,
      long nextUnbondingLockId) {}

  /** BondingManager.delegatorStatus. */
  public enum DelegatorStatus {
    PENDING,
    BONDED,
    UNBONDED
  }

  /** BondingManager.getTranscoder. */
  public record Transcoder(
      long lastRewardRound,
      long rewardCut,
      long feeShare,
      long lastActiveStakeUpdateRound,
      long activationRound,
      long deactivationRound,
      Wei activeCumulativeRewards,
      Wei cumulativeRewards,
      Wei cumulativeFees,
      long lastFeeRound) {}

  /** BondingManager.getDelegatorUnbondingLock. */
  public record UnbondingLock(Wei amount, long withdrawRound) {}

  /** BondingManager.getTranscoderEarningsPoolForRound; factors are scaled by 1e27. */
  public record EarningsPool(
      Wei totalStake,
      long transcoderRewardCut,
      long transcoderFeeShare,
      BigInteger cumulativeRewardFactor,
      BigInteger cumulativeFeeFactor) {}

  /** A registered orchestrator as listed from the transcoder pool. */
  public record Orchestrator(
      EthAddress address, String serviceUri, Wei totalStake, boolean active, Transcoder transcoder) {}

  /** The protocol's parameters and totals. */
  public record ProtocolParameters(
      long roundLength,
      long roundLockAmount,
      long unbondingPeriod,
      long transcoderPoolMaxSize,
      Wei totalBonded,
      Wei totalSupply,
      BigInteger inflation,
      BigInteger inflationChange,
      BigInteger targetBondingRate,
      Wei currentMintableTokens,
      long unlockPeriod,
      long ticketValidityPeriod,
      boolean paused) {}

  /** A winning ticket to redeem; auxData is creationRound || creationRoundBlockHash (64 bytes). */
  public record WinningTicket(
      EthAddress recipient,
      EthAddress sender,
      Wei faceValue,
      BigInteger winProb,
      BigInteger senderNonce,
      byte[] recipientRandHash,
      byte[] auxData) {
    public WinningTicket {
      recipientRandHash = recipientRandHash.clone();
      auxData = auxData.clone();
      if (recipientRandHash.length != 32) {
        throw new ChainException("recipientRandHash must be 32 bytes");
      }
    }

    @Override
    public byte[] recipientRandHash() {
      return recipientRandHash.clone();
    }

    @Override
    public byte[] auxData() {
      return auxData.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof WinningTicket t
          && recipient.equals(t.recipient)
          && sender.equals(t.sender)
          && faceValue.equals(t.faceValue)
          && winProb.equals(t.winProb)
          && senderNonce.equals(t.senderNonce)
          && Arrays.equals(recipientRandHash, t.recipientRandHash)
          && Arrays.equals(auxData, t.auxData);
    }

    @Override
    public int hashCode() {
      return Objects.hash(recipient, sender, faceValue, winProb, senderNonce, Arrays.hashCode(recipientRandHash), Arrays.hashCode(auxData));
    }

    @Override
    public String toString() {
      return "WinningTicket[" + recipient + " <- " + sender + ", faceValue " + faceValue + ", nonce " + senderNonce + "]";
    }
  }

  /**
   * Verifier.slashAmount, finderFee and minScore. slashAmount and finderFee are in parts per million
   * (500000 = 50%); minScore is milli-dB PSNR (25000 = 25 dB): a rendition scoring at least that passed.
   */
  public record SlashingParams(long slashAmount, long finderFee, long minScore) {
    public SlashingParams {
      if (slashAmount < 0 || finderFee < 0 || minScore < 0) {
        throw new ChainException("slashing parameters are unsigned: " + slashAmount + ", " + finderFee + ", " + minScore);
      }
    }
  }

  /**
   * The arguments of Verifier.submitFault (docs/chain.md "Verifier"): what B signed for a segment, what O
   * signed over its renditions and a verifier's signed verdict on one of them. The digests are wire's
   * SigningPayloads.segment, transcodeResultOfHashes and verdict.
   *
   * @param manifestId the stream's manifest id bytes, as B signed them
   * @param seq the segment's sequence number
   * @param segmentHash keccak256 of the source segment
   * @param profileIds for each profile the 8 ASCII hex chars of its legacy id, concatenated (SigningPayloads.profileIds)
   * @param broadcasterSig B's segment signature (65 bytes)
   * @param renditionHashes keccak256 of each rendition, in O's order
   * @param transcoder O's address (the account slashed)
   * @param transcoderSig O's signature over the rendition hashes
   * @param renditionIndex the disputed rendition
   * @param verdictSeq the seq the verdict names (must equal seq)
   * @param score the verdict's score, milli-dB PSNR (0: failed a hard check)
   * @param verdictSig the verifier's signature over the verdict digest
   */
  public record FaultProof(
      byte[] manifestId,
      long seq,
      Bytes32 segmentHash,
      byte[] profileIds,
      byte[] broadcasterSig,
      List<Bytes32> renditionHashes,
      EthAddress transcoder,
      byte[] transcoderSig,
      int renditionIndex,
      long verdictSeq,
      long score,
      byte[] verdictSig) {
    public FaultProof {
      manifestId = manifestId.clone();
      Objects.requireNonNull(segmentHash, "segmentHash");
      profileIds = profileIds.clone();
      broadcasterSig = broadcasterSig.clone();
      renditionHashes = List.copyOf(renditionHashes);
      Objects.requireNonNull(transcoder, "transcoder");
      transcoderSig = transcoderSig.clone();
      verdictSig = verdictSig.clone();
      if (seq < 0 || renditionIndex < 0 || verdictSeq < 0 || score < 0) {
        throw new ChainException("seq, renditionIndex, verdictSeq and score are unsigned");
      }
    }

    @Override
    public byte[] manifestId() {
      return manifestId.clone();
    }

    @Override
    public byte[] profileIds() {
      return profileIds.clone();
    }

    @Override
    public byte[] broadcasterSig() {
      return broadcasterSig.clone();
    }

    @Override
    public byte[] transcoderSig() {
      return transcoderSig.clone();
    }

    @Override
    public byte[] verdictSig() {
      return verdictSig.clone();
    }

    public FaultProof withBroadcasterSig(byte[] sig) {
      return new FaultProof(manifestId, seq, segmentHash, profileIds, sig, renditionHashes, transcoder, transcoderSig,
          renditionIndex, verdictSeq, score, verdictSig);
    }

    public FaultProof withTranscoderSig(byte[] sig) {
      return new FaultProof(manifestId, seq, segmentHash, profileIds, broadcasterSig, renditionHashes, transcoder, sig,
          renditionIndex, verdictSeq, score, verdictSig);
    }

    public FaultProof withRenditionIndex(int index) {
      return new FaultProof(manifestId, seq, segmentHash, profileIds, broadcasterSig, renditionHashes, transcoder,
          transcoderSig, index, verdictSeq, score, verdictSig);
    }

    /** The same proof with another verdict (its seq, score and signature). */
    public FaultProof withVerdict(long seq, long score, byte[] sig) {
      return new FaultProof(manifestId, this.seq, segmentHash, profileIds, broadcasterSig, renditionHashes, transcoder,
          transcoderSig, renditionIndex, seq, score, sig);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FaultProof f
          && Arrays.equals(manifestId, f.manifestId)
          && seq == f.seq
          && segmentHash.equals(f.segmentHash)
          && Arrays.equals(profileIds, f.profileIds)
          && Arrays.equals(broadcasterSig, f.broadcasterSig)
          && renditionHashes.equals(f.renditionHashes)
          && transcoder.equals(f.transcoder)
          && Arrays.equals(transcoderSig, f.transcoderSig)
          && renditionIndex == f.renditionIndex
          && verdictSeq == f.verdictSeq
          && score == f.score
          && Arrays.equals(verdictSig, f.verdictSig);
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(manifestId), seq, segmentHash, renditionHashes, transcoder, renditionIndex, score);
    }

    @Override
    public String toString() {
      return "FaultProof[" + transcoder + " seq " + seq + " segment " + segmentHash + " rendition " + renditionIndex
          + " score " + score + "]";
    }
  }

  /** BondingManager's TranscoderSlashed event. */
  public record TranscoderSlashed(EthAddress transcoder, EthAddress finder, Wei penalty, Wei finderReward) {}

  /** Verifier's FaultProven event. */
  public record FaultProven(
      EthAddress transcoder, EthAddress finder, EthAddress broadcaster, long seq, Bytes32 renditionHash, long score) {}

  private final EthRpc rpc;
  private final Optional<TxManager> tx;
  private final Contracts contracts;
  private final Optional<EthAddress> verifier;

  private ProtocolClient(EthRpc rpc, Optional<TxManager> tx, EthAddress controller) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
    this.tx = tx;
    this.contracts = resolve(controller);
    EthAddress v = getContract(controller, "Verifier");
    // The reference deploys no Verifier (protocol.md "Verification and slashing"): absent is not an error.
    this.verifier = v.isZero() ? Optional.empty() : Optional.of(v);
  }

  /** A client that signs with the transaction manager's account. */
  public static ProtocolClient connect(TxManager tx, EthAddress controller) {
    return new ProtocolClient(tx.rpc(), Optional.of(tx), controller);
  }

  /** A client that only reads (no account: writes fail with a clear message). */
  public static ProtocolClient readOnly(EthRpc rpc, EthAddress controller) {
    return new ProtocolClient(rpc, Optional.empty(), controller);
  }

  public Contracts contracts() {
    return contracts;
  }

  public EthRpc rpc() {
    return rpc;
  }

  /** The contract registered as "Verifier", when the deployment has one (the reference's has none). */
  public Optional<EthAddress> verifier() {
    return verifier;
  }

  /** The signing account, when there is one. */
  public Optional<EthAddress> account() {
    return tx.map(TxManager::address);
  }

  private Contracts resolve(EthAddress controller) {
    if (code(controller).isEmpty()) {
      throw new ChainException(
          "no contract at the Controller address " + controller + " on " + rpc.url() + "; check -ethController and -ethUrl");
    }
    return new Contracts(
        controller,
        lookup(controller, "BondingManager"),
        lookup(controller, "RoundsManager"),
        lookup(controller, "Minter"),
        lookupAny(controller, "TicketBroker", "JobsManager"),
        lookup(controller, "ServiceRegistry"),
        lookup(controller, "LivepeerToken"));
  }

  private String code(EthAddress a) {
    String c = rpc.call("eth_getCode", a.hex(), "latest").asText();
    return c.equals("0x") ? "" : c;
  }

  private EthAddress lookupAny(EthAddress controller, String name, String legacyName) {
    EthAddress a = getContract(controller, name);
    return a.isZero() ? lookup(controller, legacyName) : a;
  }

  private EthAddress lookup(EthAddress controller, String name) {
    EthAddress a = getContract(controller, name);
    if (a.isZero()) {
      throw new ChainException(
          "the Controller at " + controller + " has no contract registered as \"" + name + "\"; is -ethController right?");
    }
    return a;
  }

  private EthAddress getContract(EthAddress controller, String name) {
    byte[] id = Hash.sha3(name.getBytes(StandardCharsets.US_ASCII));
    return address(controller, "getContract", b32(id));
  }

  // ---------------------------------------------------------------- LivepeerToken

  public Wei lptBalance(EthAddress account) {
    return wei(contracts.livepeerToken(), "balanceOf", new Address(account.hex()));
  }

  public Wei lptAllowance(EthAddress owner, EthAddress spender) {
    return wei(contracts.livepeerToken(), "allowance", new Address(owner.hex()), new Address(spender.hex()));
  }

  public Wei lptTotalSupply() {
    return wei(contracts.livepeerToken(), "totalSupply");
  }

  public TxReceipt approve(EthAddress spender, Wei amount) {
    return send("approve", contracts.livepeerToken(), Wei.ZERO, "approve", new Address(spender.hex()), uint(amount));
  }

  public TxReceipt transferLpt(EthAddress to, Wei amount) {
    return send("transfer", contracts.livepeerToken(), Wei.ZERO, "transfer", new Address(to.hex()), uint(amount));
  }

  // ---------------------------------------------------------------- BondingManager writes

  /** Bonds amount (approving the BondingManager first when the allowance is short) to the delegate. */
  public TxReceipt bond(Wei amount, EthAddress to) {
    if (!amount.isZero()) {
      EthAddress me = requireAccount("bond");
      if (lptAllowance(me, contracts.bondingManager()).compareTo(amount) < 0) {
        approve(contracts.bondingManager(), amount);
      }
    }
    return send("bond", contracts.bondingManager(), Wei.ZERO, "bond", uint(amount), new Address(to.hex()));
  }

  public TxReceipt unbond(Wei amount) {
    return send("unbond", contracts.bondingManager(), Wei.ZERO, "unbond", uint(amount));
  }

  public TxReceipt rebond(long unbondingLockId) {
    return send("rebond", contracts.bondingManager(), Wei.ZERO, "rebond", uint(unbondingLockId));
  }

  public TxReceipt rebondFromUnbonded(EthAddress to, long unbondingLockId) {
    return send("rebondFromUnbonded", contracts.bondingManager(), Wei.ZERO, "rebondFromUnbonded",
        new Address(to.hex()), uint(unbondingLockId));
  }

  public TxReceipt withdrawStake(long unbondingLockId) {
    return send("withdrawStake", contracts.bondingManager(), Wei.ZERO, "withdrawStake", uint(unbondingLockId));
  }

  public TxReceipt withdrawFees(EthAddress recipient, Wei amount) {
    return send("withdrawFees", contracts.bondingManager(), Wei.ZERO, "withdrawFees", new Address(recipient.hex()), uint(amount));
  }

  public TxReceipt claimEarnings(long endRound) {
    return send("claimEarnings", contracts.bondingManager(), Wei.ZERO, "claimEarnings", uint(endRound));
  }

  /** Sets the caller's transcoder parameters; both in parts per million (500000 = 50%). */
  public TxReceipt transcoder(long rewardCut, long feeShare) {
    return send("transcoder", contracts.bondingManager(), Wei.ZERO, "transcoder", uint(rewardCut), uint(feeShare));
  }

  public TxReceipt reward() {
    return send("reward", contracts.bondingManager(), Wei.ZERO, "reward");
  }

  // ---------------------------------------------------------------- BondingManager reads

  public Delegator getDelegator(EthAddress delegator) {
    List<Type> r = read(contracts.bondingManager(), "getDelegator", List.of(new Address(delegator.hex())),
        outs(U, U, A, U, U, U, U));
    return new Delegator(w(r, 0), w(r, 1), a(r, 2), w(r, 3), l(r, 4), l(r, 5), l(r, 6));
  }

  public DelegatorStatus delegatorStatus(EthAddress delegator) {
    int s = uint256(contracts.bondingManager(), "delegatorStatus", new Address(delegator.hex())).intValueExact();
    return DelegatorStatus.values()[s];
  }

  public UnbondingLock getDelegatorUnbondingLock(EthAddress delegator, long lockId) {
    List<Type> r = read(contracts.bondingManager(), "getDelegatorUnbondingLock",
        List.of(new Address(delegator.hex()), uint(lockId)), outs(U, U));
    return new UnbondingLock(w(r, 0), l(r, 1));
  }

  public boolean isValidUnbondingLock(EthAddress delegator, long lockId) {
    return bool(contracts.bondingManager(), "isValidUnbondingLock", new Address(delegator.hex()), uint(lockId));
  }

  public Transcoder getTranscoder(EthAddress transcoder) {
    List<Type> r = read(contracts.bondingManager(), "getTranscoder", List.of(new Address(transcoder.hex())),
        outs(U, U, U, U, U, U, U, U, U, U));
    return new Transcoder(l(r, 0), l(r, 1), l(r, 2), l(r, 3), l(r, 4), l(r, 5), w(r, 6), w(r, 7), w(r, 8), l(r, 9));
  }

  public EarningsPool getTranscoderEarningsPoolForRound(EthAddress transcoder, long round) {
    List<Type> r = read(contracts.bondingManager(), "getTranscoderEarningsPoolForRound",
        List.of(new Address(transcoder.hex()), uint(round)), outs(U, U, U, U, U));
    return new EarningsPool(w(r, 0), l(r, 1), l(r, 2), big(r, 3), big(r, 4));
  }

  public Wei pendingStake(EthAddress delegator, long endRound) {
    return wei(contracts.bondingManager(), "pendingStake", new Address(delegator.hex()), uint(endRound));
  }

  public Wei pendingFees(EthAddress delegator, long endRound) {
    return wei(contracts.bondingManager(), "pendingFees", new Address(delegator.hex()), uint(endRound));
  }

  public Wei transcoderTotalStake(EthAddress transcoder) {
    return wei(contracts.bondingManager(), "transcoderTotalStake", new Address(transcoder.hex()));
  }

  public boolean isActiveTranscoder(EthAddress transcoder) {
    return bool(contracts.bondingManager(), "isActiveTranscoder", new Address(transcoder.hex()));
  }

  public boolean isRegisteredTranscoder(EthAddress transcoder) {
    return bool(contracts.bondingManager(), "isRegisteredTranscoder", new Address(transcoder.hex()));
  }

  public Wei getTotalBonded() {
    return wei(contracts.bondingManager(), "getTotalBonded");
  }

  public long unbondingPeriod() {
    return uint256(contracts.bondingManager(), "unbondingPeriod").longValueExact();
  }

  public long getTranscoderPoolMaxSize() {
    return uint256(contracts.bondingManager(), "getTranscoderPoolMaxSize").longValueExact();
  }

  public long getTranscoderPoolSize() {
    return uint256(contracts.bondingManager(), "getTranscoderPoolSize").longValueExact();
  }

  public EthAddress getFirstTranscoderInPool() {
    return address(contracts.bondingManager(), "getFirstTranscoderInPool");
  }

  public EthAddress getNextTranscoderInPool(EthAddress transcoder) {
    return address(contracts.bondingManager(), "getNextTranscoderInPool", new Address(transcoder.hex()));
  }

  /** The transcoder pool in order (highest stake first): the active set of the next round. */
  public List<EthAddress> transcoderPool() {
    List<EthAddress> out = new ArrayList<>();
    long max = getTranscoderPoolSize();
    for (EthAddress t = getFirstTranscoderInPool(); !t.isZero() && out.size() < max; t = getNextTranscoderInPool(t)) {
      out.add(t);
    }
    return out;
  }

  /** The pool's members with their service URI, stake and parameters. */
  public List<Orchestrator> registeredOrchestrators() {
    List<Orchestrator> out = new ArrayList<>();
    for (EthAddress t : transcoderPool()) {
      out.add(new Orchestrator(t, getServiceURI(t), transcoderTotalStake(t), isActiveTranscoder(t), getTranscoder(t)));
    }
    return out;
  }

  // ---------------------------------------------------------------- RoundsManager

  public TxReceipt initializeRound() {
    return send("initializeRound", contracts.roundsManager(), Wei.ZERO, "initializeRound");
  }

  public long currentRound() {
    return uint256(contracts.roundsManager(), "currentRound").longValueExact();
  }

  public boolean currentRoundInitialized() {
    return bool(contracts.roundsManager(), "currentRoundInitialized");
  }

  public boolean currentRoundLocked() {
    return bool(contracts.roundsManager(), "currentRoundLocked");
  }

  public long currentRoundStartBlock() {
    return uint256(contracts.roundsManager(), "currentRoundStartBlock").longValueExact();
  }

  public long lastInitializedRound() {
    return uint256(contracts.roundsManager(), "lastInitializedRound").longValueExact();
  }

  public long roundLength() {
    return uint256(contracts.roundsManager(), "roundLength").longValueExact();
  }

  public long roundLockAmount() {
    return uint256(contracts.roundsManager(), "roundLockAmount").longValueExact();
  }

  /** The block hash stored when the round was initialized (all zero when it was not). */
  public byte[] blockHashForRound(long round) {
    List<Type> r = read(contracts.roundsManager(), "blockHashForRound", List.of(uint(round)), outs(B32));
    return (byte[]) r.getFirst().getValue();
  }

  // ---------------------------------------------------------------- Minter

  public BigInteger inflation() {
    return uint256(contracts.minter(), "inflation");
  }

  public BigInteger inflationChange() {
    return uint256(contracts.minter(), "inflationChange");
  }

  public BigInteger targetBondingRate() {
    return uint256(contracts.minter(), "targetBondingRate");
  }

  public Wei currentMintableTokens() {
    return wei(contracts.minter(), "currentMintableTokens");
  }

  public Wei currentMintedTokens() {
    return wei(contracts.minter(), "currentMintedTokens");
  }

  // ---------------------------------------------------------------- TicketBroker

  public TxReceipt fundDepositAndReserve(Wei deposit, Wei reserve) {
    return send("fundDepositAndReserve", contracts.ticketBroker(), deposit.plus(reserve), "fundDepositAndReserve",
        uint(deposit), uint(reserve));
  }

  public TxReceipt fundDeposit(Wei amount) {
    return send("fundDeposit", contracts.ticketBroker(), amount, "fundDeposit");
  }

  public TxReceipt fundReserve(Wei amount) {
    return send("fundReserve", contracts.ticketBroker(), amount, "fundReserve");
  }

  public TxReceipt unlock() {
    return send("unlock", contracts.ticketBroker(), Wei.ZERO, "unlock");
  }

  public TxReceipt cancelUnlock() {
    return send("cancelUnlock", contracts.ticketBroker(), Wei.ZERO, "cancelUnlock");
  }

  public TxReceipt withdraw() {
    return send("withdraw", contracts.ticketBroker(), Wei.ZERO, "withdraw");
  }

  public TxReceipt redeemWinningTicket(WinningTicket t, byte[] signature, BigInteger recipientRand) {
    DynamicStruct ticket =
        new DynamicStruct(
            new Address(t.recipient().hex()),
            new Address(t.sender().hex()),
            uint(t.faceValue()),
            new Uint256(t.winProb()),
            new Uint256(t.senderNonce()),
            b32(t.recipientRandHash()),
            new DynamicBytes(t.auxData()));
    return send("redeemWinningTicket", contracts.ticketBroker(), Wei.ZERO, "redeemWinningTicket",
        ticket, new DynamicBytes(signature), new Uint256(recipientRand));
  }

  public SenderInfo getSenderInfo(EthAddress sender) {
    List<Type> r = read(contracts.ticketBroker(), "getSenderInfo", List.of(new Address(sender.hex())), outs(U, U, U, U));
    return new SenderInfo(w(r, 0), l(r, 1), w(r, 2), w(r, 3));
  }

  public Wei claimableReserve(EthAddress reserveHolder, EthAddress claimant) {
    return wei(contracts.ticketBroker(), "claimableReserve", new Address(reserveHolder.hex()), new Address(claimant.hex()));
  }

  /** What the claimant already took from the holder's reserve in the current round. */
  public Wei claimedReserve(EthAddress reserveHolder, EthAddress claimant) {
    return wei(contracts.ticketBroker(), "claimedReserve", new Address(reserveHolder.hex()), new Address(claimant.hex()));
  }

  public boolean usedTickets(byte[] ticketHash) {
    return bool(contracts.ticketBroker(), "usedTickets", b32(ticketHash));
  }

  public boolean isUnlockInProgress(EthAddress sender) {
    return bool(contracts.ticketBroker(), "isUnlockInProgress", new Address(sender.hex()));
  }

  public long unlockPeriod() {
    return uint256(contracts.ticketBroker(), "unlockPeriod").longValueExact();
  }

  public long ticketValidityPeriod() {
    return uint256(contracts.ticketBroker(), "ticketValidityPeriod").longValueExact();
  }

  // ---------------------------------------------------------------- ServiceRegistry

  public TxReceipt setServiceURI(String uri) {
    return send("setServiceURI", contracts.serviceRegistry(), Wei.ZERO, "setServiceURI", new Utf8String(uri));
  }

  public String getServiceURI(EthAddress account) {
    List<Type> r = read(contracts.serviceRegistry(), "getServiceURI", List.of(new Address(account.hex())), outs(S));
    return (String) r.getFirst().getValue();
  }

  // ---------------------------------------------------------------- Verifier

  /**
   * Submits a fault proof; the caller is the finder and receives the finder fee in LPT. A proof the contract
   * refuses fails with its revert string ("verdict not signed by a verifier", "fault already slashed", ...).
   */
  public TxReceipt submitFault(FaultProof p) {
    List<Bytes32> hashes = p.renditionHashes();
    DynamicArray<org.web3j.abi.datatypes.generated.Bytes32> renditions = new DynamicArray<>(
        org.web3j.abi.datatypes.generated.Bytes32.class,
        hashes.stream().map(h -> b32(h.toBytes())).toList());
    return send("submitFault", requireVerifier("submitFault"), Wei.ZERO, "submitFault",
        new DynamicBytes(p.manifestId()),
        uint(p.seq()),
        b32(p.segmentHash().toBytes()),
        new DynamicBytes(p.profileIds()),
        new DynamicBytes(p.broadcasterSig()),
        renditions,
        new Address(p.transcoder().hex()),
        new DynamicBytes(p.transcoderSig()),
        uint(p.renditionIndex()),
        uint(p.verdictSeq()),
        uint(p.score()),
        new DynamicBytes(p.verdictSig()));
  }

  /** Lets {@code verifier}'s signed verdicts prove faults, or stops it (Verifier owner only). */
  public TxReceipt setVerifier(EthAddress verifierAccount, boolean allowed) {
    return send("setVerifier", requireVerifier("setVerifier"), Wei.ZERO, "setVerifier",
        new Address(verifierAccount.hex()), new Bool(allowed));
  }

  /** Sets slashAmount, finderFee (ppm, at most 1000000 each) and minScore (Verifier owner only). */
  public TxReceipt setSlashingParams(SlashingParams params) {
    return send("setSlashingParams", requireVerifier("setSlashingParams"), Wei.ZERO, "setSlashingParams",
        uint(params.slashAmount()), uint(params.finderFee()), uint(params.minScore()));
  }

  public boolean isVerifier(EthAddress account) {
    return bool(requireVerifier("isVerifier"), "isVerifier", new Address(account.hex()));
  }

  public SlashingParams slashingParams() {
    EthAddress v = requireVerifier("slashingParams");
    return new SlashingParams(uint256(v, "slashAmount").longValueExact(), uint256(v, "finderFee").longValueExact(),
        uint256(v, "minScore").longValueExact());
  }

  /** Whether the fault of {@code transcoder} on segment ({@code segmentHash}, {@code seq}) was already slashed. */
  public boolean faultSlashed(EthAddress transcoder, Bytes32 segmentHash, long seq) {
    if (seq < 0) {
      throw new ChainException("seq is unsigned: " + seq);
    }
    byte[] packed = new byte[84]; // abi.encodePacked(address, bytes32, uint256)
    System.arraycopy(transcoder.toBytes(), 0, packed, 0, 20);
    System.arraycopy(segmentHash.toBytes(), 0, packed, 20, 32);
    for (int i = 0; i < 8; i++) {
      packed[83 - i] = (byte) (seq >>> (8 * i));
    }
    byte[] key = Hash.sha3(packed);
    return bool(requireVerifier("faultSlashed"), "faultSlashed", b32(key));
  }

  private static final String TRANSCODER_SLASHED = topic("TranscoderSlashed(address,address,uint256,uint256)");
  private static final String FAULT_PROVEN = topic("FaultProven(address,address,address,uint256,bytes32,uint256)");

  /** The TranscoderSlashed events the BondingManager logged in {@code receipt}. */
  public List<TranscoderSlashed> transcoderSlashed(TxReceipt receipt) {
    List<TranscoderSlashed> out = new ArrayList<>();
    for (TxReceipt.EventLog l : logs(receipt, contracts.bondingManager(), TRANSCODER_SLASHED, 2)) {
      List<Type> d = eventData(l, A, U, U);
      out.add(new TranscoderSlashed(topicAddress(l, 1), a(d, 0), w(d, 1), w(d, 2)));
    }
    return out;
  }

  /** The FaultProven events the Verifier logged in {@code receipt}. */
  public List<FaultProven> faultProven(TxReceipt receipt) {
    List<FaultProven> out = new ArrayList<>();
    if (verifier.isEmpty()) {
      return out;
    }
    for (TxReceipt.EventLog l : logs(receipt, verifier.get(), FAULT_PROVEN, 4)) {
      List<Type> d = eventData(l, U, B32, U);
      out.add(new FaultProven(topicAddress(l, 1), topicAddress(l, 2), topicAddress(l, 3), l(d, 0),
          Bytes32.of((byte[]) d.get(1).getValue()), l(d, 2)));
    }
    return out;
  }

  private EthAddress requireVerifier(String action) {
    return verifier.orElseThrow(() -> new ChainException(action + " failed: the Controller at " + contracts.controller()
        + " has no contract registered as \"Verifier\" (the reference deployment has none)"));
  }

  private static List<TxReceipt.EventLog> logs(TxReceipt receipt, EthAddress emitter, String topic0, int topics) {
    return receipt.logs().stream()
        .filter(l -> l.address().equals(emitter) && l.topics().size() == topics
            && l.topics().getFirst().equalsIgnoreCase(topic0))
        .toList();
  }

  /** An event's non-indexed values, decoded like a function's outputs. */
  private static List<Type> eventData(TxReceipt.EventLog l, TypeReference<?>... types) {
    return FunctionReturnDecoder.decode(l.data(), new Function("event", List.of(), outs(types)).getOutputParameters());
  }

  private static String topic(String signature) {
    return Hash.sha3String(signature);
  }

  private static EthAddress topicAddress(TxReceipt.EventLog l, int i) {
    String t = l.topics().get(i);
    return EthAddress.of("0x" + t.substring(t.length() - 40));
  }

  // ---------------------------------------------------------------- Controller and summaries

  public boolean paused() {
    return bool(contracts.controller(), "paused");
  }

  public ProtocolParameters protocolParameters() {
    return new ProtocolParameters(
        roundLength(),
        roundLockAmount(),
        unbondingPeriod(),
        getTranscoderPoolMaxSize(),
        getTotalBonded(),
        lptTotalSupply(),
        inflation(),
        inflationChange(),
        targetBondingRate(),
        currentMintableTokens(),
        unlockPeriod(),
        ticketValidityPeriod(),
        paused());
  }

  /** The addresses as a name-to-address map, for printing and for devchain.json. */
  public Map<String, String> contractMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("Controller", contracts.controller().toString());
    m.put("BondingManager", contracts.bondingManager().toString());
    m.put("RoundsManager", contracts.roundsManager().toString());
    m.put("Minter", contracts.minter().toString());
    m.put("TicketBroker", contracts.ticketBroker().toString());
    m.put("ServiceRegistry", contracts.serviceRegistry().toString());
    m.put("LivepeerToken", contracts.livepeerToken().toString());
    return m;
  }

  // ---------------------------------------------------------------- plumbing

  private static final TypeReference<Uint256> U = new TypeReference<>() {};
  private static final TypeReference<Address> A = new TypeReference<>() {};
  private static final TypeReference<Bool> BOOL = new TypeReference<>() {};
  private static final TypeReference<org.web3j.abi.datatypes.generated.Bytes32> B32 = new TypeReference<>() {};
  private static final TypeReference<Utf8String> S = new TypeReference<>() {};

  private static List<TypeReference<?>> outs(TypeReference<?>... refs) {
    return Arrays.asList(refs);
  }

  /** web3j's bytes32 ABI type (payments' {@link Bytes32} is the API's). */
  private static org.web3j.abi.datatypes.generated.Bytes32 b32(byte[] b) {
    return new org.web3j.abi.datatypes.generated.Bytes32(b);
  }

  private static Uint256 uint(Wei w) {
    return new Uint256(w.value());
  }

  private static Uint256 uint(long v) {
    if (v < 0) {
      throw new ChainException("a negative number cannot be sent as uint256: " + v);
    }
    return new Uint256(BigInteger.valueOf(v));
  }

  private static BigInteger big(List<Type> r, int i) {
    return (BigInteger) r.get(i).getValue();
  }

  private static Wei w(List<Type> r, int i) {
    return Wei.of(big(r, i));
  }

  private static long l(List<Type> r, int i) {
    BigInteger v = big(r, i);
    return v.bitLength() < 64 ? v.longValue() : Long.MAX_VALUE;
  }

  private static EthAddress a(List<Type> r, int i) {
    return EthAddress.of((String) r.get(i).getValue());
  }

  private EthAddress requireAccount(String action) {
    return tx.map(TxManager::address)
        .orElseThrow(() -> new ChainException(action + " failed: this node has no Ethereum account; start it with -ethKeystorePath"));
  }

  private TxReceipt send(String action, EthAddress contract, Wei value, String fn, Type... args) {
    requireAccount(action);
    Function f = new Function(fn, List.of(args), List.of());
    return tx.orElseThrow().send(new TxRequest(action, contract, FunctionEncoder.encode(f), value, 0));
  }

  private List<Type> read(EthAddress contract, String fn, List<Type> args, List<TypeReference<?>> outputs) {
    Function f = new Function(fn, args, outputs);
    Map<String, Object> call = new LinkedHashMap<>();
    tx.ifPresent(t -> call.put("from", t.address().hex()));
    call.put("to", contract.hex());
    call.put("data", FunctionEncoder.encode(f));
    String out;
    try {
      out = rpc.ethCall(call, "latest");
    } catch (RpcError e) {
      throw RevertReasons.fromRpcError(e).map(r -> ChainException.reverted(fn, r)).orElseThrow(() -> e);
    }
    if (out == null || out.equals("0x") || out.isEmpty()) {
      throw new ChainException(
          fn + " failed: the contract at " + contract + " returned nothing (no contract there? check -ethController)");
    }
    List<Type> decoded = FunctionReturnDecoder.decode(out, f.getOutputParameters());
    if (decoded.size() != outputs.size()) {
      throw new ChainException(fn + " failed: unexpected answer from " + contract + ": " + out);
    }
    return decoded;
  }

  private BigInteger uint256(EthAddress c, String fn, Type<?>... args) {
    return big(read(c, fn, List.of(args), outs(U)), 0);
  }

  private Wei wei(EthAddress c, String fn, Type<?>... args) {
    return Wei.of(uint256(c, fn, args));
  }

  private boolean bool(EthAddress c, String fn, Type<?>... args) {
    return (Boolean) read(c, fn, List.of(args), outs(BOOL)).getFirst().getValue();
  }

  private EthAddress address(EthAddress c, String fn, Type<?>... args) {
    return EthAddress.of((String) read(c, fn, List.of(args), outs(A)).getFirst().getValue());
  }

  static String hex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }
}
