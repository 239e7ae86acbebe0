package io.jlivepeer.chain;

import static io.jlivepeer.chain.TestChain.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import io.jlivepeer.chain.contracts.BondingManager;
import io.jlivepeer.chain.contracts.TicketBroker;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** Ticket broker scenarios: funding, redemption from deposit and reserve, unlocks and every revert. */
class TicketBrokerTest {
    private static TestChain chain;
    private static Credentials t1;
    private static Credentials t2;
    private static Credentials sender;
    private static Credentials delegator;
    private static Credentials outsider;
    private String snapshot;
    private long nonce;

    @BeforeAll
    static void deploy() throws Exception {
        chain = TestChain.start(5, accounts -> Parameters.devDefaults()
                .withRoundLength(50)
                .withNumActiveTranscoders(2)
                .withPeriods(2, 2, 2)
                .withInitialMints(TestChain.mints(accounts, BigInteger.valueOf(10_000))));
        t1 = chain.accounts.get(0);
        t2 = chain.accounts.get(1);
        sender = chain.accounts.get(2);
        delegator = chain.accounts.get(3);
        outsider = chain.accounts.get(4);
        chain.nextRound();
        // t1 keeps all its fees; t2 shares half of them with its delegator (3000 of its 4000 stake).
        bond(t1, 1000, t1);
        send(() -> chain.bonding(t1).transcoder(BigInteger.ZERO, BigInteger.ZERO).send());
        bond(t2, 1000, t2);
        send(() -> chain.bonding(t2).transcoder(BigInteger.ZERO, BigInteger.valueOf(500_000)).send());
        bond(delegator, 3000, t2);
        chain.nextRound();
    }

