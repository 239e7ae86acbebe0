package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

class AnvilTest {
    @Test
    void startsOnLoopbackAnswersJsonRpcAndStopsOnClose() throws Exception {
        int port;
        try (Anvil anvil = Anvil.start(AnvilConfig.defaults())) {
            port = anvil.port();
            assertThat(anvil.rpcUrl()).isEqualTo("http://127.0.0.1:" + port);
            Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
            assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(1337));
            web3j.shutdown();
            assertThat(anvil.isRunning()).isTrue();
        }
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void minesBlocksOnDemandAndSwitchesToIntervalMining() throws Exception {
        try (Anvil anvil = Anvil.start(AnvilConfig.defaults())) {
            Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
            long before = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
            anvil.mine(25);
            assertThat(web3j.ethBlockNumber().send().getBlockNumber().longValueExact()).isEqualTo(before + 25);
            anvil.setIntervalMining(java.time.Duration.ofSeconds(1));
            web3j.shutdown();
        }
    }

    @Test
    void missingBinaryIsAClearError() {
        AnvilConfig config = AnvilConfig.defaults().withBinary(Path.of("/nonexistent/anvil"));
        assertThatThrownBy(() -> Anvil.start(config))
                .isInstanceOf(ChainException.class)
                .hasMessageContaining("cannot start anvil (/nonexistent/anvil)");
    }

    @Test
    void explicitBinaryPropertyThatDoesNotExistIsNamedInTheError() {
        String old = System.getProperty(Anvil.BINARY_PROPERTY);
        System.setProperty(Anvil.BINARY_PROPERTY, "/nonexistent/anvil");
        try {
            assertThatThrownBy(Anvil::locateBinary)
                    .isInstanceOf(ChainException.class)
                    .hasMessageContaining("/nonexistent/anvil")
                    .hasMessageContaining("does not exist or is not executable");
        } finally {
            if (old == null) {
                System.clearProperty(Anvil.BINARY_PROPERTY);
            } else {
                System.setProperty(Anvil.BINARY_PROPERTY, old);
            }
        }
    }

    @Test
    void findsTheNpmInstalledBinaryFromTheModuleDirectory() {
        assertThat(Anvil.locateBinary().toString()).contains("node_modules/@foundry-rs/anvil-");
    }
}
