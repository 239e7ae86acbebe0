package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.chain.ProtocolDeployer.Deployment;
import io.jlivepeer.chain.ProtocolDeployer.Parameters;
import io.jlivepeer.chain.contracts.BondingManager;
import io.jlivepeer.chain.contracts.Controller;
import io.jlivepeer.chain.contracts.Governor;
import io.jlivepeer.chain.contracts.LivepeerToken;
import io.jlivepeer.chain.contracts.Minter;
import io.jlivepeer.chain.contracts.RoundsManager;
import io.jlivepeer.chain.contracts.ServiceRegistry;
import io.jlivepeer.chain.contracts.TicketBroker;
import io.jlivepeer.chain.contracts.Verifier;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.utils.Numeric;

/**
 * A protocol deployed on a fresh anvil, for one test class: accounts with deterministic keys funded with
 * ETH, wrappers bound to any account, block mining, round control, EVM snapshots between tests and exact
 * revert reasons read through eth_call.
 */
final class TestChain implements AutoCloseable {
    static final BigInteger ETHER = BigInteger.TEN.pow(18);

    final Anvil anvil;
    final Web3j web3j;
    final HttpService service;
    final Credentials deployer;
    final List<Credentials> accounts;
    final Deployment deployment;
    final Parameters parameters;
    private final ContractGasProvider gas;

    private TestChain(Anvil anvil, HttpService service, Web3j web3j, Credentials deployer,
            List<Credentials> accounts, Deployment deployment, Parameters parameters, ContractGasProvider gas) {
        this.anvil = anvil;
        this.service = service;
        this.web3j = web3j;
        this.deployer = deployer;
        this.accounts = accounts;
        this.deployment = deployment;
        this.parameters = parameters;
        this.gas = gas;
    }

    /** Starts anvil, funds {@code accountCount} test accounts and deploys with {@code parameters}. */
    static TestChain start(int accountCount, java.util.function.Function<List<Credentials>, Parameters> parameters) {
        Anvil anvil = Anvil.start(AnvilConfig.defaults());
        try {
            HttpService service = new HttpService(anvil.rpcUrl());
            Web3j web3j = Web3j.build(service);
            Credentials deployer = account("deployer");
            List<Credentials> accounts = IntStream.range(0, accountCount)
                    .mapToObj(i -> account("account-" + i))
                    .toList();
            fund(service, deployer);
            for (Credentials a : accounts) {
                fund(service, a);
            }
            Parameters p = parameters.apply(accounts);
            Deployment deployment = ProtocolDeployer.deploy(web3j, deployer, anvil.chainId(), p);
            return new TestChain(anvil, service, web3j, deployer, accounts, deployment, p,
                    ProtocolDeployer.gasProvider(web3j));
        } catch (RuntimeException e) {
            anvil.close();
            throw e;
        }
    }

    static Credentials account(String name) {
        byte[] seed = Hash.sha256(("jlivepeer-test-" + name).getBytes(StandardCharsets.UTF_8));
        return Credentials.create(ECKeyPair.create(new BigInteger(1, seed)));
    }

    private static void fund(HttpService service, Credentials account) {
        rpc(service, "anvil_setBalance", List.of(account.getAddress(), Numeric.toHexStringWithPrefix(ETHER.multiply(
                BigInteger.valueOf(1_000_000)))));
    }

    static void rpc(HttpService service, String method, List<?> params) {
        try {
            Response<?> response = new Request<>(method, params, service, GenericResponse.class).send();
            if (response.hasError()) {
                throw new IllegalStateException(method + " failed: " + response.getError().getMessage());
            }
        } catch (IOException e) {
            throw new IllegalStateException(method + " failed", e);
        }
    }

    String rpcString(String method, List<?> params) {
        try {
            GenericResponse response = new Request<>(method, params, service, GenericResponse.class).send();
            if (response.hasError()) {
                throw new IllegalStateException(method + " failed: " + response.getError().getMessage());
            }
            return String.valueOf(response.getResult());
        } catch (IOException e) {
            throw new IllegalStateException(method + " failed", e);
        }
    }

    /** Response whose result is whatever JSON came back. */
    public static final class GenericResponse extends Response<Object> {}

    // ------------------------------------------------------------------ wrappers

    TransactionManager tm(Credentials who) {
        return ProtocolDeployer.transactionManager(web3j, who, anvil.chainId());
    }

    BondingManager bonding(Credentials who) {
        return BondingManager.load(deployment.bondingManager(), web3j, tm(who), gas);
    }

    TicketBroker broker(Credentials who) {
        return TicketBroker.load(deployment.ticketBroker(), web3j, tm(who), gas);
    }

    RoundsManager rounds(Credentials who) {
        return RoundsManager.load(deployment.roundsManager(), web3j, tm(who), gas);
    }

    LivepeerToken token(Credentials who) {
        return LivepeerToken.load(deployment.livepeerToken(), web3j, tm(who), gas);
    }

    Minter minter(Credentials who) {
        return Minter.load(deployment.minter(), web3j, tm(who), gas);
    }

    Controller controller(Credentials who) {
        return Controller.load(deployment.controller(), web3j, tm(who), gas);
    }

    Governor governor(Credentials who) {
        return Governor.load(deployment.governor(), web3j, tm(who), gas);
    }

    Verifier verifier(Credentials who) {
        return Verifier.load(deployment.verifier(), web3j, tm(who), gas);
    }

    ServiceRegistry serviceRegistry(Credentials who) {
        return ServiceRegistry.load(deployment.serviceRegistry(), web3j, tm(who), gas);
    }

    ContractGasProvider gas() {
        return gas;
    }

    // ------------------------------------------------------------------ blocks and rounds