    private static void bond(Credentials who, long amount, Credentials to) {
        send(() -> chain.token(who).approve(chain.deployment.bondingManager(), BigInteger.valueOf(amount)).send());
        send(() -> chain.bonding(who).bond(BigInteger.valueOf(amount), to.getAddress()).send());
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

    private TicketBroker broker(Credentials who) {
        return chain.broker(who);
    }

    private void fund(Credentials who, long deposit, long reserve) {
        send(() -> broker(who).fundDepositAndReserve(BigInteger.valueOf(deposit), BigInteger.valueOf(reserve),
                BigInteger.valueOf(deposit + reserve)).send());
    }

    private byte[] currentAux() throws Exception {
        long round = chain.currentRound();
        byte[] hash = chain.rounds(chain.deployer).blockHashForRound(BigInteger.valueOf(round)).send();
        return Tickets.auxData(round, hash);
    }

    private Tickets.Signed winning(Credentials recipient, long faceValue) throws Exception {
        return Tickets.ticket(sender, recipient.getAddress(), BigInteger.valueOf(faceValue), Tickets.ALWAYS_WINS,
                ++nonce, BigInteger.valueOf(1000 + nonce), currentAux());
    }

    private TransactionReceipt redeem(Credentials by, Tickets.Signed t) {
        return send(() -> broker(by).redeemWinningTicket(t.ticket(), t.sig(), t.recipientRand()).send());
    }

    private String redeemRevert(Tickets.Signed t) {
        return chain.revertReason(t1, chain.deployment.ticketBroker(),
                TicketBroker.getABI_redeemWinningTicket(t.ticket(), t.sig(), t.recipientRand()));
    }

    private BigInteger pendingFees(Credentials who) throws Exception {
        return chain.bonding(chain.deployer).pendingFees(who.getAddress(), BigInteger.ZERO).send();
    }

    private static BigInteger transferred(TransactionReceipt receipt) {
        return TicketBroker.getWinningTicketTransferEvents(receipt).stream()
                .map(e -> e.amount).reduce(BigInteger.ZERO, BigInteger::add);
    }

    @Test
    void ticketHashMatchesPaymentsKnownAnswersAndTheContract() throws Exception {
        String zero = "0x0000000000000000000000000000000000000000";
        byte[] zeroHash = new byte[32];
        byte[] big = Tickets.hash(zero, zero, BigInteger.ZERO, BigInteger.ZERO, BigInteger.valueOf(4294967295L),
                zeroHash, new byte[0]);
        byte[] one = Tickets.hash(zero, zero, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ONE, zeroHash, new byte[0]);
        assertThat(Numeric.toHexStringNoPrefix(big))
                .isEqualTo("e1393fc7f6de093780674022f96cb8e3872235167d037c04d554e58c0e63d280");
        assertThat(Numeric.toHexStringNoPrefix(one))
                .isEqualTo("ce0918ba94518293e9712effbe5fca4f1f431089833a5b8c257cb1e024595f68");
        TicketBroker broker = broker(chain.deployer);
        assertThat(broker.getTicketHash(new TicketBroker.Ticket(zero, zero, BigInteger.ZERO, BigInteger.ZERO,
                BigInteger.valueOf(4294967295L), zeroHash, new byte[0])).send()).isEqualTo(big);
        Tickets.Signed signed = winning(t1, 1234);
        TicketBroker.Ticket t = signed.ticket();
        assertThat(broker.getTicketHash(t).send()).isEqualTo(Tickets.hash(t.recipient, t.sender, t.faceValue,
                t.winProb, t.senderNonce, t.recipientRandHash, t.auxData));
    }

    @Test
    void depositExamplePaysWhatTheDepositHoldsWhenThereIsNoReserve() throws Exception {
        fund(sender, 500, 0);
        TransactionReceipt receipt = redeem(t1, winning(t1, 1000));

        assertThat(transferred(receipt)).isEqualTo(BigInteger.valueOf(500));
        var redeemed = TicketBroker.getWinningTicketRedeemedEvents(receipt).get(0);
        assertThat(redeemed.faceValue).isEqualTo(BigInteger.valueOf(1000));
        assertThat(broker(sender).getSenderInfo(sender.getAddress()).send().component1().deposit).isZero();
        assertThat(pendingFees(t1)).isEqualTo(BigInteger.valueOf(500));

        // The fees sit in the Minter until the transcoder withdraws them.
        BigInteger minterBefore = chain.web3j.ethGetBalance(chain.deployment.minter(),
                DefaultBlockParameterName.LATEST).send().getBalance();
        send(() -> chain.bonding(t1).withdrawFees(outsider.getAddress(), BigInteger.valueOf(500)).send());
        assertThat(chain.web3j.ethGetBalance(chain.deployment.minter(), DefaultBlockParameterName.LATEST).send()
                .getBalance()).isEqualTo(minterBefore.subtract(BigInteger.valueOf(500)));
        assertThat(pendingFees(t1)).isZero();
        chain.assertReverts(t1, chain.deployment.bondingManager(),
                BondingManager.getABI_withdrawFees(t1.getAddress(), BigInteger.ONE), "insufficient fees to withdraw");
    }

    @Test
    void feesAreSharedWithDelegatorsByFeeShareOnRoundStake() throws Exception {
        fund(sender, 1000, 0);
        redeem(t2, winning(t2, 1000));
        // feeShare 50%: 500 to delegators pro rata of the 4000 round stake; t2 keeps 500 plus its own 1000/4000.
        BigInteger feeFactor = new BigInteger("1000000000000000000000000000").multiply(BigInteger.valueOf(500))
                .divide(BigInteger.valueOf(4000));
        BigInteger delegatorFees = BigInteger.valueOf(3000).multiply(feeFactor)
                .divide(new BigInteger("1000000000000000000000000000"));
        BigInteger transcoderFees = BigInteger.valueOf(500).add(BigInteger.valueOf(1000).multiply(feeFactor)
                .divide(new BigInteger("1000000000000000000000000000")));
        assertThat(delegatorFees).isEqualTo(BigInteger.valueOf(375));
        assertThat(pendingFees(delegator)).isEqualTo(delegatorFees);
        assertThat(pendingFees(t2)).isEqualTo(transcoderFees).isEqualTo(BigInteger.valueOf(625));
    }

    @Test
    void reserveIsSplitEquallyBetweenActiveTranscodersEachRound() throws Exception {
        fund(sender, 0, 1000);
        String brokerAddress = chain.deployment.ticketBroker();
        assertThat(broker(t1).claimableReserve(sender.getAddress(), t1.getAddress()).send())
                .isEqualTo(BigInteger.valueOf(500));
        assertThat(broker(t1).claimableReserve(sender.getAddress(), outsider.getAddress()).send()).isZero();

        TransactionReceipt first = redeem(t1, winning(t1, 800));
        assertThat(transferred(first)).isEqualTo(BigInteger.valueOf(500));
        assertThat(TicketBroker.getReserveClaimedEvents(first).get(0).amount).isEqualTo(BigInteger.valueOf(500));
        // t1 has used its allocation for this round: a second winning ticket pays nothing.
        TransactionReceipt second = redeem(t1, winning(t1, 100));
        assertThat(TicketBroker.getWinningTicketRedeemedEvents(second)).hasSize(1);
        assertThat(transferred(second)).isZero();
        // t2's allocation is untouched: (500 remaining + 500 claimed) / 2 pool members.
        TransactionReceipt third = redeem(t2, winning(t2, 300));
        assertThat(transferred(third)).isEqualTo(BigInteger.valueOf(300));
        assertThat(broker(t2).claimableReserve(sender.getAddress(), t2.getAddress()).send())
                .isEqualTo(BigInteger.valueOf(200));
        // Someone outside the active set gets nothing from a reserve.
        TransactionReceipt outside = redeem(outsider, winning(outsider, 100));
        assertThat(transferred(outside)).isZero();
        var info = broker(t1).getSenderInfo(sender.getAddress()).send();
        assertThat(info.component2().fundsRemaining).isEqualTo(BigInteger.valueOf(200));
        assertThat(info.component2().claimedInCurrentRound).isEqualTo(BigInteger.valueOf(800));

        // A new round splits what is left.
        chain.nextRound();
        assertThat(broker(t1).claimableReserve(sender.getAddress(), t1.getAddress()).send())
                .isEqualTo(BigInteger.valueOf(100));
        TransactionReceipt fourth = redeem(t1, winning(t1, 1000));
        assertThat(transferred(fourth)).isEqualTo(BigInteger.valueOf(100));
        assertThat(chain.revertReason(sender, brokerAddress, TicketBroker.getABI_withdraw())).isEqualTo("account is locked");
    }

    @Test
    void unlockLetsTheSenderWithdrawOnlyAfterTheUnlockPeriodAndStopsRedemptionThen() throws Exception {
        String brokerAddress = chain.deployment.ticketBroker();
        fund(sender, 100, 100);
        chain.assertReverts(sender, brokerAddress, TicketBroker.getABI_withdraw(), "account is locked");
        TransactionReceipt unlock = send(() -> broker(sender).unlock().send());
        long round = chain.currentRound();
        var event = TicketBroker.getUnlockEvents(unlock).get(0);
        assertThat(event.startRound).isEqualTo(BigInteger.valueOf(round));
        assertThat(event.endRound).isEqualTo(BigInteger.valueOf(round + 2));
        assertThat(broker(sender).isUnlockInProgress(sender.getAddress()).send()).isTrue();
        chain.assertReverts(sender, brokerAddress, TicketBroker.getABI_unlock(), "unlock already initiated");
        // While the unlock runs, tickets are still good.
        assertThat(transferred(redeem(t1, winning(t1, 10)))).isEqualTo(BigInteger.TEN);

        send(() -> broker(sender).cancelUnlock().send());
        assertThat(broker(sender).isUnlockInProgress(sender.getAddress()).send()).isFalse();
        chain.assertReverts(sender, brokerAddress, TicketBroker.getABI_cancelUnlock(), "no unlock request in progress");

        send(() -> broker(sender).unlock().send());
        chain.nextRound();
        chain.assertReverts(sender, brokerAddress, TicketBroker.getABI_withdraw(), "account is locked");
        chain.nextRound();
        assertThat(redeemRevert(winning(t1, 10))).isEqualTo("sender is unlocked");
        TransactionReceipt withdrawal = send(() -> broker(sender).withdraw().send());
        var w = TicketBroker.getWithdrawalEvents(withdrawal).get(0);
        assertThat(w.deposit).isEqualTo(BigInteger.valueOf(90));
        assertThat(w.reserve).isEqualTo(BigInteger.valueOf(100));
        chain.assertReverts(sender, brokerAddress, TicketBroker.getABI_withdraw(), "sender deposit and reserve are zero");
    }

    @Test
    void redemptionChecksRevertInTheSpecifiedOrder() throws Exception {
        fund(sender, 1000, 0);
        long round = chain.currentRound();
        byte[] blockHash = chain.rounds(chain.deployer).blockHashForRound(BigInteger.valueOf(round)).send();
        byte[] aux = Tickets.auxData(round, blockHash);
        String zero = "0x0000000000000000000000000000000000000000";
        BigInteger face = BigInteger.TEN;
        BigInteger rand = BigInteger.valueOf(77);

        assertThat(redeemRevert(Tickets.ticket(sender, sender.getAddress(), zero, face, Tickets.ALWAYS_WINS, 1, rand,
                aux))).isEqualTo("ticket recipient is null address");
        assertThat(redeemRevert(Tickets.ticket(sender, zero, t1.getAddress(), face, Tickets.ALWAYS_WINS, 1, rand,
                aux))).isEqualTo("ticket sender is null address");
        assertThat(redeemRevert(Tickets.ticket(sender, t1.getAddress(), face, Tickets.ALWAYS_WINS, 1, rand,
                java.util.Arrays.copyOf(aux, 63)))).isEqualTo("invalid length for ticket auxData: must be 64 bytes");
        assertThat(redeemRevert(Tickets.ticket(sender, t1.getAddress(), face, Tickets.ALWAYS_WINS, 1, rand,
                Tickets.auxData(round + 5, blockHash)))).isEqualTo("ticket creationRound does not have a block hash");
        assertThat(redeemRevert(Tickets.ticket(sender, t1.getAddress(), face, Tickets.ALWAYS_WINS, 1, rand,
                Tickets.auxData(round, new byte[32]))))
                .isEqualTo("ticket creationRoundBlockHash invalid for creationRound");
        Tickets.Signed good = Tickets.ticket(sender, t1.getAddress(), face, Tickets.ALWAYS_WINS, 1, rand, aux);
        assertThat(redeemRevert(new Tickets.Signed(good.ticket(), good.sig(), BigInteger.valueOf(78))))
                .isEqualTo("recipientRand does not match recipientRandHash");
        assertThat(redeemRevert(Tickets.ticket(outsider, sender.getAddress(), t1.getAddress(), face,
                Tickets.ALWAYS_WINS, 1, rand, aux))).isEqualTo("invalid signature over ticket hash");
        assertThat(redeemRevert(Tickets.ticket(sender, t1.getAddress(), face, BigInteger.ZERO, 1, rand, aux)))
                .isEqualTo("ticket did not win");
        assertThat(redeemRevert(Tickets.ticket(outsider, t1.getAddress(), face, Tickets.ALWAYS_WINS, 1, rand, aux)))
                .isEqualTo("sender deposit and reserve are zero");
        assertThat(redeemRevert(good)).isEmpty();
        redeem(t1, good);
        assertThat(redeemRevert(good)).isEqualTo("ticket is used");

        chain.assertRevertsWithValue(sender, chain.deployment.ticketBroker(),
                TicketBroker.getABI_fundDepositAndReserve(BigInteger.ONE, BigInteger.ONE, BigInteger.valueOf(3)),
                BigInteger.valueOf(3),
                "msg.value does not equal sum of deposit amount and reserve amount");

        // Two rounds later the ticket of this round is expired; a round without initialization refuses all.
        chain.nextRound();
        Tickets.Signed later = Tickets.ticket(sender, t1.getAddress(), face, Tickets.ALWAYS_WINS, 2, rand, aux);
        assertThat(redeemRevert(later)).isEmpty();
        chain.nextRound();
        assertThat(redeemRevert(later)).isEqualTo("ticket is expired");
        chain.mineToRound(chain.currentRound() + 1);
        assertThat(redeemRevert(later)).isEqualTo("current round is not initialized");
        send(() -> chain.controller(chain.deployer).pause().send());
        assertThat(redeemRevert(later)).isEqualTo("system is paused");
    }

    @Test
    void batchRedemptionSkipsTicketsThatFail() throws Exception {
        fund(sender, 1000, 0);
        Tickets.Signed a = winning(t1, 100);
        Tickets.Signed b = winning(t1, 200);
        Tickets.Signed lost = Tickets.ticket(sender, t1.getAddress(), BigInteger.valueOf(300), BigInteger.ZERO, 99,
                BigInteger.ONE, currentAux());
        TransactionReceipt receipt = send(() -> broker(t1).batchRedeemWinningTickets(
                List.of(a.ticket(), a.ticket(), lost.ticket(), b.ticket()),
                List.of(a.sig(), a.sig(), lost.sig(), b.sig()),
                List.of(a.recipientRand(), a.recipientRand(), lost.recipientRand(), b.recipientRand())).send());
        assertThat(TicketBroker.getWinningTicketRedeemedEvents(receipt)).hasSize(2);
        assertThat(transferred(receipt)).isEqualTo(BigInteger.valueOf(300));
        assertThat(pendingFees(t1)).isEqualTo(BigInteger.valueOf(300));
    }
}
