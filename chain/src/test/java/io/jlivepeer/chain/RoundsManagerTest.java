package io.jlivepeer.chain;

import static io.jlivepeer.chain.TestChain.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import io.jlivepeer.chain.contracts.RoundsManager;
import io.jlivepeer.chain.contracts.ServiceRegistry;
import java.math.BigInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

class RoundsManagerTest {
    private static TestChain chain;
    private String snapshot;

    @BeforeAll
    static void deploy() {
        chain = TestChain.start(1, accounts -> Parameters.devDefaults().withRoundLength(20));
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    @BeforeEach
    void takeSnapshot() {
        snapshot = chain.snapshot();
    }

    @AfterEach
    void restore() {
        chain.revertTo(snapshot);
    }

    private RoundsManager rm() {
        return chain.rounds(chain.accounts.get(0));
    }

    @Test
    void initializeRoundRecordsThePreviousBlockHashOncePerRound() throws Exception {
        long round = chain.currentRound() + 1;
        chain.mineToRound(round);
        assertThat(rm().currentRoundInitialized().send()).isFalse();
        TransactionReceipt receipt = send(() -> rm().initializeRound().send());
        var event = RoundsManager.getNewRoundEvents(receipt).get(0);
        assertThat(event.round).isEqualTo(BigInteger.valueOf(round));
        byte[] parentHash = chain.web3j.ethGetBlockByNumber(
                org.web3j.protocol.core.DefaultBlockParameter.valueOf(receipt.getBlockNumber().subtract(BigInteger.ONE)),
                false).send().getBlock().getHash().transform(org.web3j.utils.Numeric::hexStringToByteArray);
        assertThat(event.blockHash).isEqualTo(parentHash);
        assertThat(rm().blockHashForRound(BigInteger.valueOf(round)).send()).isEqualTo(parentHash);
        assertThat(rm().currentRoundInitialized().send()).isTrue();
        chain.assertReverts(chain.deployer, chain.deployment.roundsManager(), RoundsManager.getABI_initializeRound(),
                "round already initialized");
    }

    @Test
    void roundLengthChangeTakesEffectAtTheNextRoundBoundary() throws Exception {
        long round = chain.currentRound() + 1;
        chain.mineToRound(round);
        long start = rm().currentRoundStartBlock().send().longValueExact();
        send(() -> chain.rounds(chain.deployer).setRoundLength(BigInteger.valueOf(7)).send());
        // The current round keeps its 20 blocks.
        assertThat(rm().roundLength().send()).isEqualTo(BigInteger.valueOf(20));
        assertThat(rm().currentRoundStartBlock().send().longValueExact()).isEqualTo(start);
        chain.mine(start + 20 - chain.blockNumber());
        assertThat(chain.currentRound()).isEqualTo(round + 1);
        assertThat(rm().currentRoundStartBlock().send().longValueExact()).isEqualTo(start + 20);
        assertThat(rm().roundLength().send()).isEqualTo(BigInteger.valueOf(7));
        chain.mine(7);
        assertThat(chain.currentRound()).isEqualTo(round + 2);
        assertThat(rm().currentRoundStartBlock().send().longValueExact()).isEqualTo(start + 27);
        chain.assertReverts(chain.accounts.get(0), chain.deployment.roundsManager(),
                RoundsManager.getABI_setRoundLength(BigInteger.ONE), "caller must be Controller owner");
    }

    @Test
    void blockHashOnlyServesThePast256Blocks() throws Exception {
        long now = chain.blockNumber();
        String address = chain.deployment.roundsManager();
        chain.assertReverts(chain.deployer, address, RoundsManager.getABI_blockHash(BigInteger.valueOf(now + 5)),
                "can only retrieve past block hashes");
        chain.mine(300);
        chain.assertReverts(chain.deployer, address, RoundsManager.getABI_blockHash(BigInteger.ONE),
                "can only retrieve hashes for last 256 blocks");
        assertThat(rm().blockHash(BigInteger.valueOf(chain.blockNumber() - 1)).send()).hasSize(32);
    }

    @Test
    void serviceRegistryStoresEachCallersUri() throws Exception {
        ServiceRegistry registry = chain.serviceRegistry(chain.accounts.get(0));
        TransactionReceipt receipt = send(() -> registry.setServiceURI("https://127.0.0.1:8935").send());
        assertThat(ServiceRegistry.getServiceURIUpdateEvents(receipt).get(0).serviceURI)
                .isEqualTo("https://127.0.0.1:8935");
        assertThat(registry.getServiceURI(chain.accounts.get(0).getAddress()).send())
                .isEqualTo("https://127.0.0.1:8935");
        assertThat(registry.getServiceURI(chain.deployer.getAddress()).send()).isEmpty();
    }
}
