package io.jlivepeer.chain;

import io.jlivepeer.chain.contracts.BondingManager;
import io.jlivepeer.chain.contracts.Controller;
import io.jlivepeer.chain.contracts.Governor;
import io.jlivepeer.chain.contracts.LivepeerToken;
import io.jlivepeer.chain.contracts.ManagerProxy;
import io.jlivepeer.chain.contracts.Minter;
import io.jlivepeer.chain.contracts.RoundsManager;
import io.jlivepeer.chain.contracts.ServiceRegistry;
import io.jlivepeer.chain.contracts.TicketBroker;
import io.jlivepeer.chain.contracts.Verifier;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * Deploys and wires the whole protocol on a JSON-RPC chain: Controller, LivepeerToken, Minter, the proxied
 * managers (BondingManager, RoundsManager, TicketBroker, ServiceRegistry, each a ManagerProxy registered
 * as "X" in front of a target registered as "XTarget"), the Verifier (fault proofs; the deployer owns it and
 * registers verifiers with {@code setVerifier}) and the Governor; sets the
 * parameters, mints the initial LPT and unpauses the Controller.
 */
public final class ProtocolDeployer {
    /** Gas limit of every deployment transaction: the largest contract needs about 4.5 M. */
    static final BigInteger GAS_LIMIT = BigInteger.valueOf(12_000_000);

    private ProtocolDeployer() {}

    /** An amount of LPT (in wei) minted to an address at deployment. */
    public record Mint(String address, BigInteger amount) {
        public Mint {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(amount, "amount");
            if (amount.signum() < 0) {
                throw new IllegalArgumentException("mint amount must not be negative: " + amount);
            }
        }
    }

    /**
     * Protocol parameters.
     *
     * @param roundLength blocks per round (dev default 20; production 5760)
     * @param roundLockAmount share of the round, in ppm, at its end during which transcoders cannot change
     *     their parameters (default 100000 = 10%)
     * @param unbondingPeriod rounds before unbonded stake can be withdrawn (dev default 2; production 7)
     * @param numActiveTranscoders size of the active set (dev default 10; production 100)
     * @param unlockPeriod rounds before a broadcaster's unlocked funds can be withdrawn (default 2)
     * @param ticketValidityPeriod rounds a ticket stays redeemable after its creation round (default 2)
     * @param inflation per-round inflation in parts per billion of the supply (dev default 1000000 = 0.1%)
     * @param inflationChange per-round inflation adjustment, parts per billion (dev default 500)
     * @param targetBondingRate bonded share of the supply inflation steers to, parts per billion (default 50%)
     * @param initialMints LPT minted at deployment (default none)
     * @param governorOwnsController transfer the Controller to the Governor at the end, so that parameter
     *     changes go through staged updates (default false on a dev network: the deployer keeps control)
     */
    public record Parameters(
            long roundLength,
            long roundLockAmount,
            long unbondingPeriod,
            int numActiveTranscoders,
            long unlockPeriod,
            long ticketValidityPeriod,
            BigInteger inflation,
            BigInteger inflationChange,
            BigInteger targetBondingRate,
            List<Mint> initialMints,
            boolean governorOwnsController) {

        public Parameters {
            Objects.requireNonNull(inflation, "inflation");
            Objects.requireNonNull(inflationChange, "inflationChange");
            Objects.requireNonNull(targetBondingRate, "targetBondingRate");
            initialMints = List.copyOf(initialMints);
            if (roundLength < 1) {
                throw new IllegalArgumentException("roundLength must be at least 1 block: " + roundLength);
            }
            if (roundLockAmount < 0 || roundLockAmount > 1_000_000) {
                throw new IllegalArgumentException("roundLockAmount is in ppm (0..1000000): " + roundLockAmount);
            }
            if (numActiveTranscoders < 1) {
                throw new IllegalArgumentException("numActiveTranscoders must be at least 1: " + numActiveTranscoders);
            }
            if (ticketValidityPeriod < 1) {
                throw new IllegalArgumentException("ticketValidityPeriod must be at least 1: " + ticketValidityPeriod);
            }
        }

        /** Fast dev-network values: 20-block rounds, 2-round unbonding/unlock/validity, 10 active transcoders. */
        public static Parameters devDefaults() {
            return new Parameters(20, 100_000, 2, 10, 2, 2, BigInteger.valueOf(1_000_000), BigInteger.valueOf(500),
                    BigInteger.valueOf(500_000_000), List.of(), false);
        }

        public Parameters withRoundLength(long blocks) {
            return new Parameters(blocks, roundLockAmount, unbondingPeriod, numActiveTranscoders, unlockPeriod,
                    ticketValidityPeriod, inflation, inflationChange, targetBondingRate, initialMints,
                    governorOwnsController);
        }

        public Parameters withInflation(BigInteger perBillion, BigInteger changePerBillion) {
            return new Parameters(roundLength, roundLockAmount, unbondingPeriod, numActiveTranscoders, unlockPeriod,
                    ticketValidityPeriod, perBillion, changePerBillion, targetBondingRate, initialMints,
                    governorOwnsController);
        }

        public Parameters withTargetBondingRate(BigInteger perBillion) {
            return new Parameters(roundLength, roundLockAmount, unbondingPeriod, numActiveTranscoders, unlockPeriod,
                    ticketValidityPeriod, inflation, inflationChange, perBillion, initialMints,
                    governorOwnsController);
        }

        public Parameters withNumActiveTranscoders(int count) {
            return new Parameters(roundLength, roundLockAmount, unbondingPeriod, count, unlockPeriod,
                    ticketValidityPeriod, inflation, inflationChange, targetBondingRate, initialMints,
                    governorOwnsController);
        }

        public Parameters withPeriods(long unbonding, long unlock, long ticketValidity) {
            return new Parameters(roundLength, roundLockAmount, unbonding, numActiveTranscoders, unlock,
                    ticketValidity, inflation, inflationChange, targetBondingRate, initialMints,
                    governorOwnsController);
        }

        public Parameters withInitialMints(List<Mint> mints) {
            return new Parameters(roundLength, roundLockAmount, unbondingPeriod, numActiveTranscoders, unlockPeriod,
                    ticketValidityPeriod, inflation, inflationChange, targetBondingRate, mints,
                    governorOwnsController);
        }

        public Parameters withGovernorOwnsController(boolean value) {
            return new Parameters(roundLength, roundLockAmount, unbondingPeriod, numActiveTranscoders, unlockPeriod,
                    ticketValidityPeriod, inflation, inflationChange, targetBondingRate, initialMints, value);
        }
    }

