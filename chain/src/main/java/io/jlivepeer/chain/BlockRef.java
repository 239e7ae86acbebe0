package io.jlivepeer.chain;

import java.math.BigInteger;
import java.util.Optional;

/** A block header's identity and the facts the node uses: number, hash, timestamp, EIP-1559 base fee. */
public record BlockRef(long number, String hash, long timestamp, Optional<BigInteger> baseFeePerGas) {}
