package io.jlivepeer.chain;

import static io.jlivepeer.chain.TestChain.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import io.jlivepeer.chain.contracts.BondingManager;
import io.jlivepeer.chain.contracts.LivepeerToken;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** Staking scenarios on a real EVM: protocol.md BondingManager examples and rules. */
class BondingManagerTest {
    static final BigInteger ONE_27 = BigInteger.TEN.pow(27);
    static final BigInteger EACH = BigInteger.valueOf(10_000);
    // Every transaction mines a block: rounds must be long enough for a scenario's transactions.
    static final long ROUND_LENGTH = 50;
    static final String ZERO = "0x0000000000000000000000000000000000000000";

    private static TestChain chain;
    private String snapshot;

    @BeforeAll
    static void deploy() {
        // 6 accounts x 10000 LPT = 60000; inflation 1/60 of the supply per round, constant (change 0), so
        // a lone transcoder with 1000 of 1000 active stake mints exactly 1000 in the first reward round.
        chain = TestChain.start(6, accounts -> Parameters.devDefaults()
                .withRoundLength(ROUND_LENGTH)
                .withNumActiveTranscoders(2)
                .withPeriods(2, 2, 2)
                .withInflation(BigInteger.valueOf(16_666_667), BigInteger.ZERO)
                .withInitialMints(TestChain.mints(accounts, EACH)));
        chain.nextRound();
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

    private Credentials acct(int i) {
        return chain.accounts.get(i);
    }

    private BondingManager bm(Credentials who) {
        return chain.bonding(who);
    }

    private void bond(Credentials who, long amount, Credentials to) {
        LivepeerToken token = chain.token(who);
        send(() -> token.approve(chain.deployment.bondingManager(), BigInteger.valueOf(amount)).send());
        send(() -> bm(who).bond(BigInteger.valueOf(amount), to.getAddress()).send());
    }

    private void activate(Credentials t, long stake, long rewardCut, long feeShare) {
        bond(t, stake, t);
        send(() -> bm(t).transcoder(BigInteger.valueOf(rewardCut), BigInteger.valueOf(feeShare)).send());
    }

    private static BigInteger precisePercOf(BigInteger a, BigInteger b, BigInteger c) {
        return a.multiply(b.multiply(ONE_27).divide(c)).divide(ONE_27);
    }

    private static BigInteger percOf(BigInteger a, long ppm) {
        return a.multiply(BigInteger.valueOf(ppm)).divide(BigInteger.valueOf(1_000_000));
    }

    private BigInteger pendingStake(Credentials who) throws Exception {
        return bm(chain.deployer).pendingStake(who.getAddress(), BigInteger.ZERO).send();
    }

    @Test
    void rewardExampleGivesFactorOneAndAHalfAndHalfTheRewardsAsCommission() throws Exception {
        Credentials t = acct(0);
        activate(t, 1000, 500_000, 0);
        long round = chain.nextRound();
        assertThat(chain.minter(chain.deployer).currentMintableTokens().send()).isEqualTo(BigInteger.valueOf(1000));

        TransactionReceipt receipt = send(() -> bm(t).reward().send());

        assertThat(BondingManager.getRewardEvents(receipt).get(0).amount).isEqualTo(BigInteger.valueOf(1000));
        var pool = bm(t).getTranscoderEarningsPoolForRound(t.getAddress(), BigInteger.valueOf(round)).send();
        assertThat(pool.component4()).isEqualTo(new BigInteger("1500000000000000000000000000"));
        assertThat(bm(t).transcoderTotalStake(t.getAddress()).send()).isEqualTo(BigInteger.valueOf(2000));
        assertThat(bm(t).getDelegator(t.getAddress()).send().component4()).isEqualTo(BigInteger.valueOf(2000));
        assertThat(bm(t).getTranscoder(t.getAddress()).send().component8()).isEqualTo(BigInteger.valueOf(500));
        assertThat(pendingStake(t)).isEqualTo(BigInteger.valueOf(2000));
    }

    @Test
    void rewardsSplitBetweenTranscoderAndDelegatorsOverSeveralRounds() throws Exception {
        Credentials t = acct(0);
        Credentials d1 = acct(1);
        Credentials d2 = acct(2);
        long rewardCut = 250_000;
        activate(t, 1000, rewardCut, 0);
        bond(d1, 3000, t);

        // Independent model of the transcoder's books (protocol.md "reward" and "Delegator earnings").
        BigInteger crf = ONE_27;
        BigInteger crfWhenD2Joined = null;
        BigInteger cumulativeRewards = BigInteger.ZERO;
        BigInteger stake = BigInteger.valueOf(4000);
        for (int i = 0; i < 3; i++) {
            chain.nextRound();
            BigInteger mintable = chain.minter(chain.deployer).currentMintableTokens().send();
            BigInteger roundStake = stake;
            TransactionReceipt receipt = send(() -> bm(t).reward().send());
            BigInteger rewards = BondingManager.getRewardEvents(receipt).get(0).amount;
            assertThat(rewards).as("lone transcoder mints everything").isEqualTo(mintable);
            BigInteger commission = percOf(rewards, rewardCut);
            BigInteger delegators = rewards.subtract(commission);
            crf = crf.add(precisePercOf(crf, delegators, roundStake));
            cumulativeRewards = cumulativeRewards.add(commission)
                    .add(precisePercOf(delegators, cumulativeRewards, roundStake));
            stake = stake.add(rewards);
            if (i == 0) {
                // D2 joins after the first reward: it earns from the next round on.
                bond(d2, 1000, t);
                stake = stake.add(BigInteger.valueOf(1000));
                crfWhenD2Joined = crf;
            }
        }

        BigInteger expectedD1 = precisePercOf(BigInteger.valueOf(3000), crf, ONE_27);
        BigInteger expectedD2 = precisePercOf(BigInteger.valueOf(1000), crf, crfWhenD2Joined);
        BigInteger expectedT = precisePercOf(BigInteger.valueOf(1000), crf, ONE_27).add(cumulativeRewards);
        assertThat(pendingStake(d1)).isEqualTo(expectedD1);
        assertThat(pendingStake(d2)).isEqualTo(expectedD2);
        assertThat(pendingStake(t)).isEqualTo(expectedT);
        assertThat(expectedD1).isGreaterThan(BigInteger.valueOf(3000));
        // Nothing is created out of thin air: the claims never exceed the stake, and floors lose only dust.
        BigInteger total = bm(t).transcoderTotalStake(t.getAddress()).send();
        assertThat(total).isEqualTo(stake);
        assertThat(expectedD1.add(expectedD2).add(expectedT)).isLessThanOrEqualTo(total)
                .isGreaterThan(total.subtract(BigInteger.TEN));

        // Claiming moves the pending stake into the bond.
        TransactionReceipt claim = send(() -> bm(d1).claimEarnings(BigInteger.ZERO).send());
        assertThat(BondingManager.getEarningsClaimedEvents(claim).get(0).rewards)
                .isEqualTo(expectedD1.subtract(BigInteger.valueOf(3000)));
        assertThat(bm(d1).getDelegator(d1.getAddress()).send().component1()).isEqualTo(expectedD1);
        assertThat(pendingStake(d1)).isEqualTo(expectedD1);
    }

    @Test
    void newcomerEntersFullPoolOnlyWithStrictlyMoreStakeAndEvictsTheLowest() throws Exception {
        Credentials t1 = acct(0);
        Credentials t2 = acct(1);
        Credentials t3 = acct(2);
        activate(t1, 2000, 0, 0);
        activate(t2, 1000, 0, 0);
        long round = chain.nextRound();
        assertThat(bm(t1).getTranscoderPoolSize().send()).isEqualTo(BigInteger.TWO);

        // Equal stake is not enough.
        activate(t3, 1000, 0, 0);
        assertThat(bm(t1).getTranscoderPoolSize().send()).isEqualTo(BigInteger.TWO);
        assertThat(poolOrder()).containsExactly(t1.getAddress(), t2.getAddress());

        // One more wei of stake is.
        TransactionReceipt receipt;
        LivepeerToken token = chain.token(t3);
        send(() -> token.approve(chain.deployment.bondingManager(), BigInteger.ONE).send());
        receipt = send(() -> bm(t3).bond(BigInteger.ONE, t3.getAddress()).send());
        var deactivated = BondingManager.getTranscoderDeactivatedEvents(receipt);
        assertThat(deactivated).hasSize(1);
        assertThat(deactivated.get(0).transcoder).isEqualTo(t2.getAddress());
        assertThat(deactivated.get(0).deactivationRound).isEqualTo(BigInteger.valueOf(round + 1));
        assertThat(BondingManager.getTranscoderActivatedEvents(receipt).get(0).activationRound)
                .isEqualTo(BigInteger.valueOf(round + 1));
        assertThat(poolOrder()).containsExactly(t1.getAddress(), t3.getAddress());
        // Pool changes take effect next round: t2 is still active now, t3 not yet.
        assertThat(bm(t1).isActiveTranscoder(t2.getAddress()).send()).isTrue();
        assertThat(bm(t1).isActiveTranscoder(t3.getAddress()).send()).isFalse();

        chain.nextRound();
        assertThat(bm(t1).isActiveTranscoder(t2.getAddress()).send()).isFalse();
        assertThat(bm(t1).isActiveTranscoder(t3.getAddress()).send()).isTrue();
        assertThat(bm(t1).getTotalBonded().send()).isEqualTo(BigInteger.valueOf(3001));
        chain.assertReverts(t2, chain.deployment.bondingManager(), BondingManager.getABI_reward(),
                "caller must be an active transcoder");
    }

    private List<String> poolOrder() throws Exception {
        List<String> order = new java.util.ArrayList<>();
        String next = bm(chain.deployer).getFirstTranscoderInPool().send();
        while (!next.equals(ZERO)) {
            order.add(next);
            next = bm(chain.deployer).getNextTranscoderInPool(next).send();
        }
        return order;
    }

    @Test
    void unbondRebondAndWithdrawFollowTheUnbondingPeriod() throws Exception {
        Credentials t = acct(0);
        Credentials d = acct(1);
        activate(t, 1000, 0, 0);
        bond(d, 1000, t);
        String bmAddress = chain.deployment.bondingManager();
        // A pending delegator (bonded this round) cannot unbond yet.
        chain.assertReverts(d, bmAddress, BondingManager.getABI_unbond(BigInteger.ONE), "caller must be bonded");
        chain.nextRound();
        chain.assertReverts(d, bmAddress, BondingManager.getABI_unbond(BigInteger.ZERO),
                "unbond amount must be greater than 0");
        chain.assertReverts(d, bmAddress, BondingManager.getABI_unbond(BigInteger.valueOf(1001)),
                "amount is greater than bonded amount");

        send(() -> bm(d).unbond(BigInteger.valueOf(400)).send());
        chain.assertReverts(d, bmAddress, BondingManager.getABI_withdrawStake(BigInteger.ZERO),
                "withdraw round must be before or equal to the current round");
        // Rebond puts the lock back into the bond and consumes it.
        send(() -> bm(d).rebond(BigInteger.ZERO).send());
        assertThat(bm(d).getDelegator(d.getAddress()).send().component1()).isEqualTo(BigInteger.valueOf(1000));
        assertThat(bm(d).isValidUnbondingLock(d.getAddress(), BigInteger.ZERO).send()).isFalse();
        chain.assertReverts(d, bmAddress, BondingManager.getABI_rebond(BigInteger.ZERO), "invalid unbonding lock ID");

        // A full unbond leaves the delegator unbonded: only rebondFromUnbonded brings the lock back.
        send(() -> bm(d).unbond(BigInteger.valueOf(1000)).send());
        assertThat(bm(d).delegatorStatus(d.getAddress()).send()).isEqualTo(BigInteger.TWO);
        chain.assertReverts(d, bmAddress, BondingManager.getABI_rebond(BigInteger.ONE), "caller must be bonded");
        send(() -> bm(d).rebondFromUnbonded(t.getAddress(), BigInteger.ONE).send());
        assertThat(bm(d).delegatorStatus(d.getAddress()).send()).isEqualTo(BigInteger.ZERO);
        chain.assertReverts(d, bmAddress, BondingManager.getABI_rebondFromUnbonded(t.getAddress(), BigInteger.TWO),
                "caller must be unbonded");

        chain.nextRound();
        TransactionReceipt unbond = send(() -> bm(d).unbond(BigInteger.valueOf(300)).send());
        long withdrawRound = BondingManager.getUnbondEvents(unbond).get(0).withdrawRound.longValueExact();
        assertThat(withdrawRound).isEqualTo(chain.currentRound() + 2);
        chain.nextRound();
        chain.assertReverts(d, bmAddress, BondingManager.getABI_withdrawStake(BigInteger.TWO),
                "withdraw round must be before or equal to the current round");
        chain.nextRound();
        BigInteger before = chain.token(d).balanceOf(d.getAddress()).send();
        TransactionReceipt withdraw = send(() -> bm(d).withdrawStake(BigInteger.TWO).send());
        assertThat(BondingManager.getWithdrawStakeEvents(withdraw).get(0).amount).isEqualTo(BigInteger.valueOf(300));
        assertThat(chain.token(d).balanceOf(d.getAddress()).send()).isEqualTo(before.add(BigInteger.valueOf(300)));
        chain.assertReverts(d, bmAddress, BondingManager.getABI_withdrawStake(BigInteger.TWO),
                "invalid unbonding lock ID");
    }

    @Test
    void transcoderFullUnbondLeavesThePool() throws Exception {
        Credentials t = acct(0);
        activate(t, 1000, 0, 0);
        chain.nextRound();
        TransactionReceipt receipt = send(() -> bm(t).unbond(BigInteger.valueOf(1000)).send());
        assertThat(BondingManager.getTranscoderDeactivatedEvents(receipt)).hasSize(1);
        assertThat(bm(t).getTranscoderPoolSize().send()).isZero();
        assertThat(bm(t).isRegisteredTranscoder(t.getAddress()).send()).isFalse();
        assertThat(bm(t).nextRoundTotalActiveStake().send()).isZero();
    }

    @Test
    void bondRejectsZeroDelegationAndRegisteredTranscodersDelegatingElsewhere() throws Exception {
        Credentials t = acct(0);
        Credentials other = acct(1);
        String bmAddress = chain.deployment.bondingManager();
        chain.assertReverts(other, bmAddress, BondingManager.getABI_bond(BigInteger.ZERO, t.getAddress()),
                "delegation amount must be greater than 0");
        activate(t, 1000, 0, 0);
        chain.assertReverts(t, bmAddress, BondingManager.getABI_bond(BigInteger.ZERO, other.getAddress()),
                "registered transcoders can't delegate towards other addresses");
        // A delegator may move its whole bond with bond(0, newDelegate).
        Credentials t2 = acct(2);
        activate(t2, 500, 0, 0);
        bond(other, 700, t);
        chain.nextRound();
        send(() -> bm(other).bond(BigInteger.ZERO, t2.getAddress()).send());
        assertThat(bm(t).transcoderTotalStake(t.getAddress()).send()).isEqualTo(BigInteger.valueOf(1000));
        assertThat(bm(t).transcoderTotalStake(t2.getAddress()).send()).isEqualTo(BigInteger.valueOf(1200));
        assertThat(poolOrder()).containsExactly(t2.getAddress(), t.getAddress());
    }

    @Test
    void transcoderChecksRevertInTheSpecifiedOrder() throws Exception {
        Credentials t = acct(0);
        Credentials stranger = acct(1);
        String bmAddress = chain.deployment.bondingManager();
        chain.assertReverts(stranger, bmAddress,
                BondingManager.getABI_transcoder(BigInteger.valueOf(1_000_001), BigInteger.ZERO),
                "invalid rewardCut percentage");
        chain.assertReverts(stranger, bmAddress,
                BondingManager.getABI_transcoder(BigInteger.ZERO, BigInteger.valueOf(1_000_001)),
                "invalid feeShare percentage");
        chain.assertReverts(stranger, bmAddress, BondingManager.getABI_transcoder(BigInteger.ZERO, BigInteger.ZERO),
                "transcoder must be registered");
        activate(t, 1000, 0, 0);
        chain.nextRound();
        chain.assertReverts(t, bmAddress, BondingManager.getABI_transcoder(BigInteger.ONE, BigInteger.ONE),
                "caller can't be active or must have already called reward for the current round");
        send(() -> bm(t).reward().send());
        chain.assertReverts(t, bmAddress, BondingManager.getABI_reward(),
                "caller has already called reward for the current round");
        send(() -> bm(t).transcoder(BigInteger.ONE, BigInteger.ONE).send());
        // The last 10% of the round is locked.
        long start = chain.rounds(chain.deployer).currentRoundStartBlock().send().longValueExact();
        chain.mine(start + ROUND_LENGTH * 9 / 10 - chain.blockNumber());
        assertThat(chain.rounds(chain.deployer).currentRoundLocked().send()).isTrue();
        chain.assertReverts(stranger, bmAddress,
                BondingManager.getABI_transcoder(BigInteger.valueOf(1_000_001), BigInteger.ZERO),
                "can't update transcoder params, current round is locked");
    }

    @Test
    void stakingNeedsAnInitializedRoundAndAnUnpausedSystem() throws Exception {
        Credentials d = acct(1);
        String bmAddress = chain.deployment.bondingManager();
        chain.mineToRound(chain.currentRound() + 1);
        chain.assertReverts(d, bmAddress, BondingManager.getABI_bond(BigInteger.ONE, d.getAddress()),
                "current round is not initialized");
        send(() -> chain.controller(chain.deployer).pause().send());
        chain.assertReverts(d, bmAddress, BondingManager.getABI_bond(BigInteger.ONE, d.getAddress()),
                "system is paused");
        chain.assertReverts(d, chain.deployment.roundsManager(),
                io.jlivepeer.chain.contracts.RoundsManager.getABI_initializeRound(), "system is paused");
    }

    @Test
    void slashingExampleBurnsHalfAndPaysTheFinderAndOnlyTheVerifierMaySlash() throws Exception {
        Credentials t = acct(0);
        Credentials finder = acct(1);
        Credentials stranger = acct(2);
        activate(t, 1000, 0, 0);
        chain.nextRound();
        BigInteger supply = chain.token(t).totalSupply().send();
        BigInteger finderBefore = chain.token(t).balanceOf(finder.getAddress()).send();
        String slash = BondingManager.getABI_slashTranscoder(
                t.getAddress(), finder.getAddress(), BigInteger.valueOf(500_000), BigInteger.valueOf(500_000));

        chain.assertReverts(stranger, chain.deployment.bondingManager(), slash, "caller must be Verifier");
        // Not even the Controller's owner, unless it is the contract registered as "Verifier".
        chain.assertReverts(chain.deployer, chain.deployment.bondingManager(), slash, "caller must be Verifier");

        // The Verifier contract slashes only on a fault proof (VerifierTest); to exercise the BondingManager
        // alone, the Controller's owner registers its own account as "Verifier" (undone by the snapshot).
        send(() -> chain.controller(chain.deployer).setContractInfo(ProtocolDeployer.contractId("Verifier"),
                chain.deployer.getAddress(), new byte[20]).send());
        chain.assertReverts(stranger, chain.deployment.bondingManager(), slash, "caller must be Verifier");
        TransactionReceipt receipt = send(() -> bm(chain.deployer).slashTranscoder(t.getAddress(),
                finder.getAddress(), BigInteger.valueOf(500_000), BigInteger.valueOf(500_000)).send());

        var slashed = BondingManager.getTranscoderSlashedEvents(receipt).get(0);
        assertThat(slashed.transcoder).isEqualTo(t.getAddress());
        assertThat(slashed.finder).isEqualTo(finder.getAddress());
        assertThat(slashed.penalty).isEqualTo(BigInteger.valueOf(500));
        assertThat(slashed.finderReward).isEqualTo(BigInteger.valueOf(250));
        assertThat(bm(t).getDelegator(t.getAddress()).send().component1()).isEqualTo(BigInteger.valueOf(500));
        assertThat(chain.token(t).balanceOf(finder.getAddress()).send())
                .isEqualTo(finderBefore.add(BigInteger.valueOf(250)));
        assertThat(chain.token(t).totalSupply().send()).isEqualTo(supply.subtract(BigInteger.valueOf(250)));
        assertThat(bm(t).getTranscoderPoolSize().send()).isZero();
    }

    @Test
    void transferBondMovesStakeToAnotherDelegatorUnderTheSameTranscoder() throws Exception {
        Credentials t = acct(0);
        Credentials from = acct(1);
        Credentials to = acct(2);
        activate(t, 1000, 0, 0);
        bond(from, 1000, t);
        chain.nextRound();
        send(() -> bm(from).transferBond(to.getAddress(), BigInteger.valueOf(400), ZERO, ZERO, ZERO, ZERO).send());
        var receiver = bm(to).getDelegator(to.getAddress()).send();
        assertThat(receiver.component1()).isEqualTo(BigInteger.valueOf(400));
        assertThat(receiver.component3()).isEqualTo(t.getAddress());
        assertThat(bm(from).getDelegator(from.getAddress()).send().component1()).isEqualTo(BigInteger.valueOf(600));
        assertThat(bm(t).transcoderTotalStake(t.getAddress()).send()).isEqualTo(BigInteger.valueOf(2000));
        chain.assertReverts(from, chain.deployment.bondingManager(), BondingManager.getABI_transferBond(
                to.getAddress(), BigInteger.valueOf(601), ZERO, ZERO, ZERO, ZERO), "amount is greater than bonded amount");
    }

    @Test
    void hintsPlaceATranscoderWithoutWalkingThePool() throws Exception {
        Credentials t1 = acct(0);
        Credentials t2 = acct(1);
        activate(t1, 3000, 0, 0);
        send(() -> chain.token(t2).approve(chain.deployment.bondingManager(), BigInteger.valueOf(1000)).send());
        send(() -> bm(t2).bondWithHint(BigInteger.valueOf(1000), t2.getAddress(), ZERO, ZERO, t1.getAddress(), ZERO)
                .send());
        assertThat(poolOrder()).containsExactly(t1.getAddress(), t2.getAddress());
        // A wrong hint is only a missed optimisation: the pool stays sorted.
        send(() -> chain.token(t2).approve(chain.deployment.bondingManager(), BigInteger.valueOf(5000)).send());
        send(() -> bm(t2).bondWithHint(BigInteger.valueOf(5000), t2.getAddress(), ZERO, ZERO, t1.getAddress(), ZERO)
                .send());
        assertThat(poolOrder()).containsExactly(t2.getAddress(), t1.getAddress());
        assertThat(bm(t1).nextRoundTotalActiveStake().send()).isEqualTo(BigInteger.valueOf(9000));
    }
}
