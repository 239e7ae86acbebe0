package io.jlivepeer.chain;

import io.jlivepeer.payments.EthAddress;
import java.util.List;
import java.util.Optional;

/** A mined, successful transaction. contractAddress is the new contract's address for a deployment, else ZERO. */
public record TxReceipt(String transactionHash, long blockNumber, long gasUsed, EthAddress contractAddress, List<EventLog> logs) {
  public TxReceipt {
    logs = List.copyOf(logs);
  }

  /** The deployed contract, for a contract creation. */
  public Optional<EthAddress> deployed() {
    return contractAddress.isZero() ? Optional.empty() : Optional.of(contractAddress);
  }

  /** One log entry: emitting contract, topics (topic 0 is the event signature hash), data as hex. */
  public record EventLog(EthAddress address, List<String> topics, String data) {
    public EventLog {
      topics = List.copyOf(topics);
    }
  }
}
