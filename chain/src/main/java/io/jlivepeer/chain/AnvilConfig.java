package io.jlivepeer.chain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a local anvil chain.
 *
 * @param binary the anvil executable; empty: {@link Anvil#locateBinary()} finds the one {@code npm ci}
 *     installed under {@code contracts/node_modules}
 * @param chainId chain id anvil reports (default 1337)
 * @param blockTime seconds between blocks; empty (default): a block per transaction (automine), which is
 *     what tests want; the dev network sets 1 s so that rounds pass on their own
 * @param accounts number of prefunded accounts (default 10)
 * @param startTimeout how long to wait for the JSON-RPC endpoint to answer (default 30 s)
 */
public record AnvilConfig(
        Optional<Path> binary, long chainId, Optional<Duration> blockTime, int accounts, Duration startTimeout) {

    public AnvilConfig {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(blockTime, "blockTime");
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (chainId <= 0) {
            throw new IllegalArgumentException("chainId must be positive: " + chainId);
        }
        if (accounts < 1) {
            throw new IllegalArgumentException("accounts must be at least 1: " + accounts);
        }
        blockTime.ifPresent(t -> {
            if (t.toSeconds() < 1) {
                throw new IllegalArgumentException("blockTime must be at least one second: " + t);
            }
        });
    }

    /** Automine, chain id 1337, 10 accounts, 30 s start timeout. */
    public static AnvilConfig defaults() {
        return new AnvilConfig(Optional.empty(), 1337, Optional.empty(), 10, Duration.ofSeconds(30));
    }

    public AnvilConfig withBlockTime(Duration time) {
        return new AnvilConfig(binary, chainId, Optional.of(time), accounts, startTimeout);
    }

    public AnvilConfig withBinary(Path path) {
        return new AnvilConfig(Optional.of(path), chainId, blockTime, accounts, startTimeout);
    }
}
