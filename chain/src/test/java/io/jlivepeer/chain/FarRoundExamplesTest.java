package io.jlivepeer.chain;

import static io.jlivepeer.chain.TestChain.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import io.jlivepeer.chain.contracts.BondingManager;
import io.jlivepeer.chain.contracts.TicketBroker;
import java.math.BigInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * protocol.md examples stated in absolute round numbers (round 101, rounds 10 to 12). They travel far in
 * blocks, which EVM snapshots do not undo reliably, so each gets a fresh chain.
 */
class FarRoundExamplesTest {
    private TestChain chain;

    @BeforeEach
    void deploy() {
        chain = TestChain.start(3, accounts -> Parameters.devDefaults()
                .withRoundLength(10)
                .withPeriods(2, 2, 2)
                .withInitialMints(TestChain.mints(accounts, BigInteger.valueOf(10_000))));
        chain.nextRound();
    }

    @AfterEach
    void stop() {
        chain.close();
    }

    private void bond(Credentials who, long amount, Credentials to) {
        send(() -> chain.token(who).approve(chain.deployment.bondingManager(), BigInteger.valueOf(amount)).send());
        send(() -> chain.bonding(who).bond(BigInteger.valueOf(amount), to.getAddress()).send());
    }

    @Test
    void unbondExampleInRound101CreatesLock500WithdrawableInRound103() throws Exception {
        Credentials t = chain.accounts.get(0);
        Credentials d = chain.accounts.get(1);
        bond(t, 1000, t);
        bond(d, 1000, t);
        assertThat(chain.currentRound()).isLessThan(101);
        chain.mineToRound(101);
        chain.initializeRound();

        TransactionReceipt receipt = send(() -> chain.bonding(d).unbond(BigInteger.valueOf(500)).send());

        var unbond = BondingManager.getUnbondEvents(receipt).get(0);
        assertThat(unbond.delegate).isEqualTo(t.getAddress());
        assertThat(unbond.delegator).isEqualTo(d.getAddress());
        assertThat(unbond.unbondingLockId).isZero();
        assertThat(unbond.amount).isEqualTo(BigInteger.valueOf(500));
        assertThat(unbond.withdrawRound).isEqualTo(BigInteger.valueOf(103));
        var lock = chain.bonding(d).getDelegatorUnbondingLock(d.getAddress(), BigInteger.ZERO).send();
        assertThat(lock.component1()).isEqualTo(BigInteger.valueOf(500));
        assertThat(lock.component2()).isEqualTo(BigInteger.valueOf(103));
        assertThat(chain.bonding(d).getDelegator(d.getAddress()).send().component1())
                .isEqualTo(BigInteger.valueOf(500));
    }

    @Test
    void ticketCreatedInRound10IsExpiredInRound12WithValidityPeriod2() throws Exception {
        Credentials t = chain.accounts.get(0);
        Credentials b = chain.accounts.get(2);
        bond(t, 1000, t);
        send(() -> chain.bonding(t).transcoder(BigInteger.ZERO, BigInteger.ZERO).send());
        send(() -> chain.broker(b).fundDepositAndReserve(BigInteger.valueOf(1000), BigInteger.ZERO,
                BigInteger.valueOf(1000)).send());
        assertThat(chain.broker(b).ticketValidityPeriod().send()).isEqualTo(BigInteger.TWO);
        assertThat(chain.currentRound()).isLessThan(10);
        chain.mineToRound(10);
        chain.initializeRound();
        byte[] hash10 = chain.rounds(b).blockHashForRound(BigInteger.TEN).send();
        byte[] aux = Tickets.auxData(10, hash10);
        Tickets.Signed inTime = Tickets.ticket(b, t.getAddress(), BigInteger.TEN, Tickets.ALWAYS_WINS, 1,
                BigInteger.ONE, aux);
        Tickets.Signed late = Tickets.ticket(b, t.getAddress(), BigInteger.TEN, Tickets.ALWAYS_WINS, 2,
                BigInteger.TWO, aux);

        chain.nextRound();
        TransactionReceipt redeemed = send(() -> chain.broker(t)
                .redeemWinningTicket(inTime.ticket(), inTime.sig(), inTime.recipientRand()).send());
        assertThat(TicketBroker.getWinningTicketTransferEvents(redeemed)).hasSize(1);

        chain.nextRound();
        assertThat(chain.currentRound()).isEqualTo(12);
        chain.assertReverts(t, chain.deployment.ticketBroker(),
                TicketBroker.getABI_redeemWinningTicket(late.ticket(), late.sig(), late.recipientRand()),
                "ticket is expired");
    }
}
