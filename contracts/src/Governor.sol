// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Owns the Controller: every protocol change is staged first and becomes executable, by anyone, only
// once its block delay has passed, which gives participants time to react to what is coming.
contract Governor {
    struct Update {
        address[] target;
        uint256[] value;
        bytes[] data;
        uint256 nonce;
    }

    address public owner;
    // keccak256(abi.encode(update)) => block number from which the update may be executed
    mapping(bytes32 => uint256) public updates;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event UpdateStaged(bytes32 indexed updateHash, uint256 executableBlock);
    event UpdateExecuted(bytes32 indexed updateHash);
    event UpdateCancelled(bytes32 indexed updateHash);

    modifier onlyOwner() {
        require(msg.sender == owner, "unauthorized: msg.sender not owner");
        _;
    }

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    // Lets the Governor receive ETH it may have to forward in an update.
    receive() external payable {}

    function transferOwnership(address _newOwner) external onlyOwner {
        require(_newOwner != address(0), "invalid new owner");
        emit OwnershipTransferred(owner, _newOwner);
        owner = _newOwner;
    }

    function stage(Update memory _update, uint256 _delay) external onlyOwner {
        bytes32 key = keccak256(abi.encode(_update));
        require(updates[key] == 0, "update already staged");
        uint256 executable = block.number + _delay;
        updates[key] = executable;
        emit UpdateStaged(key, executable);
    }

    function execute(Update memory _update) external payable {
        bytes32 key = keccak256(abi.encode(_update));
        uint256 executable = updates[key];
        require(executable != 0, "update is not staged");
        require(block.number >= executable, "delay for update not expired");
        delete updates[key];
        uint256 n = _update.target.length;
        require(_update.value.length == n && _update.data.length == n, "update arrays differ in length");
        for (uint256 i = 0; i < n; i++) {
            (bool ok, bytes memory ret) = _update.target[i].call{value: _update.value[i]}(_update.data[i]);
            if (!ok) {
                assembly {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        emit UpdateExecuted(key);
    }

    function cancel(Update memory _update) external onlyOwner {
        bytes32 key = keccak256(abi.encode(_update));
        require(updates[key] != 0, "update is not staged");
        delete updates[key];
        emit UpdateCancelled(key);
    }
}
