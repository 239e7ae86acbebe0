package io.jlivepeer.cli;

import io.jlivepeer.chain.Anvil;
import io.jlivepeer.chain.AnvilConfig;
import io.jlivepeer.chain.ChainException;
import io.jlivepeer.chain.ProtocolDeployer;
import io.jlivepeer.payments.EthAddress;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/** A running anvil with the protocol deployed on it by the chain module's {@link ProtocolDeployer}. */
record DevchainDeployment(String rpcUrl, long chainId, EthAddress controller, Anvil anvil) {
  /** anvil's first dev account (its default mnemonic; public test material): deploys and owns the protocol. */
  static final String DEPLOYER_KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

  static DevchainDeployment start(Devchain.Config cfg, List<ProtocolDeployer.Mint> mints) {
    // Automine: deployment takes a block per transaction at once; Devchain adds the timed blocks itself.
    Anvil anvil = Anvil.start(AnvilConfig.defaults());
    Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
    try {
      ProtocolDeployer.Parameters params =
          ProtocolDeployer.Parameters.devDefaults()
              .withRoundLength(cfg.roundLength())
              .withPeriods(cfg.unbondingPeriod(), 2, 2)
              .withInitialMints(mints);
      ProtocolDeployer.Deployment d = ProtocolDeployer.deploy(web3j, Credentials.create(DEPLOYER_KEY), anvil.chainId(), params);
      return new DevchainDeployment(anvil.rpcUrl(), anvil.chainId(), EthAddress.of(d.controller()), anvil);
    } catch (RuntimeException e) {
      anvil.close();
      throw e instanceof ChainException ? e : new ChainException("devchain deployment failed: " + e.getMessage(), e);
    } finally {
      web3j.shutdown();
    }
  }

}
