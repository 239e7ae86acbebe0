package io.jlivepeer.cli;

import io.jlivepeer.chain.ProtocolClient;
import io.jlivepeer.node.studio.Studio;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.SenderInfo;
import java.util.function.Supplier;

/** The broadcaster's deposit and reserve on chain, for the stream API's GET /api/network (read at each request). */
final class ChainAccount {
  private ChainAccount() {}

  static Supplier<Studio.BroadcasterAccount> of(ProtocolClient client, EthAddress address) {
    return () -> {
      SenderInfo s = client.getSenderInfo(address);
      return new Studio.BroadcasterAccount(address.toString(), s.deposit().value().toString(),
          s.reserveFundsRemaining().value().toString(), true);
    };
  }
}
