package io.jlivepeer.chain;

import static io.jlivepeer.chain.TestChain.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import io.jlivepeer.chain.contracts.BondingManager;
import io.jlivepeer.chain.contracts.Governor;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

class GovernorTest {
    private static TestChain chain;

    @BeforeAll
    static void deploy() {
        chain = TestChain.start(1, accounts -> Parameters.devDefaults().withGovernorOwnsController(true));
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    @Test
    void stagedUpdateExecutesOnlyAfterItsDelayAndOnlyOnce() throws Exception {
        Credentials anyone = chain.accounts.get(0);
        String bm = chain.deployment.bondingManager();
        String governorAddress = chain.deployment.governor();
        assertThat(chain.controller(anyone).owner().send()).isEqualTo(governorAddress);
        // The deployer no longer controls parameters directly.
        chain.assertReverts(chain.deployer, bm, BondingManager.getABI_setUnbondingPeriod(BigInteger.valueOf(5)),
                "caller must be Controller owner");

        Governor.Update update = new Governor.Update(List.of(bm), List.of(BigInteger.ZERO),
                List.of(Numeric.hexStringToByteArray(BondingManager.getABI_setUnbondingPeriod(BigInteger.valueOf(5)))),
                BigInteger.ONE);
        chain.assertReverts(anyone, governorAddress, Governor.getABI_stage(update, BigInteger.TEN),
                "unauthorized: msg.sender not owner");
        chain.assertReverts(anyone, governorAddress, Governor.getABI_execute(update, BigInteger.ZERO), "update is not staged");

        send(() -> chain.governor(chain.deployer).stage(update, BigInteger.TEN).send());
        long executable = chain.blockNumber() + 10;
        assertThat(chain.governor(anyone).updates(org.web3j.crypto.Hash.sha3(
                Numeric.hexStringToByteArray(org.web3j.abi.FunctionEncoder.encodeConstructor(List.of(update)))))
                .send()).isEqualTo(BigInteger.valueOf(executable));
        chain.assertReverts(chain.deployer, governorAddress, Governor.getABI_stage(update, BigInteger.TEN),
                "update already staged");
        chain.assertReverts(anyone, governorAddress, Governor.getABI_execute(update, BigInteger.ZERO), "delay for update not expired");
        // eth_call runs on the latest block; the execute transaction goes into the next one.
        chain.mine(executable - chain.blockNumber() - 2);
        chain.assertReverts(anyone, governorAddress, Governor.getABI_execute(update, BigInteger.ZERO), "delay for update not expired");
        chain.mine(1);

        send(() -> chain.governor(anyone).execute(update, BigInteger.ZERO).send());
        assertThat(chain.bonding(anyone).unbondingPeriod().send()).isEqualTo(BigInteger.valueOf(5));
        chain.assertReverts(anyone, governorAddress, Governor.getABI_execute(update, BigInteger.ZERO), "update is not staged");
    }

    @Test
    void ownerCanCancelAStagedUpdate() throws Exception {
        String bm = chain.deployment.bondingManager();
        String governorAddress = chain.deployment.governor();
        Governor.Update update = new Governor.Update(List.of(bm), List.of(BigInteger.ZERO),
                List.of(Numeric.hexStringToByteArray(BondingManager.getABI_setUnbondingPeriod(BigInteger.valueOf(9)))),
                BigInteger.TWO);
        send(() -> chain.governor(chain.deployer).stage(update, BigInteger.ZERO).send());
        send(() -> chain.governor(chain.deployer).cancel(update).send());
        chain.assertReverts(chain.deployer, governorAddress, Governor.getABI_execute(update, BigInteger.ZERO), "update is not staged");
        chain.assertReverts(chain.deployer, governorAddress, Governor.getABI_cancel(update), "update is not staged");
    }
}
