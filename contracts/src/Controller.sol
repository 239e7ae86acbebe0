// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IManager} from "./Interfaces.sol";

// The protocol registry: contracts find each other by keccak256(name). Starts paused so that a half
// wired deployment cannot be used; the deployer unpauses once every contract is registered.
contract Controller is Ownable, Pausable {
    struct ContractInfo {
        address contractAddress;
        bytes20 gitCommitHash;
    }

    event SetContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash);

    mapping(bytes32 => ContractInfo) private registry;

    constructor() Ownable(msg.sender) {
        _pause();
    }

    function setContractInfo(bytes32 _id, address _contractAddress, bytes20 _gitCommitHash) external onlyOwner {
        registry[_id] = ContractInfo(_contractAddress, _gitCommitHash);
        emit SetContractInfo(_id, _contractAddress, _gitCommitHash);
    }

    function updateController(bytes32 _id, address _controller) external onlyOwner {
        IManager(registry[_id].contractAddress).setController(_controller);
    }

    function getContractInfo(bytes32 _id) external view returns (address, bytes20) {
        ContractInfo storage info = registry[_id];
        return (info.contractAddress, info.gitCommitHash);
    }

    function getContract(bytes32 _id) external view returns (address) {
        return registry[_id].contractAddress;
    }

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }
}
