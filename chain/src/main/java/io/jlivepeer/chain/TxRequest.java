package io.jlivepeer.chain;

import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.Wei;
import java.util.Objects;

/**
 * One contract call to send as a transaction.
 *
 * @param action what the operator asked for, used in error messages ("bond" gives "bond failed: ...")
 * @param to the contract (or account) called
 * @param data ABI-encoded call data as 0x-prefixed hex ("0x" for a plain transfer)
 * @param value ETH sent along
 * @param gasLimit a fixed gas limit, or 0 (the default) to estimate it and add the configured margin
 * @param contractCreation true to deploy: data is the init code, {@code to} is ignored (ZERO)
 */
public record TxRequest(String action, EthAddress to, String data, Wei value, long gasLimit, boolean contractCreation) {
  public TxRequest {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(value, "value");
    if (!data.matches("0x([0-9a-fA-F]{2})*")) {
      throw new ChainException(action + ": call data is not 0x-prefixed hex bytes");
    }
    if (gasLimit < 0) {
      throw new ChainException(action + ": gas limit must not be negative");
    }
  }

  public TxRequest(String action, EthAddress to, String data, Wei value, long gasLimit) {
    this(action, to, data, value, gasLimit, false);
  }

  public static TxRequest of(String action, EthAddress to, String data) {
    return new TxRequest(action, to, data, Wei.ZERO, 0, false);
  }

  /** Deploys a contract: initCode is its creation bytecode followed by the ABI-encoded constructor arguments. */
  public static TxRequest deploy(String action, String initCode) {
    return new TxRequest(action, EthAddress.ZERO, initCode.startsWith("0x") ? initCode : "0x" + initCode, Wei.ZERO, 0, true);
  }

  public TxRequest withValue(Wei v) {
    return new TxRequest(action, to, data, v, gasLimit, contractCreation);
  }

  public TxRequest withGasLimit(long limit) {
    return new TxRequest(action, to, data, value, limit, contractCreation);
  }
}
