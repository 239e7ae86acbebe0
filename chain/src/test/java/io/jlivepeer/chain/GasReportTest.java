package io.jlivepeer.chain;

import static io.jlivepeer.chain.TestChain.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Gas used by the protocol's hot paths, read from receipts of a realistic sequence (docs/gas.md).
 * Writes {@code target/gas-report.md}; reproduce with {@code ./mvnw -pl chain -am verify -Dtest=GasReportTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class GasReportTest {
    private static TestChain chain;

    @BeforeAll
    static void deploy() {
        chain = TestChain.start(5, accounts -> Parameters.devDefaults()
                .withRoundLength(50)
                .withInitialMints(TestChain.mints(accounts, BigInteger.valueOf(10).pow(24))));
        chain.nextRound();
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    @Test
    void hotPathsStayWithinTheirGasBudget() throws IOException {
        Credentials t = chain.accounts.get(0);
        Credentials d = chain.accounts.get(1);
        Credentials d2 = chain.accounts.get(2);
        Credentials b = chain.accounts.get(3);
        BigInteger stake = BigInteger.TEN.pow(21);
        Map<String, Long> gas = new LinkedHashMap<>();

        approve(t, stake);
        gas.put("bond (transcoder self-bond, joins the pool)",
                used(send(() -> chain.bonding(t).bond(stake, t.getAddress()).send())));
        gas.put("transcoder (set rewardCut/feeShare)", used(send(() -> chain.bonding(t)
                .transcoder(BigInteger.valueOf(100_000), BigInteger.valueOf(500_000)).send())));
        approve(d, stake.multiply(BigInteger.TWO));
        approve(d2, stake);

        chain.mineToRound(chain.currentRound() + 1);
        gas.put("initializeRound", used(send(() -> chain.rounds(b).initializeRound().send())));
        gas.put("reward (first)", used(send(() -> chain.bonding(t).reward().send())));
        gas.put("bond (new delegator to an active transcoder)",
                used(send(() -> chain.bonding(d).bond(stake, t.getAddress()).send())));
        send(() -> chain.bonding(d2).bond(stake, t.getAddress()).send());

        send(() -> chain.broker(b).fundDepositAndReserve(BigInteger.TEN.pow(18), BigInteger.TEN.pow(18),
                BigInteger.TEN.pow(18).multiply(BigInteger.TWO)).send());
        long round = chain.currentRound();
        byte[] aux = Tickets.auxData(round, TestChain.call(() ->
                chain.rounds(b).blockHashForRound(BigInteger.valueOf(round)).send()));
        Tickets.Signed first = Tickets.ticket(b, t.getAddress(), BigInteger.TEN.pow(15), Tickets.ALWAYS_WINS, 1,
                BigInteger.valueOf(42), aux);
        gas.put("redeemWinningTicket (first in the round)", used(send(() -> chain.broker(t)
                .redeemWinningTicket(first.ticket(), first.sig(), first.recipientRand()).send())));
        Tickets.Signed second = Tickets.ticket(b, t.getAddress(), BigInteger.TEN.pow(15), Tickets.ALWAYS_WINS, 2,
                BigInteger.valueOf(43), aux);
        gas.put("redeemWinningTicket (later in the round)", used(send(() -> chain.broker(t)
                .redeemWinningTicket(second.ticket(), second.sig(), second.recipientRand()).send())));

        // A sender whose deposit cannot cover the face value: the rest comes from its reserve, the costlier path
        // that the reference node's redemption gas estimate was raised for (docs/benchmarks.md, P4).
        Credentials b2 = chain.accounts.get(4);
        BigInteger smallDeposit = BigInteger.TEN.pow(14);
        send(() -> chain.broker(b2).fundDepositAndReserve(smallDeposit, BigInteger.TEN.pow(18),
                smallDeposit.add(BigInteger.TEN.pow(18))).send());
        Tickets.Signed fromReserve = Tickets.ticket(b2, t.getAddress(), BigInteger.TEN.pow(15), Tickets.ALWAYS_WINS, 1,
                BigInteger.valueOf(44), aux);
        gas.put("redeemWinningTicket (deposit short, rest claimed from the reserve)", used(send(() -> chain.broker(t)
                .redeemWinningTicket(fromReserve.ticket(), fromReserve.sig(), fromReserve.recipientRand()).send())));

        chain.mineToRound(chain.currentRound() + 1);
        gas.put("initializeRound (with active stake)", used(send(() -> chain.rounds(b).initializeRound().send())));
        gas.put("reward (transcoder with delegators)", used(send(() -> chain.bonding(t).reward().send())));
        gas.put("claimEarnings (delegator, one reward round)",
                used(send(() -> chain.bonding(d).claimEarnings(BigInteger.ZERO).send())));
        gas.put("bond (existing delegator adds stake)",
                used(send(() -> chain.bonding(d).bond(stake, t.getAddress()).send())));
        gas.put("unbond (partial)", used(send(() -> chain.bonding(d2).unbond(stake.divide(BigInteger.TWO)).send())));

        // A proven fault (two renditions) against the transcoder, reported by a delegator, sent through the
        // generated wrapper: slashes 50% of its self-bond and removes it from the pool.
        Credentials verifier = TestChain.account("verifier");
        send(() -> chain.verifier(chain.deployer).setVerifier(verifier.getAddress(), true).send());
        ProtocolClient.FaultProof f = FaultProofs.proof(FaultProofs.key(b), FaultProofs.key(t),
                FaultProofs.key(verifier), 7, 1, 12_000);
        gas.put("submitFault (proven fault, slashes and leaves the pool)", used(send(() -> chain.verifier(d)
                .submitFault(f.manifestId(), BigInteger.valueOf(f.seq()), f.segmentHash().toBytes(), f.profileIds(),
                        f.broadcasterSig(), f.renditionHashes().stream().map(io.jlivepeer.payments.Bytes32::toBytes)
                                .toList(), f.transcoder().hex(), f.transcoderSig(),
                        BigInteger.valueOf(f.renditionIndex()), BigInteger.valueOf(f.verdictSeq()),
                        BigInteger.valueOf(f.score()), f.verdictSig()).send())));

        StringBuilder report = new StringBuilder("| operation | gas used |\n|---|---:|\n");
        gas.forEach((op, used) -> report.append("| ").append(op).append(" | ").append(used).append(" |\n"));
        Path out = Path.of("target", "gas-report.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println("Gas report (" + out.toAbsolutePath() + "):\n" + report);

        // Budgets well under the block limit and in line with what the reference contracts spend.
        assertThat(gas.get("bond (new delegator to an active transcoder)")).isBetween(50_000L, 300_000L);
        assertThat(gas.get("reward (transcoder with delegators)")).isBetween(50_000L, 300_000L);
        assertThat(gas.get("redeemWinningTicket (first in the round)")).isBetween(50_000L, 250_000L);
        assertThat(gas.get("redeemWinningTicket (deposit short, rest claimed from the reserve)"))
                .isBetween(50_000L, 350_000L);
        assertThat(gas.get("initializeRound (with active stake)")).isBetween(30_000L, 200_000L);
        assertThat(gas.get("claimEarnings (delegator, one reward round)")).isBetween(20_000L, 150_000L);
        assertThat(gas.get("submitFault (proven fault, slashes and leaves the pool)")).isBetween(50_000L, 400_000L);
    }

    private static void approve(Credentials who, BigInteger amount) {
        send(() -> chain.token(who).approve(chain.deployment.bondingManager(), amount).send());
    }

    private static long used(TransactionReceipt receipt) {
        return receipt.getGasUsed().longValueExact();
    }
}
