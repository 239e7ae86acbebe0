// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ManagerProxyTarget, Manager} from "./Manager.sol";
import {MathUtils} from "./MathUtils.sol";
import {IBondingManager, IMinter} from "./Interfaces.sol";

// Rounds are fixed runs of blocks. A round must be initialized once (by anyone) before staking and
// ticket redemption work in it; initialization snapshots the active stake and the round's inflation.
contract RoundsManager is ManagerProxyTarget {
    // Round arithmetic anchor, packed in one slot: rounds count from `anchorRound`, which starts at
    // `anchorStartBlock`, each `length` blocks long. A length change takes effect at the next round
    // boundary; until then the current round keeps `previousLength`.
    struct Anchor {
        uint64 anchorRound;
        uint64 anchorStartBlock;
        uint64 length;
        uint64 previousLength;
    }

    Anchor private anchor;
    uint256 public roundLockAmount;
    uint256 public lastInitializedRound;
    mapping(uint256 => bytes32) private roundBlockHashes;

    event NewRound(uint256 indexed round, bytes32 blockHash);

    constructor(address _controller) Manager(_controller) {}

    function setRoundLength(uint256 _roundLength) external onlyControllerOwner {
        require(_roundLength > 0, "round length cannot be 0");
        Anchor memory a = anchor;
        uint64 length = uint64(_roundLength);
        if (a.length == 0) {
            uint64 round = uint64(block.number / _roundLength);
            anchor = Anchor(round, round * length, length, length);
        } else {
            uint256 current = currentRound();
            uint256 nextStart = currentRoundStartBlock() + _currentLength(a);
            anchor = Anchor(uint64(current + 1), uint64(nextStart), length, uint64(_currentLength(a)));
        }
        emit ParameterUpdate("roundLength");
    }

    function setRoundLockAmount(uint256 _roundLockAmount) external onlyControllerOwner {
        require(MathUtils.validPerc(_roundLockAmount), "round lock amount must be a valid percentage");
        roundLockAmount = _roundLockAmount;
        emit ParameterUpdate("roundLockAmount");
    }

    function initializeRound() external whenSystemNotPaused {
        uint256 round = currentRound();
        require(lastInitializedRound < round, "round already initialized");
        lastInitializedRound = round;
        bytes32 hash = blockhash(block.number - 1);
        roundBlockHashes[round] = hash;
        IBondingManager(contractAt("BondingManager")).setCurrentRoundTotalActiveStake();
        IMinter(contractAt("Minter")).setCurrentRewardTokens();
        emit NewRound(round, hash);
    }

    function roundLength() external view returns (uint256) {
        return _currentLength(anchor);
    }

    function lastRoundLengthUpdateRound() external view returns (uint256) {
        return anchor.anchorRound;
    }

    function lastRoundLengthUpdateStartBlock() external view returns (uint256) {
        return anchor.anchorStartBlock;
    }

    function blockNum() public view returns (uint256) {
        return block.number;
    }

    function blockHash(uint256 _block) external view returns (bytes32) {
        uint256 current = block.number;
        require(_block < current, "can only retrieve past block hashes");
        require(current - _block <= 256, "can only retrieve hashes for last 256 blocks");
        return blockhash(_block);
    }

    function blockHashForRound(uint256 _round) external view returns (bytes32) {
        return roundBlockHashes[_round];
    }

    function currentRound() public view returns (uint256) {
        Anchor memory a = anchor;
        require(a.length > 0, "round length not set");
        if (block.number < a.anchorStartBlock) {
            return a.anchorRound - 1;
        }
        return a.anchorRound + (block.number - a.anchorStartBlock) / a.length;
    }

    function currentRoundStartBlock() public view returns (uint256) {
        Anchor memory a = anchor;
        require(a.length > 0, "round length not set");
        if (block.number < a.anchorStartBlock) {
            return a.anchorStartBlock - a.previousLength;
        }
        return a.anchorStartBlock + ((block.number - a.anchorStartBlock) / a.length) * a.length;
    }

    function currentRoundInitialized() external view returns (bool) {
        return lastInitializedRound == currentRound();
    }

    function currentRoundLocked() external view returns (bool) {
        uint256 length = _currentLength(anchor);
        uint256 elapsed = block.number - currentRoundStartBlock();
        return elapsed >= length - MathUtils.percOf(length, roundLockAmount);
    }

    function _currentLength(Anchor memory a) private view returns (uint256) {
        return block.number < a.anchorStartBlock ? a.previousLength : a.length;
    }
}
