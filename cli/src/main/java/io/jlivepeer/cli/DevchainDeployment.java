package io.jlivepeer.cli;

import io.jlivepeer.chain.EthAddress;
import org.web3j.crypto.Credentials;

/** Adapter over the chain module's anvil launcher and protocol deployer: a running chain with the protocol on it. */
record DevchainDeployment(String rpcUrl, Credentials deployer, EthAddress controller, AutoCloseable anvil) {
  static DevchainDeployment start(Devchain.Config cfg) {
    // Wired to chain's Anvil and ProtocolDeployer once they land (contracts branch).
    throw new UnsupportedOperationException("pending Anvil/ProtocolDeployer");
  }
}
