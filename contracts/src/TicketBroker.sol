// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ManagerProxyTarget, Manager} from "./Manager.sol";
import {IBondingManager, IMinter, IRoundsManager} from "./Interfaces.sol";

// Probabilistic micropayments: broadcasters fund a deposit (pays winning tickets first) and a reserve
// (a guarantee split between the active transcoders, each capped per round), orchestrators redeem the
// winning tickets. All ETH sits in the Minter; fees are credited to the recipient in BondingManager.
contract TicketBroker is ManagerProxyTarget {
    struct Ticket {
        address recipient;
        address sender;
        uint256 faceValue;
        uint256 winProb;
        uint256 senderNonce;
        bytes32 recipientRandHash;
        bytes auxData;
    }

    struct Sender {
        uint256 deposit;
        uint256 withdrawRound;
    }

    struct ReserveInfo {
        uint256 fundsRemaining;
        uint256 claimedInCurrentRound;
    }

    // Deposit and unlock round share one slot.
    struct SenderState {
        uint128 deposit;
        uint64 withdrawRound;
    }

    struct Reserve {
        uint256 fundsRemaining;
        mapping(uint256 => uint256) claimedForRound;
        mapping(uint256 => mapping(address => uint256)) claimedByClaimant;
    }

    uint256 public unlockPeriod;
    uint256 public ticketValidityPeriod;
    mapping(address => SenderState) private senders;
    mapping(address => Reserve) private reserves;
    mapping(bytes32 => bool) public usedTickets;

    event DepositFunded(address indexed sender, uint256 amount);
    event ReserveFunded(address indexed reserveHolder, uint256 amount);
    event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount);
    event WinningTicketRedeemed(
        address indexed sender,
        address indexed recipient,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        uint256 recipientRand,
        bytes auxData
    );
    event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount);
    event Unlock(address indexed sender, uint256 startRound, uint256 endRound);
    event UnlockCancelled(address indexed sender);
    event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve);

    constructor(address _controller) Manager(_controller) {}

    function setUnlockPeriod(uint256 _unlockPeriod) external onlyControllerOwner {
        unlockPeriod = _unlockPeriod;
        emit ParameterUpdate("unlockPeriod");
    }

    function setTicketValidityPeriod(uint256 _ticketValidityPeriod) external onlyControllerOwner {
        require(_ticketValidityPeriod > 0, "ticketValidityPeriod must be greater than 0");
        ticketValidityPeriod = _ticketValidityPeriod;
        emit ParameterUpdate("ticketValidityPeriod");
    }

    // ---------------------------------------------------------------- funding

    function fundDeposit() external payable whenSystemNotPaused {
        _fund(msg.sender, msg.value, 0);
    }

    function fundReserve() external payable whenSystemNotPaused {
        _fund(msg.sender, 0, msg.value);
    }

    function fundDepositAndReserve(uint256 _depositAmount, uint256 _reserveAmount) external payable whenSystemNotPaused {
        require(
            msg.value == _depositAmount + _reserveAmount,
            "msg.value does not equal sum of deposit amount and reserve amount"
        );
        _fund(msg.sender, _depositAmount, _reserveAmount);
    }

    function fundDepositAndReserveFor(address _addr, uint256 _depositAmount, uint256 _reserveAmount)
        external
        payable
        whenSystemNotPaused
    {
        require(
            msg.value == _depositAmount + _reserveAmount,
            "msg.value does not equal sum of deposit amount and reserve amount"
        );
        _fund(_addr, _depositAmount, _reserveAmount);
    }

    function _fund(address _addr, uint256 _depositAmount, uint256 _reserveAmount) private {
        if (_depositAmount > 0) {
            SenderState storage s = senders[_addr];
            s.deposit = uint128(s.deposit + _depositAmount);
            emit DepositFunded(_addr, _depositAmount);
        }
        if (_reserveAmount > 0) {
            reserves[_addr].fundsRemaining += _reserveAmount;
            emit ReserveFunded(_addr, _reserveAmount);
        }
        IMinter(contractAt("Minter")).depositETH{value: _depositAmount + _reserveAmount}();
    }

    // ---------------------------------------------------------------- unlock and withdraw

    function unlock() external whenSystemNotPaused {
        SenderState storage s = senders[msg.sender];
        require(s.deposit > 0 || reserves[msg.sender].fundsRemaining > 0, "sender deposit and reserve are zero");
        require(s.withdrawRound == 0, "unlock already initiated");
        uint256 round = _roundsManager().currentRound();
        uint256 withdrawRound = round + unlockPeriod;
        s.withdrawRound = uint64(withdrawRound);
        emit Unlock(msg.sender, round, withdrawRound);
    }

    function cancelUnlock() external whenSystemNotPaused {
        SenderState storage s = senders[msg.sender];
        require(s.withdrawRound != 0, "no unlock request in progress");
        s.withdrawRound = 0;
        emit UnlockCancelled(msg.sender);
    }

    function withdraw() external whenSystemNotPaused {
        SenderState storage s = senders[msg.sender];
        uint256 deposit = s.deposit;
        uint256 reserve = reserves[msg.sender].fundsRemaining;
        require(deposit > 0 || reserve > 0, "sender deposit and reserve are zero");
        require(_isUnlocked(s), "account is locked");
        s.deposit = 0;
        s.withdrawRound = 0;
        reserves[msg.sender].fundsRemaining = 0;
        IMinter(contractAt("Minter")).trustedWithdrawETH(payable(msg.sender), deposit + reserve);
        emit Withdrawal(msg.sender, deposit, reserve);
    }

    // ---------------------------------------------------------------- redemption

    function redeemWinningTicket(Ticket memory _ticket, bytes memory _sig, uint256 _recipientRand)
        public
        whenSystemNotPaused
    {
        IRoundsManager rm = _roundsManager();
        require(rm.currentRoundInitialized(), "current round is not initialized");
        uint256 round = rm.currentRound();
        bytes32 ticketHash = _checkTicket(_ticket, _sig, _recipientRand, rm, round);
        usedTickets[ticketHash] = true;

        SenderState storage s = senders[_ticket.sender];
        uint256 deposit = s.deposit;
        uint256 amount = _ticket.faceValue;
        if (amount > deposit) {
            // The deposit does not cover the ticket: the shortfall comes from the reserve, within this
            // recipient's allocation for the round.
            uint256 fromReserve = _claimFromReserve(_ticket.sender, _ticket.recipient, amount - deposit, round);
            amount = deposit + fromReserve;
            s.deposit = 0;
        } else {
            s.deposit = uint128(deposit - amount);
        }

        emit WinningTicketRedeemed(
            _ticket.sender,
            _ticket.recipient,
            _ticket.faceValue,
            _ticket.winProb,
            _ticket.senderNonce,
            _recipientRand,
            _ticket.auxData
        );
        if (amount > 0) {
            emit WinningTicketTransfer(_ticket.sender, _ticket.recipient, amount);
            IBondingManager(contractAt("BondingManager")).updateTranscoderWithFees(_ticket.recipient, amount, round);
        }
    }

    function batchRedeemWinningTickets(Ticket[] memory _tickets, bytes[] memory _sigs, uint256[] memory _recipientRands)
        external
        whenSystemNotPaused
    {
        for (uint256 i = 0; i < _tickets.length; i++) {
            // A failed ticket (used, expired, lost) must not block the others.
            try this.redeemWinningTicket(_tickets[i], _sigs[i], _recipientRands[i]) {} catch {}
        }
    }

    // Checks in the order of protocol.md; returns the ticket hash.
    function _checkTicket(
        Ticket memory _ticket,
        bytes memory _sig,
        uint256 _recipientRand,
        IRoundsManager _rm,
        uint256 _round
    ) private view returns (bytes32 ticketHash) {
        require(_ticket.recipient != address(0), "ticket recipient is null address");
        require(_ticket.sender != address(0), "ticket sender is null address");
        bytes memory aux = _ticket.auxData;
        require(aux.length == 64, "invalid length for ticket auxData: must be 64 bytes");
        uint256 creationRound;
        bytes32 creationRoundBlockHash;
        assembly {
            creationRound := mload(add(aux, 32))
            creationRoundBlockHash := mload(add(aux, 64))
        }
        bytes32 stored = _rm.blockHashForRound(creationRound);
        require(stored != bytes32(0), "ticket creationRound does not have a block hash");
        require(stored == creationRoundBlockHash, "ticket creationRoundBlockHash invalid for creationRound");
        require(creationRound + ticketValidityPeriod > _round, "ticket is expired");
        require(
            keccak256(abi.encodePacked(_recipientRand)) == _ticket.recipientRandHash,
            "recipientRand does not match recipientRandHash"
        );
        ticketHash = getTicketHash(_ticket);
        require(!usedTickets[ticketHash], "ticket is used");
        (address signer, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(MessageHashUtils.toEthSignedMessageHash(ticketHash), _sig);
        require(err == ECDSA.RecoverError.NoError && signer == _ticket.sender, "invalid signature over ticket hash");
        require(uint256(keccak256(abi.encodePacked(_sig, _recipientRand))) < _ticket.winProb, "ticket did not win");
        SenderState storage s = senders[_ticket.sender];
        require(!_isUnlocked(s), "sender is unlocked");
        require(s.deposit > 0 || reserves[_ticket.sender].fundsRemaining > 0, "sender deposit and reserve are zero");
    }

    function _claimFromReserve(address _holder, address _claimant, uint256 _amount, uint256 _round)
        private
        returns (uint256 claimed)
    {
        uint256 claimable = _claimableReserve(_holder, _claimant, _round);
        claimed = _amount < claimable ? _amount : claimable;
        if (claimed == 0) {
            return 0;
        }
        Reserve storage r = reserves[_holder];
        r.fundsRemaining -= claimed;
        r.claimedForRound[_round] += claimed;
        r.claimedByClaimant[_round][_claimant] += claimed;
        emit ReserveClaimed(_holder, _claimant, claimed);
    }

    // Each active transcoder may take an equal share of the reserve as it stood at the start of the round.
    function _claimableReserve(address _holder, address _claimant, uint256 _round) private view returns (uint256) {
        IBondingManager bm = IBondingManager(contractAt("BondingManager"));
        if (!bm.isActiveTranscoder(_claimant)) {
            return 0;
        }
        uint256 poolSize = bm.getTranscoderPoolSize();
        if (poolSize == 0) {
            return 0;
        }
        Reserve storage r = reserves[_holder];
        uint256 allocation = (r.fundsRemaining + r.claimedForRound[_round]) / poolSize;
        uint256 already = r.claimedByClaimant[_round][_claimant];
        return allocation > already ? allocation - already : 0;
    }

    // ---------------------------------------------------------------- views

    function getTicketHash(Ticket memory _ticket) public pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                _ticket.recipient,
                _ticket.sender,
                _ticket.faceValue,
                _ticket.winProb,
                _ticket.senderNonce,
                _ticket.recipientRandHash,
                _ticket.auxData
            )
        );
    }

    function getSenderInfo(address _sender) external view returns (Sender memory sender, ReserveInfo memory reserve) {
        SenderState storage s = senders[_sender];
        Reserve storage r = reserves[_sender];
        sender = Sender(s.deposit, s.withdrawRound);
        reserve = ReserveInfo(r.fundsRemaining, r.claimedForRound[_roundsManager().currentRound()]);
    }

    function claimableReserve(address _reserveHolder, address _claimant) external view returns (uint256) {
        return _claimableReserve(_reserveHolder, _claimant, _roundsManager().currentRound());
    }

    function claimedReserve(address _reserveHolder, address _claimant) external view returns (uint256) {
        return reserves[_reserveHolder].claimedByClaimant[_roundsManager().currentRound()][_claimant];
    }

    function isUnlockInProgress(address _sender) external view returns (bool) {
        return senders[_sender].withdrawRound > 0;
    }

    function _isUnlocked(SenderState storage s) private view returns (bool) {
        uint256 withdrawRound = s.withdrawRound;
        return withdrawRound > 0 && withdrawRound <= _roundsManager().currentRound();
    }

    function _roundsManager() private view returns (IRoundsManager) {
        return IRoundsManager(contractAt("RoundsManager"));
    }
}
