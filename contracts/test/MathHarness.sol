// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MathUtils, PreciseMathUtils} from "../src/MathUtils.sol";

// Test-only: exposes the percentage helpers so the protocol.md vectors can be checked on the EVM.
contract MathHarness {
    function percPoints(uint256 a, uint256 b) external pure returns (uint256) {
        return MathUtils.percPoints(a, b);
    }

    function percOf(uint256 a, uint256 p) external pure returns (uint256) {
        return MathUtils.percOf(a, p);
    }

    function percOf3(uint256 a, uint256 b, uint256 c) external pure returns (uint256) {
        return MathUtils.percOf(a, b, c);
    }

    function precisePercPoints(uint256 a, uint256 b) external pure returns (uint256) {
        return PreciseMathUtils.percPoints(a, b);
    }

    function precisePercOf3(uint256 a, uint256 b, uint256 c) external pure returns (uint256) {
        return PreciseMathUtils.percOf(a, b, c);
    }
}
