// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Manager} from "./Manager.sol";
import {ILivepeerToken, IBondingManager} from "./Interfaces.sol";

// Holds every bonded LPT and every broadcaster's ETH, and mints the per-round inflation.
// Not behind a proxy: it is the custodian, so replacing it means moving funds explicitly.
contract Minter is Manager {
    // Inflation figures are in parts per billion (protocol.md: "the Minter uses 1e9").
    uint256 private constant MINTER_PERC_DIVISOR = 1_000_000_000;

    uint256 public inflation;
    uint256 public inflationChange;
    uint256 public targetBondingRate;
    uint256 public currentMintableTokens;
    uint256 public currentMintedTokens;

    event SetCurrentRewardTokens(uint256 currentMintableTokens, uint256 currentInflation);

    modifier onlyBondingManager() {
        require(msg.sender == contractAt("BondingManager"), "caller must be BondingManager");
        _;
    }

    modifier onlyRoundsManager() {
        require(msg.sender == contractAt("RoundsManager"), "caller must be RoundsManager");
        _;
    }

    modifier onlyBondingManagerOrTicketBroker() {
        require(
            msg.sender == contractAt("BondingManager") || msg.sender == contractAt("TicketBroker"),
            "caller must be BondingManager or TicketBroker"
        );
        _;
    }

    constructor(address _controller, uint256 _inflation, uint256 _inflationChange, uint256 _targetBondingRate)
        Manager(_controller)
    {
        require(_inflation <= MINTER_PERC_DIVISOR, "inflation must be a valid percentage");
        require(_inflationChange <= MINTER_PERC_DIVISOR, "inflation change must be a valid percentage");
        require(_targetBondingRate <= MINTER_PERC_DIVISOR, "target bonding rate must be a valid percentage");
        inflation = _inflation;
        inflationChange = _inflationChange;
        targetBondingRate = _targetBondingRate;
    }

    function setTargetBondingRate(uint256 _targetBondingRate) external onlyControllerOwner {
        require(_targetBondingRate <= MINTER_PERC_DIVISOR, "target bonding rate must be a valid percentage");
        targetBondingRate = _targetBondingRate;
        emit ParameterUpdate("targetBondingRate");
    }

    function setInflationChange(uint256 _inflationChange) external onlyControllerOwner {
        require(_inflationChange <= MINTER_PERC_DIVISOR, "inflation change must be a valid percentage");
        inflationChange = _inflationChange;
        emit ParameterUpdate("inflationChange");
    }

    function createReward(uint256 _fracNum, uint256 _fracDenom)
        external
        onlyBondingManager
        whenSystemNotPaused
        returns (uint256)
    {
        uint256 mintable = currentMintableTokens;
        uint256 mintAmount = (mintable * ((_fracNum * MINTER_PERC_DIVISOR) / _fracDenom)) / MINTER_PERC_DIVISOR;
        uint256 minted = currentMintedTokens + mintAmount;
        require(minted <= mintable, "minted tokens cannot exceed mintable tokens");
        currentMintedTokens = minted;
        ILivepeerToken(contractAt("LivepeerToken")).mint(address(this), mintAmount);
        return mintAmount;
    }

    function trustedTransferTokens(address _to, uint256 _amount) external onlyBondingManager whenSystemNotPaused {
        require(ILivepeerToken(contractAt("LivepeerToken")).transfer(_to, _amount), "token transfer failed");
    }

    function trustedBurnTokens(uint256 _amount) external onlyBondingManager whenSystemNotPaused {
        ILivepeerToken(contractAt("LivepeerToken")).burn(_amount);
    }

    function trustedWithdrawETH(address payable _to, uint256 _amount)
        external
        onlyBondingManagerOrTicketBroker
        whenSystemNotPaused
    {
        (bool ok,) = _to.call{value: _amount}("");
        require(ok, "ETH transfer failed");
    }

    function depositETH() external payable returns (bool) {
        return true;
    }

    function setCurrentRewardTokens() external onlyRoundsManager whenSystemNotPaused {
        uint256 supply = ILivepeerToken(contractAt("LivepeerToken")).totalSupply();
        uint256 bonded = IBondingManager(contractAt("BondingManager")).getTotalBonded();
        uint256 bondingRate = supply == 0 ? 0 : (bonded * MINTER_PERC_DIVISOR) / supply;
        uint256 current = inflation;
        if (bondingRate < targetBondingRate) {
            current += inflationChange;
        } else if (bondingRate > targetBondingRate) {
            current = current > inflationChange ? current - inflationChange : 0;
        }
        inflation = current;
        uint256 mintable = (supply * current) / MINTER_PERC_DIVISOR;
        currentMintableTokens = mintable;
        currentMintedTokens = 0;
        emit SetCurrentRewardTokens(mintable, current);
    }
}