    /** Addresses of a deployed protocol; the manager addresses are their proxies. */
    public record Deployment(
            String controller,
            String livepeerToken,
            String minter,
            String bondingManager,
            String roundsManager,
            String ticketBroker,
            String serviceRegistry,
            String verifier,
            String governor) {}

    /** The Controller registry id of a contract name: keccak256 of its UTF-8 bytes. */
    public static byte[] contractId(String name) {
        return Hash.sha3(name.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Deploys the protocol with {@code deployer} paying for and owning everything.
     *
     * @throws ChainException when a transaction fails, naming the step
     */
    public static Deployment deploy(Web3j web3j, Credentials deployer, long chainId, Parameters parameters) {
        TransactionManager tm = transactionManager(web3j, deployer, chainId);
        ContractGasProvider gas = gasProvider(web3j);
        Steps steps = new Steps();
        Controller controller = steps.run("deploy Controller", () -> Controller.deploy(web3j, tm, gas).send());
        String c = controller.getContractAddress();
        LivepeerToken token = steps.run("deploy LivepeerToken", () -> LivepeerToken.deploy(web3j, tm, gas).send());
        Minter minter = steps.run("deploy Minter", () -> Minter.deploy(web3j, tm, gas, c, parameters.inflation(),
                parameters.inflationChange(), parameters.targetBondingRate()).send());
        Verifier verifier = steps.run("deploy Verifier", () -> Verifier.deploy(web3j, tm, gas, c).send());

        String bondingManager = steps.proxied(controller, "BondingManager", web3j, tm, gas,
                () -> BondingManager.deploy(web3j, tm, gas, c).send().getContractAddress());
        String roundsManager = steps.proxied(controller, "RoundsManager", web3j, tm, gas,
                () -> RoundsManager.deploy(web3j, tm, gas, c).send().getContractAddress());
        String ticketBroker = steps.proxied(controller, "TicketBroker", web3j, tm, gas,
                () -> TicketBroker.deploy(web3j, tm, gas, c).send().getContractAddress());
        String serviceRegistry = steps.proxied(controller, "ServiceRegistry", web3j, tm, gas,
                () -> ServiceRegistry.deploy(web3j, tm, gas, c).send().getContractAddress());

        steps.register(controller, "LivepeerToken", token.getContractAddress());
        steps.register(controller, "Minter", minter.getContractAddress());
        steps.register(controller, "Verifier", verifier.getContractAddress());
        byte[] minterRole = steps.run("read MINTER_ROLE", () -> token.MINTER_ROLE().send());
        steps.run("grant the Minter its minter role",
                () -> token.grantRole(minterRole, minter.getContractAddress()).send());

        RoundsManager rounds = RoundsManager.load(roundsManager, web3j, tm, gas);
        steps.run("set roundLength", () -> rounds.setRoundLength(BigInteger.valueOf(parameters.roundLength())).send());
        steps.run("set roundLockAmount",
                () -> rounds.setRoundLockAmount(BigInteger.valueOf(parameters.roundLockAmount())).send());
        BondingManager bonding = BondingManager.load(bondingManager, web3j, tm, gas);
        steps.run("set unbondingPeriod",
                () -> bonding.setUnbondingPeriod(BigInteger.valueOf(parameters.unbondingPeriod())).send());
        steps.run("set numActiveTranscoders",
                () -> bonding.setNumActiveTranscoders(BigInteger.valueOf(parameters.numActiveTranscoders())).send());
        TicketBroker broker = TicketBroker.load(ticketBroker, web3j, tm, gas);
        steps.run("set unlockPeriod", () -> broker.setUnlockPeriod(BigInteger.valueOf(parameters.unlockPeriod())).send());
        steps.run("set ticketValidityPeriod",
                () -> broker.setTicketValidityPeriod(BigInteger.valueOf(parameters.ticketValidityPeriod())).send());

        if (!parameters.initialMints().isEmpty()) {
            // The deployer mints the initial supply itself, then gives the role up: afterwards only the
            // Minter creates LPT.
            steps.run("grant the deployer a temporary minter role",
                    () -> token.grantRole(minterRole, deployer.getAddress()).send());
            for (Mint mint : parameters.initialMints()) {
                steps.run("mint " + mint.amount() + " to " + mint.address(),
                        () -> token.mint(mint.address(), mint.amount()).send());
            }
            steps.run("revoke the deployer's minter role",
                    () -> token.revokeRole(minterRole, deployer.getAddress()).send());
        }

        Governor governor = steps.run("deploy Governor", () -> Governor.deploy(web3j, tm, gas).send());
        steps.run("unpause the Controller", () -> controller.unpause().send());
        if (parameters.governorOwnsController()) {
            steps.run("hand the Controller to the Governor",
                    () -> controller.transferOwnership(governor.getContractAddress()).send());
        }
        return new Deployment(c, token.getContractAddress(), minter.getContractAddress(), bondingManager,
                roundsManager, ticketBroker, serviceRegistry, verifier.getContractAddress(),
                governor.getContractAddress());
    }

    /** Signs locally, polls receipts every 50 ms (anvil mines at once) for up to a minute. */
    static TransactionManager transactionManager(Web3j web3j, Credentials credentials, long chainId) {
        return new RawTransactionManager(web3j, credentials, chainId,
                new PollingTransactionReceiptProcessor(web3j, 50, 1200));
    }

    /** Twice the node's gas price (the base fee may rise a little while we deploy) and a fixed limit. */
    static ContractGasProvider gasProvider(Web3j web3j) {
        try {
            BigInteger price = web3j.ethGasPrice().send().getGasPrice();
            return new StaticGasProvider(price.shiftLeft(1).max(BigInteger.ONE), GAS_LIMIT);
        } catch (IOException e) {
            throw new ChainException("cannot read the gas price from the chain: " + e.getMessage()
                    + ". Check that the JSON-RPC endpoint is reachable.", e);
        }
    }

    @FunctionalInterface
    private interface Step<T> {
        T call() throws Exception;
    }

    private static final class Steps {
        <T> T run(String what, Step<T> step) {
            try {
                return step.call();
            } catch (TransactionException e) {
                throw new ChainException("protocol deployment failed at '" + what + "': " + e.getMessage(), e);
            } catch (IOException e) {
                throw new ChainException("protocol deployment failed at '" + what + "': the chain is unreachable ("
                        + e.getMessage() + ")", e);
            } catch (ChainException e) {
                throw e;
            } catch (Exception e) {
                throw new ChainException("protocol deployment failed at '" + what + "': " + e.getMessage(), e);
            }
        }

        void register(Controller controller, String name, String address) {
            run("register " + name, () -> controller.setContractInfo(contractId(name), address, new byte[20]).send());
        }

        String proxied(Controller controller, String name, Web3j web3j, TransactionManager tm,
                ContractGasProvider gas, Step<String> deployTarget) {
            String target = run("deploy " + name + "Target", deployTarget);
            String proxy = run("deploy the " + name + " proxy", () -> ManagerProxy.deploy(web3j, tm, gas,
                    controller.getContractAddress(), contractId(name + "Target")).send().getContractAddress());
            register(controller, name + "Target", target);
            register(controller, name, proxy);
            return proxy;
        }
    }
}
