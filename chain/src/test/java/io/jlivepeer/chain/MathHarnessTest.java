package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.contracts.MathHarness;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/** The protocol.md percentage vectors, evaluated by the contracts' own math library on the EVM. */
class MathHarnessTest {
    private static Anvil anvil;
    private static Web3j web3j;
    private static MathHarness math;

    @BeforeAll
    static void deploy() throws Exception {
        anvil = Anvil.start(AnvilConfig.defaults());
        HttpService service = new HttpService(anvil.rpcUrl());
        web3j = Web3j.build(service);
        Credentials account = TestChain.account("math");
        TestChain.rpc(service, "anvil_setBalance", List.of(account.getAddress(),
                Numeric.toHexStringWithPrefix(TestChain.ETHER)));
        math = MathHarness.deploy(web3j, ProtocolDeployer.transactionManager(web3j, account, anvil.chainId()),
                ProtocolDeployer.gasProvider(web3j)).send();
    }

    @AfterAll
    static void stop() {
        web3j.shutdown();
        anvil.close();
    }

    private static BigInteger n(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void percentageVectorsMatchTheSpecification() throws Exception {
        assertThat(math.percPoints(n(3), n(4)).send()).isEqualTo(n(750_000));
        assertThat(math.percPoints(n(100), n(300)).send()).isEqualTo(n(333_333));
        assertThat(math.percOf3(n(100), n(3), n(4)).send()).isEqualTo(n(75));
        assertThat(math.percOf3(n(100), n(7), n(9)).send()).isEqualTo(n(77));
        assertThat(math.percOf(n(100), n(3)).send()).isEqualTo(n(0));
        assertThat(math.percOf(n(100), n(100_000)).send()).isEqualTo(n(10));
    }

    @Test
    void preciseMathKeepsTwentySevenDecimals() throws Exception {
        BigInteger one = BigInteger.TEN.pow(27);
        assertThat(math.precisePercPoints(n(1), n(3)).send()).isEqualTo(one.divide(n(3)));
        // the reward example: 1e27 + percOf(1e27, 500, 1000) = 1.5e27
        assertThat(one.add(math.precisePercOf3(one, n(500), n(1000)).send()))
                .isEqualTo(new BigInteger("1500000000000000000000000000"));
    }
}
