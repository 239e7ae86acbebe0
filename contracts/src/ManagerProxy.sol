// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ManagerProxyTarget, Manager} from "./Manager.sol";

// Upgradeable entry point: registered in the Controller as "X", it runs the code registered as "XTarget"
// in its own storage, so an upgrade is a single setContractInfo on the target id.
contract ManagerProxy is ManagerProxyTarget {
    constructor(address _controller, bytes32 _targetContractId) Manager(_controller) {
        targetContractId = _targetContractId;
    }

    receive() external payable {
        _forward();
    }

    fallback() external payable {
        _forward();
    }

    function _forward() private {
        address target = controller.getContract(targetContractId);
        require(target != address(0), "target contract must be registered");
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}
