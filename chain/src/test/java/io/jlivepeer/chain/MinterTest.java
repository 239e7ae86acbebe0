package io.jlivepeer.chain;

import static io.jlivepeer.chain.TestChain.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.ProtocolDeployer.Mint;
import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import io.jlivepeer.chain.contracts.Minter;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

class MinterTest {
    private static TestChain chain;

    @BeforeAll
    static void deploy() {
        // protocol.md Minter example: inflation 260000000, change 200000, target 500000000, supply 1000, bonded 0
        chain = TestChain.start(1, accounts -> Parameters.devDefaults()
                .withRoundLength(10)
                .withInflation(BigInteger.valueOf(260_000_000), BigInteger.valueOf(200_000))
                .withTargetBondingRate(BigInteger.valueOf(500_000_000))
                .withInitialMints(List.of(new Mint(accounts.get(0).getAddress(), BigInteger.valueOf(1000)))));
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    @Test
    void inflationExampleRaisesInflationAndSetsMintableThenRewardsAreFractionsOfIt() throws Exception {
        chain.nextRound();
        Minter minter = chain.minter(chain.deployer);
        assertThat(minter.inflation().send()).isEqualTo(BigInteger.valueOf(260_200_000));
        assertThat(minter.currentMintableTokens().send()).isEqualTo(BigInteger.valueOf(260));
        assertThat(minter.currentMintedTokens().send()).isZero();

        // createReward is BondingManager-only: point the registry's "BondingManager" at a test account.
        Credentials fakeBondingManager = chain.accounts.get(0);
        send(() -> chain.controller(chain.deployer).setContractInfo(ProtocolDeployer.contractId("BondingManager"),
                fakeBondingManager.getAddress(), new byte[20]).send());
        Minter asBondingManager = chain.minter(fakeBondingManager);
        assertThat(chain.simulateUint(fakeBondingManager, chain.deployment.minter(),
                Minter.getABI_createReward(BigInteger.valueOf(10), BigInteger.valueOf(100))))
                .isEqualTo(BigInteger.valueOf(26));
        send(() -> asBondingManager.createReward(BigInteger.valueOf(10), BigInteger.valueOf(100)).send());
        assertThat(chain.simulateUint(fakeBondingManager, chain.deployment.minter(),
                Minter.getABI_createReward(BigInteger.valueOf(20), BigInteger.valueOf(100))))
                .isEqualTo(BigInteger.valueOf(52));
        send(() -> asBondingManager.createReward(BigInteger.valueOf(20), BigInteger.valueOf(100)).send());
        assertThat(minter.currentMintedTokens().send()).isEqualTo(BigInteger.valueOf(78));
        assertThat(chain.token(chain.deployer).balanceOf(chain.deployment.minter()).send())
                .isEqualTo(BigInteger.valueOf(78));

        chain.assertReverts(fakeBondingManager, chain.deployment.minter(),
                Minter.getABI_createReward(BigInteger.valueOf(80), BigInteger.valueOf(100)),
                "minted tokens cannot exceed mintable tokens");
        chain.assertReverts(chain.deployer, chain.deployment.minter(),
                Minter.getABI_createReward(BigInteger.ONE, BigInteger.valueOf(100)),
                "caller must be BondingManager");
    }
}
