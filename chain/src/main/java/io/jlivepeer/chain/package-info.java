/**
 * The chain layer: the protocol contracts (compiled from {@code contracts/} at the repository root),
 * their web3j bindings in {@code io.jlivepeer.chain.contracts}, a local anvil chain and the deployer
 * that wires the whole protocol on any JSON-RPC chain.
 */
package io.jlivepeer.chain;
