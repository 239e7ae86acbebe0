// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IController, IBondingManager} from "./Interfaces.sol";

// Placeholder for the verification contract (verification.md, not filed yet): registered in the
// Controller as "Verifier", it is the only address BondingManager accepts slashes from; here its owner
// decides, so the slashing path can be exercised before real verification exists.
contract Verifier is Ownable {
    IController public immutable controller;

    constructor(address _controller) Ownable(msg.sender) {
        controller = IController(_controller);
    }

    function slash(address _transcoder, address _finder, uint256 _slashAmount, uint256 _finderFee) external onlyOwner {
        IBondingManager(controller.getContract(keccak256("BondingManager"))).slashTranscoder(
            _transcoder, _finder, _slashAmount, _finderFee
        );
    }
}
