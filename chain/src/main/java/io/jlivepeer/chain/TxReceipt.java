package io.jlivepeer.chain;

import java.util.List;

/** A mined, successful transaction. */
public record TxReceipt(String transactionHash, long blockNumber, long gasUsed, List<EventLog> logs) {
  public TxReceipt {
    logs = List.copyOf(logs);
  }

  /** One log entry: emitting contract, topics (topic 0 is the event signature hash), data as hex. */
  public record EventLog(EthAddress address, List<String> topics, String data) {
    public EventLog {
      topics = List.copyOf(topics);
    }
  }
}
