package io.jlivepeer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlivepeer.chain.EthRpc;
import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The staking walk-through of the issue, through the CLI HTTP API of two real nodes on a real dev chain:
 * devchain up; an orchestrator activates (bond + transcoder + service URI); a delegator bonds to it;
 * rounds pass (the orchestrator's node initializes them and calls reward by itself); the delegator's
 * pending stake grows by the amount computed here from the Minter and BondingManager formulas; the
 * delegator unbonds and withdraws after the unbonding period.
 */
class ChainEndToEndTest {
  private static final BigInteger E27 = BigInteger.TEN.pow(27);
  private static final BigInteger E9 = BigInteger.TEN.pow(9);
  private static final long ROUND_LENGTH = 20;
  private static final long UNBONDING_PERIOD = 2;

  @TempDir Path dataDir;

  private final HttpClient http = HttpClient.newHttpClient();

  record Answer(int status, JsonNode body) {}

  private Answer api(ChainNode node, String path, String... nameValues) throws Exception {
    StringBuilder form = new StringBuilder();
    for (int i = 0; i < nameValues.length; i += 2) {
      if (!form.isEmpty()) {
        form.append('&');
      }
      form.append(nameValues[i]).append('=').append(URLEncoder.encode(nameValues[i + 1], StandardCharsets.UTF_8));
    }
    URI base = URI.create("http://127.0.0.1:" + node.apiAddress().getPort() + "/" + path);
    HttpRequest req = ChainApiServer.ENDPOINTS.get(path).equals("GET")
        ? HttpRequest.newBuilder(URI.create(base + (form.isEmpty() ? "" : "?" + form))).GET().build()
        : HttpRequest.newBuilder(base)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), ChainApiServer.JSON.readTree(r.body()));
  }

  private JsonNode ok(ChainNode node, String path, String... nameValues) throws Exception {
    Answer a = api(node, path, nameValues);
    assertThat(a.status()).as("%s -> %s", path, a.body()).isEqualTo(200);
    return a.body();
  }

  /** Waits (bounded) until the node's API shows what we expect; the nodes act on their own threads. */
  private JsonNode await(ChainNode node, String path, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode last = ok(node, path);
    while (!done.test(last)) {
      assertThat(System.nanoTime()).as("waiting for %s; last %s", path, last).isLessThan(deadline);
      Thread.sleep(50);
      last = ok(node, path);
    }
    return last;
  }

  private static void mineToRound(EthRpc rpc, ProtocolClient c, long round) {
    long target = c.currentRoundStartBlock() + (round - c.currentRound()) * ROUND_LENGTH;
    long blocks = target - rpc.blockNumber();
    if (blocks > 0) {
      rpc.call("anvil_mine", "0x" + Long.toHexString(blocks));
    }
    assertThat(c.currentRound()).isEqualTo(round);
  }

  private ChainNode node(DevchainInfo info, int account, boolean roundsAndRewards) {
    ChainOptions o = new ChainOptions();
    new CommandLine(o).parseArgs(
        "-network", "devchain",
        "-datadir", dataDir.toString(),
        "-ethAcctAddr", info.accounts().get(account).address().toString(),
        "-ethPassword", Devchain.KEYSTORE_PASSWORD,
        "-cliAddr", "127.0.0.1:0",
        "-blockPollingInterval", "100ms",
        "-initializeRound=" + roundsAndRewards,
        "-reward=" + roundsAndRewards);
    return ChainNode.start(o);
  }

  @Test
  void orchestratorAndDelegatorStakeEarnRewardsUnbondAndWithdraw() throws Exception {
    Devchain.Config cfg = new Devchain.Config(3, Wei.ofEther("100"), Wei.ofEther("10000"), ROUND_LENGTH, UNBONDING_PERIOD, false);
    try (Devchain dev = Devchain.start(dataDir, cfg);
        ChainNode orch = node(dev.info(), 0, true);
        ChainNode delegator = node(dev.info(), 1, false)) {
      ProtocolClient chain = delegator.client();
      EthRpc rpc = chain.rpc();
      EthAddress o = orch.address();
      EthAddress d = delegator.address();
      assertThat(DevchainInfo.read(DevchainInfo.file(dataDir)).controller()).isEqualTo(chain.contracts().controller());

      // The orchestrator's node initializes the current round by itself (-initializeRound).
      long r0 = await(delegator, "currentRound", j -> j.path("initialized").asBoolean()).path("round").asLong();
      // Start the walk-through at the beginning of a fresh round so that no step falls into the round lock.
      mineToRound(rpc, chain, r0 + 1);
      long n = await(delegator, "currentRound", j -> j.path("initialized").asBoolean()).path("round").asLong();
      assertThat(n).isEqualTo(r0 + 1);

      JsonNode activated = ok(orch, "activateOrchestrator",
          "blockRewardCut", "10", "feeShare", "50", "serviceURI", "https://127.0.0.1:8935", "amount", "1000LPT");
      assertThat(activated.path("transactions")).hasSize(3);
      ok(delegator, "bond", "amount", "500LPT", "toAddr", o.toString());

      // The same through `livepeer cli`, as a person types it.
      String cliAddr = "127.0.0.1:" + delegator.apiAddress().getPort();
      ChainCommandsTest.Run info = ChainCommandsTest.run("cli", "-cliAddr", cliAddr, "transcoderInfo", "addr=" + o);
      assertThat(info.code()).isZero();
      assertThat(ChainApiServer.JSON.readTree(info.out()).path("serviceURI").asText()).isEqualTo("https://127.0.0.1:8935");
      ChainCommandsTest.Run refused = ChainCommandsTest.run("cli", "-cliAddr", cliAddr, "unbond", "amount=1000LPT");
      assertThat(refused.code()).isEqualTo(1);
      assertThat(refused.err().strip()).isEqualTo("error: unbond failed: caller must be bonded");

      JsonNode orchs = ok(delegator, "registeredOrchestrators");
      assertThat(orchs).hasSize(1);
      assertThat(orchs.get(0).path("address").asText()).isEqualTo(o.toString());
      assertThat(orchs.get(0).path("serviceURI").asText()).isEqualTo("https://127.0.0.1:8935");
      assertThat(orchs.get(0).path("rewardCut").asLong()).isEqualTo(100_000);
      assertThat(orchs.get(0).path("feeShare").asLong()).isEqualTo(500_000);
      JsonNode before = ok(delegator, "delegatorInfo");
      assertThat(before.path("status").asText()).isEqualTo("PENDING");
      assertThat(before.path("delegateAddress").asText()).isEqualTo(o.toString());
      assertThat(new BigInteger(before.path("bondedAmount").asText())).isEqualTo(Wei.ofEther("500").value());

      // Inputs of the next round's reward, read before the round begins.
      BigInteger total = Wei.ofEther("1500").value(); // 1000 self-bond + 500 delegated: the whole active set of round n+1
      BigInteger supply = chain.lptTotalSupply().value();
      BigInteger inflation = chain.inflation();
      BigInteger change = chain.inflationChange();
      BigInteger target = chain.targetBondingRate();

      mineToRound(rpc, chain, n + 1);
      await(delegator, "currentRound", j -> j.path("initialized").asBoolean());
      // The orchestrator's node calls reward by itself (-reward) once the round is initialized.
      await(orch, "transcoderInfo", j -> j.path("lastRewardRound").asLong() == n + 1);

      // Minter: inflation moves towards the target bonding rate, then mintable = supply x inflation.
      BigInteger bondingRate = total.multiply(E9).divide(supply);
      BigInteger newInflation = bondingRate.compareTo(target) < 0
          ? inflation.add(change)
          : bondingRate.compareTo(target) > 0 ? inflation.subtract(change).max(BigInteger.ZERO) : inflation;
      BigInteger mintable = supply.multiply(newInflation).divide(E9);
      // The only active orchestrator holds all active stake: its reward is all that is mintable.
      BigInteger reward = mintable.multiply(total.multiply(E9).divide(total)).divide(E9);
      BigInteger delegatorsShare = reward.subtract(reward.multiply(BigInteger.valueOf(100_000)).divide(BigInteger.valueOf(1_000_000)));
      BigInteger crf = E27.add(E27.multiply(delegatorsShare.multiply(E27).divide(total)).divide(E27));
      BigInteger bonded = Wei.ofEther("500").value();
      BigInteger expectedStake = bonded.multiply(crf.multiply(E27).divide(E27)).divide(E27);

      JsonNode after = ok(delegator, "delegatorInfo");
      BigInteger pending = new BigInteger(after.path("pendingStake").asText());
      assertThat(newInflation.signum()).isPositive();
      assertThat(pending).isGreaterThan(bonded).isEqualTo(expectedStake);
      assertThat(after.path("status").asText()).isEqualTo("BONDED");

      // A second reward in the same round is refused with the contract's reason, as a 4xx.
      Answer again = api(orch, "reward");
      assertThat(again.status()).isEqualTo(422);
      assertThat(again.body().path("error").asText()).isEqualTo("reward failed: caller has already called reward for the current round");
      Answer bad = api(delegator, "bond", "amount", "1", "toAddr", "0x1234");
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body().path("error").asText()).startsWith("toAddr: not an Ethereum address");

      // The same account as a broadcaster: deposit and reserve, then unlock (withdrawable after the unlock period).
      ok(delegator, "fundDepositAndReserve", "depositAmount", "0.5ETH", "reserveAmount", "0.25ETH");
      JsonNode funded = ok(delegator, "senderInfo");
      assertThat(funded.path("deposit").asText()).isEqualTo(Wei.ofEther("0.5").toString());
      assertThat(funded.path("reserve").asText()).isEqualTo(Wei.ofEther("0.25").toString());
      Answer locked = api(delegator, "withdraw");
      assertThat(locked.status()).isEqualTo(422);
      assertThat(locked.body().path("error").asText()).isEqualTo("withdraw failed: account is locked");
      ok(delegator, "unlock");
      assertThat(ok(delegator, "senderInfo").path("unlockInProgress").asBoolean()).isTrue();

      // Unbond everything; the stake is withdrawable after the unbonding period.
      Wei lptBefore = chain.lptBalance(d);
      ok(delegator, "unbond", "amount", pending.toString());
      JsonNode locks = ok(delegator, "delegatorInfo").path("unbondingLocks");
      assertThat(locks).hasSize(1);
      long withdrawRound = locks.get(0).path("withdrawRound").asLong();
      assertThat(withdrawRound).isEqualTo(n + 1 + UNBONDING_PERIOD);
      assertThat(new BigInteger(locks.get(0).path("amount").asText())).isEqualTo(pending);
      Answer early = api(delegator, "withdrawStake", "unbondingLockId", "0");
      assertThat(early.status()).isEqualTo(422);
      assertThat(early.body().path("error").asText())
          .isEqualTo("withdrawStake failed: withdraw round must be before or equal to the current round");

      mineToRound(rpc, chain, withdrawRound);
      await(delegator, "currentRound", j -> j.path("initialized").asBoolean());
      ok(delegator, "withdrawStake", "unbondingLockId", "0");
      ok(delegator, "withdraw");
      JsonNode emptied = ok(delegator, "senderInfo");
      assertThat(emptied.path("deposit").asText()).isEqualTo("0");
      assertThat(emptied.path("reserve").asText()).isEqualTo("0");
      assertThat(chain.lptBalance(d).value()).isEqualTo(lptBefore.value().add(pending));
      JsonNode done = ok(delegator, "delegatorInfo");
      assertThat(done.path("status").asText()).isEqualTo("UNBONDED");
      assertThat(done.path("unbondingLocks")).isEmpty();
    }
  }
}
