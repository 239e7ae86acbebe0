// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Percentages in parts per million (protocol.md "Percentages"). Each helper floors exactly as specified;
// percOf(a, b, c) floors twice on purpose so on-chain and off-chain results agree bit for bit.
library MathUtils {
    uint256 internal constant PERC_DIVISOR = 1_000_000;

    function validPerc(uint256 amount) internal pure returns (bool) {
        return amount <= PERC_DIVISOR;
    }

    function percPoints(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a * PERC_DIVISOR) / b;
    }

    function percOf(uint256 a, uint256 p) internal pure returns (uint256) {
        return (a * p) / PERC_DIVISOR;
    }

    function percOf(uint256 a, uint256 b, uint256 c) internal pure returns (uint256) {
        return (a * percPoints(b, c)) / PERC_DIVISOR;
    }
}

// The same helpers at 1e27 precision, for the cumulative reward and fee factors.
library PreciseMathUtils {
    uint256 internal constant PERC_DIVISOR = 1e27;

    function percPoints(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a * PERC_DIVISOR) / b;
    }

    function percOf(uint256 a, uint256 p) internal pure returns (uint256) {
        return (a * p) / PERC_DIVISOR;
    }

    function percOf(uint256 a, uint256 b, uint256 c) internal pure returns (uint256) {
        return (a * percPoints(b, c)) / PERC_DIVISOR;
    }
}
