// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IController} from "./Interfaces.sol";

// Base of every protocol contract: it knows the Controller, which is the registry, the pause switch and
// (through its owner) the only authority allowed to change parameters.
abstract contract Manager {
    event SetController(address controller);
    event ParameterUpdate(string param);

    // Slot 0 in both the proxy and its target: the proxy's storage is what the target code sees.
    IController public controller;

    modifier onlyController() {
        require(msg.sender == address(controller), "caller must be Controller");
        _;
    }

    modifier onlyControllerOwner() {
        require(msg.sender == controller.owner(), "caller must be Controller owner");
        _;
    }

    modifier whenSystemNotPaused() {
        require(!controller.paused(), "system is paused");
        _;
    }

    modifier whenSystemPaused() {
        require(controller.paused(), "system is not paused");
        _;
    }

    constructor(address _controller) {
        controller = IController(_controller);
    }

    function setController(address _controller) external onlyController {
        controller = IController(_controller);
        emit SetController(_controller);
    }

    function contractAt(string memory name) internal view returns (address) {
        return controller.getContract(keccak256(bytes(name)));
    }
}

// Implementation contracts that run behind a ManagerProxy; slot 1 holds the target id in the proxy.
abstract contract ManagerProxyTarget is Manager {
    bytes32 public targetContractId;
}
