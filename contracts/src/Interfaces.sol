// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// The cross-contract surface the protocol contracts use to reach each other through the Controller.

interface IController {
    function owner() external view returns (address);
    function paused() external view returns (bool);
    function getContract(bytes32 id) external view returns (address);
}

interface IManager {
    function setController(address controller) external;
}

interface ILivepeerToken {
    function mint(address to, uint256 amount) external;
    function burn(uint256 amount) external;
    function totalSupply() external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

interface IMinter {
    function createReward(uint256 fracNum, uint256 fracDenom) external returns (uint256);
    function trustedTransferTokens(address to, uint256 amount) external;
    function trustedBurnTokens(uint256 amount) external;
    function trustedWithdrawETH(address payable to, uint256 amount) external;
    function depositETH() external payable returns (bool);
    function setCurrentRewardTokens() external;
}

interface IRoundsManager {
    function currentRound() external view returns (uint256);
    function currentRoundInitialized() external view returns (bool);
    function currentRoundLocked() external view returns (bool);
    function blockHashForRound(uint256 round) external view returns (bytes32);
}

interface IBondingManager {
    function setCurrentRoundTotalActiveStake() external;
    function getTotalBonded() external view returns (uint256);
    function updateTranscoderWithFees(address transcoder, uint256 fees, uint256 round) external;
    function isActiveTranscoder(address transcoder) external view returns (bool);
    function getTranscoderPoolSize() external view returns (uint256);
    function slashTranscoder(address transcoder, address finder, uint256 slashAmount, uint256 finderFee) external;
}