    private long snapshotBlock;

    /**
     * EVM snapshot for test isolation. Anvil restores state but not always the block number after a test
     * mined thousands of blocks, so tests that travel far in rounds get a chain of their own.
     */
    String snapshot() {
        snapshotBlock = blockNumber();
        return rpcString("evm_snapshot", List.of());
    }

    void revertTo(String snapshot) {
        String reverted = rpcString("evm_revert", List.of(snapshot));
        assertThat(reverted).as("evm_revert to %s", snapshot).isEqualTo("true");
        assertThat(blockNumber()).as("block number after evm_revert").isEqualTo(snapshotBlock);
    }

    void mine(long blocks) {
        if (blocks > 0) {
            rpc(service, "anvil_mine", List.of(Numeric.toHexStringWithPrefix(BigInteger.valueOf(blocks))));
        }
    }

    long blockNumber() {
        try {
            return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    long currentRound() {
        return call(() -> rounds(deployer).currentRound().send()).longValueExact();
    }

    /**
     * Mines until the latest block is the second block of {@code round}: a view (eth_call) and the next
     * transaction then both fall in that round.
     */
    void mineToRound(long round) {
        RoundsManager rm = rounds(deployer);
        long anchorRound = call(() -> rm.lastRoundLengthUpdateRound().send()).longValueExact();
        long anchorStart = call(() -> rm.lastRoundLengthUpdateStartBlock().send()).longValueExact();
        long length = call(() -> rm.roundLength().send()).longValueExact();
        long target = anchorStart + (round - anchorRound) * length + 1;
        long now = blockNumber();
        assertThat(target).as("round %d has already started", round).isGreaterThanOrEqualTo(now);
        mine(target - now);
        assertThat(currentRound()).isEqualTo(round);
    }

    /** Moves to the next round and initializes it; returns the new round. */
    long nextRound() {
        long next = currentRound() + 1;
        mineToRound(next);
        initializeRound();
        return next;
    }

    void initializeRound() {
        send(() -> rounds(deployer).initializeRound().send());
    }

    // ------------------------------------------------------------------ calls, sends, reverts

    @FunctionalInterface
    interface Call<T> {
        T run() throws Exception;
    }

    static <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new AssertionError("call failed: " + e.getMessage(), e);
        }
    }

    static TransactionReceipt send(Call<TransactionReceipt> send) {
        TransactionReceipt receipt = call(send);
        assertThat(receipt.isStatusOK()).as("transaction %s succeeded", receipt.getTransactionHash()).isTrue();
        return receipt;
    }

    /** The Error(string) reason of calling {@code to} with {@code data} as {@code from}, or "" if it succeeds. */
    String revertReason(Credentials from, String to, String data) {
        EthCall result = call(() -> web3j.ethCall(
                Transaction.createEthCallTransaction(from.getAddress(), to, data),
                DefaultBlockParameterName.LATEST).send());
        if (!result.hasError() && !result.isReverted()) {
            return "";
        }
        String revertData = result.hasError() ? String.valueOf(result.getError().getData()) : result.getValue();
        String hex = Numeric.cleanHexPrefix(revertData.replace("\"", ""));
        if (hex.startsWith("08c379a0")) {
            // Error(string): selector, offset word, length word, UTF-8 bytes
            byte[] body = Numeric.hexStringToByteArray(hex.substring(8));
            int length = new BigInteger(1, Arrays.copyOfRange(body, 32, 64)).intValueExact();
            return new String(body, 64, length, StandardCharsets.UTF_8);
        }
        return result.hasError() ? result.getError().getMessage() : "revert data " + revertData;
    }

    /** The uint256 a state-changing function would return, simulated with eth_call. */
    BigInteger simulateUint(Credentials from, String to, String data) {
        EthCall result = call(() -> web3j.ethCall(
                Transaction.createEthCallTransaction(from.getAddress(), to, data),
                DefaultBlockParameterName.LATEST).send());
        assertThat(result.hasError()).as("simulated call reverted: %s",
                result.hasError() ? result.getError().getMessage() : "").isFalse();
        return Numeric.toBigInt(result.getValue());
    }

    void assertRevertsWithValue(Credentials from, String to, String data, BigInteger value, String reason) {
        EthCall result = call(() -> web3j.ethCall(
                Transaction.createFunctionCallTransaction(from.getAddress(), null, null, null, to, value, data),
                DefaultBlockParameterName.LATEST).send());
        assertThat(result.hasError()).as("call with value reverts").isTrue();
        String hex = Numeric.cleanHexPrefix(String.valueOf(result.getError().getData()).replace("\"", ""));
        byte[] body = Numeric.hexStringToByteArray(hex.substring(8));
        int length = new BigInteger(1, Arrays.copyOfRange(body, 32, 64)).intValueExact();
        assertThat(new String(body, 64, length, StandardCharsets.UTF_8)).isEqualTo(reason);
    }

    void assertReverts(Credentials from, String to, String data, String reason) {
        assertThat(revertReason(from, to, data)).isEqualTo(reason);
    }

    static BigInteger lpt(long whole) {
        return BigInteger.valueOf(whole);
    }

    static List<ProtocolDeployer.Mint> mints(List<Credentials> accounts, BigInteger each) {
        List<ProtocolDeployer.Mint> mints = new ArrayList<>();
        for (Credentials a : accounts) {
            mints.add(new ProtocolDeployer.Mint(a.getAddress(), each));
        }
        return mints;
    }

    static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[length];
        int offset = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, offset, p.length);
            offset += p.length;
        }
        return out;
    }

    @Override
    public void close() {
        web3j.shutdown();
        anvil.close();
    }
}
