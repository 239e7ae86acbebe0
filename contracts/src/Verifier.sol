// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IBondingManager} from "./Interfaces.sol";
import {Manager} from "./Manager.sol";

// Fault proofs (protocol.md "Verification and slashing"). A reporter submits what a broadcaster and a
// transcoder signed for one segment (wire.md "Signatures") together with a verifier's verdict that one of
// the transcoder's renditions failed verification; a valid proof slashes the transcoder once per segment
// and pays the reporter the finder fee. Registered in the Controller as "Verifier": the only address
// BondingManager.slashTranscoder accepts.
//
// Parameters are memory, not calldata: a calldata `bytes` takes two stack slots, and with twelve
// parameters the legacy code generator would run out of reachable stack.
contract Verifier is Manager, Ownable {
    uint256 private constant PERC_DIVISOR = 1000000;

    // Addresses whose verdicts (signed PSNR scores of a re-transcode) the contract trusts.
    mapping(address => bool) public isVerifier;
    // Share of the transcoder's self-bond burned on a proven fault, in PERC_DIVISOR units.
    uint256 public slashAmount;
    // Share of the penalty paid to the reporter, in PERC_DIVISOR units.
    uint256 public finderFee;
    // A rendition scoring at least this (milli-dB PSNR; 0 = failed a hard check) passed verification.
    uint256 public minScore;
    // keccak256(abi.encodePacked(transcoder, segmentHash, seq)) of every fault already slashed.
    mapping(bytes32 => bool) public faultSlashed;

    event VerifierSet(address indexed verifier, bool allowed);
    event SlashingParamsSet(uint256 slashAmount, uint256 finderFee, uint256 minScore);
    event FaultProven(
        address indexed transcoder,
        address indexed finder,
        address indexed broadcaster,
        uint256 seq,
        bytes32 renditionHash,
        uint256 score
    );

    constructor(address _controller) Manager(_controller) Ownable(msg.sender) {
        _setSlashingParams(500000, 500000, 30000);
    }

    function setVerifier(address _verifier, bool _allowed) external onlyOwner {
        isVerifier[_verifier] = _allowed;
        emit VerifierSet(_verifier, _allowed);
    }

    function setSlashingParams(uint256 _slashAmount, uint256 _finderFee, uint256 _minScore) external onlyOwner {
        _setSlashingParams(_slashAmount, _finderFee, _minScore);
    }

    /// Proves that `_transcoder` returned a bad rendition for segment (`_manifestId`, `_seq`) and slashes it;
    /// the caller is the finder. Checks in order: the broadcaster's segment signature, the rendition index,
    /// the transcoder's result signature, the verdict's segment and signer, the score, no earlier slash.
    function submitFault(
        bytes memory _manifestId,
        uint256 _seq,
        bytes32 _segmentHash,
        bytes memory _profileIds,
        bytes memory _broadcasterSig,
        bytes32[] memory _renditionHashes,
        address _transcoder,
        bytes memory _transcoderSig,
        uint256 _renditionIndex,
        uint256 _verdictSeq,
        uint256 _score,
        bytes memory _verdictSig
    ) external whenSystemNotPaused {
        address broadcaster = _personalSigner(
            keccak256(abi.encodePacked(_manifestId, _seq, _segmentHash, _profileIds)), _broadcasterSig
        );
        require(broadcaster != address(0), "invalid broadcaster signature");
        require(_renditionIndex < _renditionHashes.length, "rendition index out of range");
        require(
            _personalSigner(keccak256(abi.encodePacked(_renditionHashes)), _transcoderSig) == _transcoder
                && _transcoder != address(0),
            "invalid transcoder signature"
        );
        bytes32 renditionHash = _renditionHashes[_renditionIndex];
        _checkVerdict(_transcoder, broadcaster, _seq, _segmentHash, renditionHash, _verdictSeq, _score, _verdictSig);
        _slash(_transcoder, _segmentHash, _seq, broadcaster, renditionHash, _score);
    }

    function _checkVerdict(
        address _transcoder,
        address _broadcaster,
        uint256 _seq,
        bytes32 _segmentHash,
        bytes32 _renditionHash,
        uint256 _verdictSeq,
        uint256 _score,
        bytes memory _verdictSig
    ) private view {
        require(_verdictSeq == _seq, "verdict is for another segment");
        address signer = _personalSigner(
            keccak256(abi.encodePacked(_transcoder, _broadcaster, _verdictSeq, _segmentHash, _renditionHash, _score)),
            _verdictSig
        );
        require(signer != address(0) && isVerifier[signer], "verdict not signed by a verifier");
        require(_score < minScore, "rendition passed verification");
    }

    function _slash(
        address _transcoder,
        bytes32 _segmentHash,
        uint256 _seq,
        address _broadcaster,
        bytes32 _renditionHash,
        uint256 _score
    ) private {
        bytes32 key = keccak256(abi.encodePacked(_transcoder, _segmentHash, _seq));
        require(!faultSlashed[key], "fault already slashed");
        faultSlashed[key] = true;
        IBondingManager(contractAt("BondingManager")).slashTranscoder(_transcoder, msg.sender, slashAmount, finderFee);
        emit FaultProven(_transcoder, msg.sender, _broadcaster, _seq, _renditionHash, _score);
    }

    // The signer of an Ethereum personal-sign of `_hash`, or the zero address for any malformed signature
    // (length, v, high s: OpenZeppelin's checks).
    function _personalSigner(bytes32 _hash, bytes memory _sig) private pure returns (address) {
        (address signer, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(MessageHashUtils.toEthSignedMessageHash(_hash), _sig);
        return err == ECDSA.RecoverError.NoError ? signer : address(0);
    }

    function _setSlashingParams(uint256 _slashAmount, uint256 _finderFee, uint256 _minScore) private {
        require(_slashAmount <= PERC_DIVISOR, "slash amount must be a valid percentage");
        require(_finderFee <= PERC_DIVISOR, "finder fee must be a valid percentage");
        slashAmount = _slashAmount;
        finderFee = _finderFee;
        minScore = _minScore;
        emit SlashingParamsSet(_slashAmount, _finderFee, _minScore);
    }
}
