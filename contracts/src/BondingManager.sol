// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ManagerProxyTarget, Manager} from "./Manager.sol";
import {MathUtils, PreciseMathUtils} from "./MathUtils.sol";
import {ILivepeerToken, IMinter, IRoundsManager} from "./Interfaces.sol";

// Staking: bonding and delegation, the sorted transcoder pool (the next round's active set), inflationary
// rewards and fee sharing through per-round cumulative factors, unbonding locks and slashing.
//
// Earnings without loops: each transcoder keeps, per round, a cumulative reward factor (CRF, 1e27 = 1) and a
// cumulative fee factor (CFF). A delegator's stake grows by CRF_end / CRF_start between two claims, its fees
// by stake_start * (CFF_end - CFF_start) / CRF_start (protocol.md "Delegator earnings").
// Factors are copied ("touched") into the current round's pool when a delegator's claim round is recorded
// there, so every start round has its factors and the end factors are always in the last touched round.
contract BondingManager is ManagerProxyTarget {
    using SafeCast for uint256;

    uint256 private constant NEVER = type(uint48).max;
    uint256 private constant FACTOR_ONE = 1e27;

    enum DelegatorStatus {
        Pending,
        Bonded,
        Unbonded
    }

    enum TranscoderStatus {
        NotRegistered,
        Registered
    }

    struct EarningsPool {
        uint128 totalStake; // the transcoder's active stake in that round (written when it matters)
        uint32 transcoderRewardCut;
        uint32 transcoderFeeShare;
        uint256 cumulativeRewardFactor;
        uint256 cumulativeFeeFactor;
    }

    struct Transcoder {
        // slot 1
        uint48 lastRewardRound;
        uint32 rewardCut;
        uint32 feeShare;
        uint48 lastActiveStakeUpdateRound; // the round whose pool holds the latest active stake
        uint48 activationRound;
        uint48 deactivationRound;
        // slot 2
        uint48 lastFeeRound;
        uint48 lastFactorRound; // the latest round whose pool holds factors
        uint48 prevFactorRound; // the round holding the factors as they were before lastFactorRound
        uint48 prevStakeRound; // the round holding the stake that applies before lastActiveStakeUpdateRound
        // slot 3: the transcoder's commission, not yet claimed into its own bond
        uint128 activeCumulativeRewards;
        uint128 cumulativeRewards;
        // slot 4
        uint256 cumulativeFees;
        mapping(uint256 => EarningsPool) earningsPoolPerRound;
    }

    struct UnbondingLock {
        uint128 amount;
        uint48 withdrawRound;
    }

    struct Delegator {
        uint128 bondedAmount;
        uint128 fees;
        address delegateAddress;
        uint48 startRound;
        uint48 lastClaimRound;
        uint128 delegatedAmount;
        uint64 nextUnbondingLockId;
        mapping(uint256 => UnbondingLock) unbondingLocks;
    }

    struct Node {
        address next;
        address prev;
    }

    uint64 public unbondingPeriod;
    // Pool: a doubly linked list sorted by delegated stake, highest first.
    address private poolHead;
    uint48 private poolSize;
    uint48 private poolMaxSize;
    address private poolTail;
    mapping(address => Node) private poolNodes;

    mapping(address => Transcoder) private transcoders;
    mapping(address => Delegator) private delegators;

    uint256 public currentRoundTotalActiveStake;
    uint256 public nextRoundTotalActiveStake;

    event TranscoderUpdate(address indexed transcoder, uint256 rewardCut, uint256 feeShare);
    event TranscoderActivated(address indexed transcoder, uint256 activationRound);
    event TranscoderDeactivated(address indexed transcoder, uint256 deactivationRound);
    event TranscoderSlashed(address indexed transcoder, address finder, uint256 penalty, uint256 finderReward);
    event Reward(address indexed transcoder, uint256 amount);
    event Bond(
        address indexed newDelegate,
        address indexed oldDelegate,
        address indexed delegator,
        uint256 additionalAmount,
        uint256 bondedAmount
    );
    event Unbond(
        address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound
    );
    event Rebond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount);
    event TransferBond(address indexed oldDelegator, address indexed newDelegator, uint256 amount);
    event WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound);
    event WithdrawFees(address indexed delegator, address recipient, uint256 amount);
    event EarningsClaimed(
        address indexed delegate,
        address indexed delegator,
        uint256 rewards,
        uint256 fees,
        uint256 startRound,
        uint256 endRound
    );

    constructor(address _controller) Manager(_controller) {}

    // ---------------------------------------------------------------- parameters

    function setUnbondingPeriod(uint64 _unbondingPeriod) external onlyControllerOwner {
        unbondingPeriod = _unbondingPeriod;
        emit ParameterUpdate("unbondingPeriod");
    }

    function setNumActiveTranscoders(uint256 _numActiveTranscoders) external onlyControllerOwner {
        require(_numActiveTranscoders > poolMaxSize, "new max size must be greater than old max size");
        poolMaxSize = _numActiveTranscoders.toUint48();
        emit ParameterUpdate("numActiveTranscoders");
    }

    // ---------------------------------------------------------------- bonding

    function bond(uint256 _amount, address _to) external {
        _bond(_amount, msg.sender, _to, [address(0), address(0), address(0), address(0)]);
    }

    function bondWithHint(
        uint256 _amount,
        address _to,
        address _oldDelegateNewPosPrev,
        address _oldDelegateNewPosNext,
        address _currDelegateNewPosPrev,
        address _currDelegateNewPosNext
    ) external {
        _bond(
            _amount,
            msg.sender,
            _to,
            [_oldDelegateNewPosPrev, _oldDelegateNewPosNext, _currDelegateNewPosPrev, _currDelegateNewPosNext]
        );
    }

    function bondForWithHint(
        uint256 _amount,
        address _owner,
        address _to,
        address _oldDelegateNewPosPrev,
        address _oldDelegateNewPosNext,
        address _currDelegateNewPosPrev,
        address _currDelegateNewPosNext
    ) external {
        _bond(
            _amount,
            _owner,
            _to,
            [_oldDelegateNewPosPrev, _oldDelegateNewPosNext, _currDelegateNewPosPrev, _currDelegateNewPosNext]
        );
    }

    // _hints: old delegate's new position (prev, next), new delegate's new position (prev, next)
    function _bond(uint256 _amount, address _owner, address _to, address[4] memory _hints)
        private
        whenSystemNotPaused
    {
        uint256 round = _initializedRound();
        Delegator storage del = delegators[_owner];
        // Someone else may add stake for an owner, never move the owner's existing delegation.
        require(
            msg.sender == _owner || del.bondedAmount == 0 || del.delegateAddress == _to,
            "only the delegator can change its delegate"
        );
        _claimEarnings(_owner, round);

        address currentDelegate = del.delegateAddress;
        uint256 bonded = del.bondedAmount;
        uint256 delegationAmount = _amount;
        bool newDelegate = bonded == 0 || currentDelegate != _to;
        if (bonded == 0) {
            del.startRound = uint48(round + 1);
        } else if (currentDelegate != _to) {
            require(
                !isRegisteredTranscoder(_owner), "registered transcoders can't delegate towards other addresses"
            );
            del.startRound = uint48(round + 1);
            delegationAmount += bonded;
            _decreaseTotalStake(currentDelegate, bonded, _hints[0], _hints[1], round);
        }
        require(delegationAmount > 0, "delegation amount must be greater than 0");

        uint256 newBonded = bonded + _amount;
        del.delegateAddress = _to;
        del.bondedAmount = newBonded.toUint128();
        if (newDelegate) {
            del.lastClaimRound = uint48(round);
            _touchFactors(_to, round);
        }
        _increaseTotalStake(_to, delegationAmount, _hints[2], _hints[3], round);

        if (_amount > 0) {
            require(_token().transferFrom(msg.sender, contractAt("Minter"), _amount), "token transfer failed");
        }
        emit Bond(_to, currentDelegate, _owner, _amount, newBonded);
    }

    function unbond(uint256 _amount) external {
        unbondWithHint(_amount, address(0), address(0));
    }

    function unbondWithHint(uint256 _amount, address _newPosPrev, address _newPosNext) public whenSystemNotPaused {
        uint256 round = _initializedRound();
        _claimEarnings(msg.sender, round);
        Delegator storage del = delegators[msg.sender];
        require(_delegatorStatus(del, round) == DelegatorStatus.Bonded, "caller must be bonded");
        require(_amount > 0, "unbond amount must be greater than 0");
        uint256 bonded = del.bondedAmount;
        require(_amount <= bonded, "amount is greater than bonded amount");

        address delegate = del.delegateAddress;
        uint256 lockId = del.nextUnbondingLockId++;
        uint256 withdrawRound = round + unbondingPeriod;
        del.unbondingLocks[lockId] = UnbondingLock(uint128(_amount), withdrawRound.toUint48());
        uint256 remaining = bonded - _amount;
        del.bondedAmount = uint128(remaining);
        if (remaining == 0) {
            if (delegate == msg.sender && _inPool(msg.sender)) {
                _resign(msg.sender, round);
            }
            del.delegateAddress = address(0);
            del.startRound = 0;
        }
        _decreaseTotalStake(delegate, _amount, _newPosPrev, _newPosNext, round);
        emit Unbond(delegate, msg.sender, lockId, _amount, withdrawRound);
    }

    function rebond(uint256 _unbondingLockId) external {
        rebondWithHint(_unbondingLockId, address(0), address(0));
    }

    function rebondWithHint(uint256 _unbondingLockId, address _newPosPrev, address _newPosNext)
        public
        whenSystemNotPaused
    {
        uint256 round = _initializedRound();
        Delegator storage del = delegators[msg.sender];
        require(_delegatorStatus(del, round) != DelegatorStatus.Unbonded, "caller must be bonded");
        require(del.unbondingLocks[_unbondingLockId].amount > 0, "invalid unbonding lock ID");
        _claimEarnings(msg.sender, round);
        _processRebond(msg.sender, _unbondingLockId, _newPosPrev, _newPosNext, round);
    }

    function rebondFromUnbonded(address _to, uint256 _unbondingLockId) external {
        rebondFromUnbondedWithHint(_to, _unbondingLockId, address(0), address(0));
    }

    function rebondFromUnbondedWithHint(address _to, uint256 _unbondingLockId, address _newPosPrev, address _newPosNext)
        public
        whenSystemNotPaused
    {
        uint256 round = _initializedRound();
        Delegator storage del = delegators[msg.sender];
        require(_delegatorStatus(del, round) == DelegatorStatus.Unbonded, "caller must be unbonded");
        require(del.unbondingLocks[_unbondingLockId].amount > 0, "invalid unbonding lock ID");
        del.startRound = uint48(round + 1);
        del.delegateAddress = _to;
        del.lastClaimRound = uint48(round);
        _touchFactors(_to, round);
        _processRebond(msg.sender, _unbondingLockId, _newPosPrev, _newPosNext, round);
    }

    function _processRebond(address _delegator, uint256 _lockId, address _prev, address _next, uint256 _round) private {
        Delegator storage del = delegators[_delegator];
        uint256 amount = del.unbondingLocks[_lockId].amount;
        delete del.unbondingLocks[_lockId];
        del.bondedAmount = (del.bondedAmount + amount).toUint128();
        address delegate = del.delegateAddress;
        _increaseTotalStake(delegate, amount, _prev, _next, _round);
        emit Rebond(delegate, _delegator, _lockId, amount);
    }

    function withdrawStake(uint256 _unbondingLockId) external whenSystemNotPaused {
        uint256 round = _initializedRound();
        UnbondingLock storage lock = delegators[msg.sender].unbondingLocks[_unbondingLockId];
        uint256 amount = lock.amount;
        require(amount > 0, "invalid unbonding lock ID");
        uint256 withdrawRound = lock.withdrawRound;
        require(withdrawRound <= round, "withdraw round must be before or equal to the current round");
        delete delegators[msg.sender].unbondingLocks[_unbondingLockId];
        IMinter(contractAt("Minter")).trustedTransferTokens(msg.sender, amount);
        emit WithdrawStake(msg.sender, _unbondingLockId, amount, withdrawRound);
    }

    function withdrawFees(address payable _recipient, uint256 _amount) external whenSystemNotPaused {
        uint256 round = _initializedRound();
        _claimEarnings(msg.sender, round);
        Delegator storage del = delegators[msg.sender];
        uint256 fees = del.fees;
        require(_amount <= fees, "insufficient fees to withdraw");
        del.fees = uint128(fees - _amount);
        IMinter(contractAt("Minter")).trustedWithdrawETH(_recipient, _amount);
        emit WithdrawFees(msg.sender, _recipient, _amount);
    }

    // The end round is always the current round: earnings are cumulative, there is nothing to iterate.
    function claimEarnings(uint256) external whenSystemNotPaused {
        _claimEarnings(msg.sender, _initializedRound());
    }

    function transferBond(
        address _delegator,
        uint256 _amount,
        address _oldDelegateNewPosPrev,
        address _oldDelegateNewPosNext,
        address _newDelegateNewPosPrev,
        address _newDelegateNewPosNext
    ) external whenSystemNotPaused {
        uint256 round = _initializedRound();
        _claimEarnings(msg.sender, round);
        Delegator storage from = delegators[msg.sender];
        require(_delegatorStatus(from, round) == DelegatorStatus.Bonded, "caller must be bonded");
        require(_amount > 0, "transfer amount must be greater than 0");
        uint256 bonded = from.bondedAmount;
        require(_amount <= bonded, "amount is greater than bonded amount");
        address oldDelegate = from.delegateAddress;
        uint256 remaining = bonded - _amount;
        from.bondedAmount = uint128(remaining);
        if (remaining == 0) {
            if (oldDelegate == msg.sender && _inPool(msg.sender)) {
                _resign(msg.sender, round);
            }
            from.delegateAddress = address(0);
            from.startRound = 0;
        }
        _decreaseTotalStake(oldDelegate, _amount, _oldDelegateNewPosPrev, _oldDelegateNewPosNext, round);

        _claimEarnings(_delegator, round);
        Delegator storage to = delegators[_delegator];
        if (to.bondedAmount == 0) {
            to.delegateAddress = oldDelegate;
            to.startRound = uint48(round + 1);
            to.lastClaimRound = uint48(round);
            _touchFactors(oldDelegate, round);
        }
        to.bondedAmount = (to.bondedAmount + _amount).toUint128();
        _increaseTotalStake(to.delegateAddress, _amount, _newDelegateNewPosPrev, _newDelegateNewPosNext, round);
        emit TransferBond(msg.sender, _delegator, _amount);
    }

    // ---------------------------------------------------------------- transcoders

    function transcoder(uint256 _rewardCut, uint256 _feeShare) external {
        transcoderWithHint(_rewardCut, _feeShare, address(0), address(0));
    }

    function transcoderWithHint(uint256 _rewardCut, uint256 _feeShare, address _newPosPrev, address _newPosNext)
        public
        whenSystemNotPaused
    {
        IRoundsManager rm = _roundsManager();
        require(rm.currentRoundInitialized(), "current round is not initialized");
        uint256 round = rm.currentRound();
        require(!rm.currentRoundLocked(), "can't update transcoder params, current round is locked");
        require(MathUtils.validPerc(_rewardCut), "invalid rewardCut percentage");
        require(MathUtils.validPerc(_feeShare), "invalid feeShare percentage");
        require(isRegisteredTranscoder(msg.sender), "transcoder must be registered");
        Transcoder storage t = transcoders[msg.sender];
        require(
            !_isActive(t, round) || t.lastRewardRound == round,
            "caller can't be active or must have already called reward for the current round"
        );
        t.rewardCut = uint32(_rewardCut);
        t.feeShare = uint32(_feeShare);
        if (!_inPool(msg.sender)) {
            _tryToJoinPool(msg.sender, delegators[msg.sender].delegatedAmount, round, _newPosPrev, _newPosNext);
        }
        emit TranscoderUpdate(msg.sender, _rewardCut, _feeShare);
    }

    function reward() external {
        rewardWithHint(address(0), address(0));
    }

    function rewardWithHint(address _newPosPrev, address _newPosNext) public whenSystemNotPaused {
        uint256 round = _initializedRound();
        Transcoder storage t = transcoders[msg.sender];
        require(_isActive(t, round), "caller must be an active transcoder");
        require(t.lastRewardRound != round, "caller has already called reward for the current round");
        _touchFactors(msg.sender, round);

        uint256 roundStake = _roundStake(t, round);
        uint256 totalStake = currentRoundTotalActiveStake;
        uint256 rewards =
            totalStake == 0 || roundStake == 0 ? 0 : IMinter(contractAt("Minter")).createReward(roundStake, totalStake);
        _applyReward(t, t.earningsPoolPerRound[round], roundStake, rewards);
        t.lastRewardRound = uint48(round);

        _increaseTotalStake(msg.sender, rewards, _newPosPrev, _newPosNext, round);
        emit Reward(msg.sender, rewards);
    }

    function _applyReward(Transcoder storage t, EarningsPool storage pool, uint256 roundStake, uint256 rewards)
        private
    {
        uint256 rewardCut = t.rewardCut;
        pool.totalStake = roundStake.toUint128();
        pool.transcoderRewardCut = uint32(rewardCut);
        pool.transcoderFeeShare = t.feeShare;
        uint256 commission = MathUtils.percOf(rewards, rewardCut);
        uint256 delegatorsRewards = rewards - commission;
        uint256 prevFactor = pool.cumulativeRewardFactor;
        if (roundStake > 0) {
            pool.cumulativeRewardFactor =
                prevFactor + PreciseMathUtils.percOf(prevFactor, delegatorsRewards, roundStake);
        }
        // Unclaimed commission is stake that no delegator owns: the transcoder earns the delegators' share on it.
        uint256 active = t.cumulativeRewards;
        t.activeCumulativeRewards = uint128(active);
        uint256 onActive = roundStake == 0 ? 0 : PreciseMathUtils.percOf(delegatorsRewards, active, roundStake);
        t.cumulativeRewards = (active + commission + onActive).toUint128();
    }

    function updateTranscoderWithFees(address _transcoder, uint256 _fees, uint256) external whenSystemNotPaused {
        require(msg.sender == contractAt("TicketBroker"), "caller must be TicketBroker");
        uint256 round = _roundsManager().currentRound();
        if (!isRegisteredTranscoder(_transcoder)) {
            // Nobody shares the fees of an unregistered recipient: they are simply its own.
            Delegator storage del = delegators[_transcoder];
            del.fees = (del.fees + _fees).toUint128();
            return;
        }
        _touchFactors(_transcoder, round);
        Transcoder storage t = transcoders[_transcoder];
        uint256 roundStake = _roundStake(t, round);
        uint256 delegatorsFees = roundStake == 0 ? 0 : MathUtils.percOf(_fees, t.feeShare);
        uint256 transcoderFees = _fees - delegatorsFees;
        if (delegatorsFees > 0) {
            // Fees of this round are shared on the stake as it stood when the round began, i.e. with the
            // reward factor from before this round's reward call.
            uint256 prevFactor = _factorOrOne(t.earningsPoolPerRound[t.prevFactorRound].cumulativeRewardFactor);
            EarningsPool storage pool = t.earningsPoolPerRound[round];
            pool.cumulativeFeeFactor += PreciseMathUtils.percOf(prevFactor, delegatorsFees, roundStake);
            uint256 active = t.lastRewardRound == round ? t.activeCumulativeRewards : t.cumulativeRewards;
            transcoderFees += PreciseMathUtils.percOf(delegatorsFees, active, roundStake);
        }
        t.cumulativeFees += transcoderFees;
        t.lastFeeRound = uint48(round);
    }

    function slashTranscoder(address _transcoder, address _finder, uint256 _slashAmount, uint256 _finderFee)
        external
        whenSystemNotPaused
    {
        require(msg.sender == contractAt("Verifier"), "caller must be Verifier");
        uint256 round = _roundsManager().currentRound();
        _claimEarnings(_transcoder, round);
        Delegator storage del = delegators[_transcoder];
        uint256 bonded = del.bondedAmount;
        uint256 penalty = MathUtils.percOf(bonded, _slashAmount);
        uint256 finderReward;
        if (penalty > 0) {
            if (_inPool(_transcoder)) {
                _resign(_transcoder, round);
            }
            del.bondedAmount = uint128(bonded - penalty);
            _decreaseTotalStake(del.delegateAddress, penalty, address(0), address(0), round);
            finderReward = _finder == address(0) ? 0 : MathUtils.percOf(penalty, _finderFee);
            IMinter minter = IMinter(contractAt("Minter"));
            if (penalty > finderReward) {
                minter.trustedBurnTokens(penalty - finderReward);
            }
            if (finderReward > 0) {
                minter.trustedTransferTokens(_finder, finderReward);
            }
        }
        emit TranscoderSlashed(_transcoder, _finder, penalty, finderReward);
    }

    function setCurrentRoundTotalActiveStake() external {
        require(msg.sender == contractAt("RoundsManager"), "caller must be RoundsManager");
        currentRoundTotalActiveStake = nextRoundTotalActiveStake;
    }

    // ---------------------------------------------------------------- views

    function pendingStake(address _delegator, uint256) external view returns (uint256 stake) {
        (stake,) = _pending(_delegator);
    }

    function pendingFees(address _delegator, uint256) external view returns (uint256 fees) {
        (, fees) = _pending(_delegator);
    }

    function transcoderTotalStake(address _transcoder) external view returns (uint256) {
        return delegators[_transcoder].delegatedAmount;
    }

    function transcoderStatus(address _transcoder) external view returns (TranscoderStatus) {
        return isRegisteredTranscoder(_transcoder) ? TranscoderStatus.Registered : TranscoderStatus.NotRegistered;
    }

    function delegatorStatus(address _delegator) external view returns (DelegatorStatus) {
        return _delegatorStatus(delegators[_delegator], _roundsManager().currentRound());
    }

    function getTranscoder(address _transcoder)
        external
        view
        returns (
            uint256 lastRewardRound,
            uint256 rewardCut,
            uint256 feeShare,
            uint256 lastActiveStakeUpdateRound,
            uint256 activationRound,
            uint256 deactivationRound,
            uint256 activeCumulativeRewards,
            uint256 cumulativeRewards,
            uint256 cumulativeFees,
            uint256 lastFeeRound
        )
    {
        Transcoder storage t = transcoders[_transcoder];
        return (
            t.lastRewardRound,
            t.rewardCut,
            t.feeShare,
            t.lastActiveStakeUpdateRound,
            t.activationRound,
            t.deactivationRound,
            t.activeCumulativeRewards,
            t.cumulativeRewards,
            t.cumulativeFees,
            t.lastFeeRound
        );
    }

    function getTranscoderEarningsPoolForRound(address _transcoder, uint256 _round)
        external
        view
        returns (
            uint256 totalStake,
            uint256 transcoderRewardCut,
            uint256 transcoderFeeShare,
            uint256 cumulativeRewardFactor,
            uint256 cumulativeFeeFactor
        )
    {
        EarningsPool storage pool = transcoders[_transcoder].earningsPoolPerRound[_round];
        return (
            pool.totalStake,
            pool.transcoderRewardCut,
            pool.transcoderFeeShare,
            pool.cumulativeRewardFactor,
            pool.cumulativeFeeFactor
        );
    }

    function getDelegator(address _delegator)
        external
        view
        returns (
            uint256 bondedAmount,
            uint256 fees,
            address delegateAddress,
            uint256 delegatedAmount,
            uint256 startRound,
            uint256 lastClaimRound,
            uint256 nextUnbondingLockId
        )
    {
        Delegator storage del = delegators[_delegator];
        return (
            del.bondedAmount,
            del.fees,
            del.delegateAddress,
            del.delegatedAmount,
            del.startRound,
            del.lastClaimRound,
            del.nextUnbondingLockId
        );
    }

    function getDelegatorUnbondingLock(address _delegator, uint256 _unbondingLockId)
        external
        view
        returns (uint256 amount, uint256 withdrawRound)
    {
        UnbondingLock storage lock = delegators[_delegator].unbondingLocks[_unbondingLockId];
        return (lock.amount, lock.withdrawRound);
    }

    function isValidUnbondingLock(address _delegator, uint256 _unbondingLockId) external view returns (bool) {
        return delegators[_delegator].unbondingLocks[_unbondingLockId].amount > 0;
    }

    function getTranscoderPoolMaxSize() external view returns (uint256) {
        return poolMaxSize;
    }

    function getTranscoderPoolSize() external view returns (uint256) {
        return poolSize;
    }

    function getFirstTranscoderInPool() external view returns (address) {
        return poolHead;
    }

    function getNextTranscoderInPool(address _transcoder) external view returns (address) {
        return poolNodes[_transcoder].next;
    }

    function getTotalBonded() external view returns (uint256) {
        return currentRoundTotalActiveStake;
    }

    function isActiveTranscoder(address _transcoder) external view returns (bool) {
        return _isActive(transcoders[_transcoder], _roundsManager().currentRound());
    }

    function isRegisteredTranscoder(address _transcoder) public view returns (bool) {
        Delegator storage d = delegators[_transcoder];
        return d.delegateAddress == _transcoder && d.bondedAmount > 0;
    }

    // ---------------------------------------------------------------- earnings internals

    function _claimEarnings(address _delegator, uint256 _round) private {
        Delegator storage del = delegators[_delegator];
        uint256 lastClaimRound = del.lastClaimRound;
        uint256 bonded = del.bondedAmount;
        if (lastClaimRound >= _round || bonded == 0) {
            return;
        }
        address delegate = del.delegateAddress;
        uint256 oldFees = del.fees;
        (uint256 stake, uint256 fees) = _pending(_delegator);
        if (delegate == _delegator) {
            Transcoder storage t = transcoders[_delegator];
            t.activeCumulativeRewards = 0;
            t.cumulativeRewards = 0;
            t.cumulativeFees = 0;
        }
        del.bondedAmount = stake.toUint128();
        del.fees = fees.toUint128();
        del.lastClaimRound = uint48(_round);
        _touchFactors(delegate, _round);
        emit EarningsClaimed(delegate, _delegator, stake - bonded, fees - oldFees, lastClaimRound + 1, _round);
    }

    function _pending(address _delegator) private view returns (uint256 stake, uint256 fees) {
        Delegator storage del = delegators[_delegator];
        uint256 bonded = del.bondedAmount;
        fees = del.fees;
        if (bonded == 0) {
            return (0, fees);
        }
        address delegate = del.delegateAddress;
        Transcoder storage t = transcoders[delegate];
        EarningsPool storage start = t.earningsPoolPerRound[del.lastClaimRound];
        EarningsPool storage end = t.earningsPoolPerRound[t.lastFactorRound];
        uint256 startFactor = _factorOrOne(start.cumulativeRewardFactor);
        stake = PreciseMathUtils.percOf(bonded, _factorOrOne(end.cumulativeRewardFactor), startFactor);
        fees += PreciseMathUtils.percOf(bonded, end.cumulativeFeeFactor - start.cumulativeFeeFactor, startFactor);
        if (delegate == _delegator) {
            stake += t.cumulativeRewards;
            fees += t.cumulativeFees;
        }
    }

    // Records the latest factors in the given round's pool (once per round) so that round can serve as a
    // delegator's start point later, whatever the transcoder does in between.
    function _touchFactors(address _transcoder, uint256 _round) private {
        Transcoder storage t = transcoders[_transcoder];
        EarningsPool storage pool = t.earningsPoolPerRound[_round];
        if (pool.cumulativeRewardFactor != 0) {
            return;
        }
        uint256 last = t.lastFactorRound;
        EarningsPool storage source = t.earningsPoolPerRound[last];
        pool.cumulativeRewardFactor = _factorOrOne(source.cumulativeRewardFactor);
        uint256 feeFactor = source.cumulativeFeeFactor;
        if (feeFactor != 0) {
            pool.cumulativeFeeFactor = feeFactor;
        }
        if (last < _round) {
            t.prevFactorRound = uint48(last);
        }
        t.lastFactorRound = uint48(_round);
    }

    function _factorOrOne(uint256 _factor) private pure returns (uint256) {
        return _factor == 0 ? FACTOR_ONE : _factor;
    }

    function _roundStake(Transcoder storage t, uint256 _round) private view returns (uint256) {
        uint256 updateRound = t.lastActiveStakeUpdateRound;
        return updateRound <= _round
            ? t.earningsPoolPerRound[updateRound].totalStake
            : t.earningsPoolPerRound[t.prevStakeRound].totalStake;
    }

    function _setNextRoundStake(Transcoder storage t, uint256 _round, uint256 _stake) private {
        uint256 updateRound = t.lastActiveStakeUpdateRound;
        if (updateRound <= _round) {
            t.prevStakeRound = uint48(updateRound);
            t.lastActiveStakeUpdateRound = uint48(_round + 1);
        }
        t.earningsPoolPerRound[_round + 1].totalStake = _stake.toUint128();
    }

    // ---------------------------------------------------------------- stake and pool internals

    function _increaseTotalStake(address _delegate, uint256 _amount, address _prev, address _next, uint256 _round)
        private
    {
        Delegator storage d = delegators[_delegate];
        uint256 newStake = d.delegatedAmount + _amount;
        d.delegatedAmount = newStake.toUint128();
        if (_inPool(_delegate)) {
            _poolReposition(_delegate, newStake, _prev, _next);
            nextRoundTotalActiveStake += _amount;
            _setNextRoundStake(transcoders[_delegate], _round, newStake);
        } else if (isRegisteredTranscoder(_delegate)) {
            _tryToJoinPool(_delegate, newStake, _round, _prev, _next);
        }
    }

    function _decreaseTotalStake(address _delegate, uint256 _amount, address _prev, address _next, uint256 _round)
        private
    {
        Delegator storage d = delegators[_delegate];
        uint256 newStake = d.delegatedAmount - _amount;
        d.delegatedAmount = uint128(newStake);
        if (_inPool(_delegate)) {
            _poolReposition(_delegate, newStake, _prev, _next);
            nextRoundTotalActiveStake -= _amount;
            _setNextRoundStake(transcoders[_delegate], _round, newStake);
        }
    }

    // A newcomer takes the last seat only with strictly more stake than its holder.
    function _tryToJoinPool(address _transcoder, uint256 _stake, uint256 _round, address _prev, address _next)
        private
    {
        if (_stake == 0) {
            return;
        }
        uint256 size = poolSize;
        if (size >= poolMaxSize) {
            if (size == 0) {
                return;
            }
            address last = poolTail;
            uint256 lastStake = delegators[last].delegatedAmount;
            if (_stake <= lastStake) {
                return;
            }
            _resign(last, _round);
        }
        _poolInsert(_transcoder, _stake, _prev, _next);
        nextRoundTotalActiveStake += _stake;
        Transcoder storage t = transcoders[_transcoder];
        if (!_isActive(t, _round)) {
            t.activationRound = uint48(_round + 1);
        }
        t.deactivationRound = uint48(NEVER);
        _setNextRoundStake(t, _round, _stake);
        emit TranscoderActivated(_transcoder, _round + 1);
    }

    function _resign(address _transcoder, uint256 _round) private {
        _poolRemove(_transcoder);
        nextRoundTotalActiveStake -= delegators[_transcoder].delegatedAmount;
        transcoders[_transcoder].deactivationRound = uint48(_round + 1);
        emit TranscoderDeactivated(_transcoder, _round + 1);
    }

    function _inPool(address _a) private view returns (bool) {
        return _a != address(0) && (poolHead == _a || poolNodes[_a].prev != address(0));
    }

    function _stakeOf(address _a) private view returns (uint256) {
        return delegators[_a].delegatedAmount;
    }

    function _validPosition(uint256 _key, address _prev, address _next) private view returns (bool) {
        if (_prev == address(0)) {
            if (_next != poolHead) return false;
        } else if (!_inPool(_prev) || poolNodes[_prev].next != _next || _stakeOf(_prev) < _key) {
            return false;
        }
        if (_next == address(0)) {
            return _prev == poolTail;
        }
        return _stakeOf(_next) <= _key;
    }

    function _poolInsert(address _a, uint256 _key, address _prevHint, address _nextHint) private {
        address prev = _prevHint;
        address next = _nextHint;
        if (!_validPosition(_key, prev, next)) {
            // Hints are an optimisation only: without valid ones, walk from the top.
            prev = address(0);
            next = poolHead;
            while (next != address(0) && _stakeOf(next) >= _key) {
                prev = next;
                next = poolNodes[next].next;
            }
        }
        poolNodes[_a] = Node(next, prev);
        if (prev == address(0)) poolHead = _a;
        else poolNodes[prev].next = _a;
        if (next == address(0)) poolTail = _a;
        else poolNodes[next].prev = _a;
        poolSize += 1;
    }

    function _poolRemove(address _a) private {
        Node memory n = poolNodes[_a];
        if (n.prev == address(0)) poolHead = n.next;
        else poolNodes[n.prev].next = n.next;
        if (n.next == address(0)) poolTail = n.prev;
        else poolNodes[n.next].prev = n.prev;
        delete poolNodes[_a];
        poolSize -= 1;
    }

    function _poolReposition(address _a, uint256 _key, address _prev, address _next) private {
        Node memory n = poolNodes[_a];
        bool inOrder = (n.prev == address(0) || _stakeOf(n.prev) >= _key)
            && (n.next == address(0) || _stakeOf(n.next) <= _key);
        if (inOrder) {
            return;
        }
        _poolRemove(_a);
        _poolInsert(_a, _key, _prev, _next);
    }

    // ---------------------------------------------------------------- small helpers

    function _isActive(Transcoder storage t, uint256 _round) private view returns (bool) {
        return t.activationRound <= _round && _round < t.deactivationRound;
    }

    function _delegatorStatus(Delegator storage del, uint256 _round) private view returns (DelegatorStatus) {
        if (del.bondedAmount == 0) return DelegatorStatus.Unbonded;
        if (del.startRound > _round) return DelegatorStatus.Pending;
        return DelegatorStatus.Bonded;
    }

    function _roundsManager() private view returns (IRoundsManager) {
        return IRoundsManager(contractAt("RoundsManager"));
    }

    function _token() private view returns (ILivepeerToken) {
        return ILivepeerToken(contractAt("LivepeerToken"));
    }

    function _initializedRound() private view returns (uint256) {
        IRoundsManager rm = _roundsManager();
        require(rm.currentRoundInitialized(), "current round is not initialized");
        return rm.currentRound();
    }
}
