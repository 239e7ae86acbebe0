package io.jlivepeer.chain;

import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketExpirationParams;
import java.math.BigInteger;

/**
 * What chain hands payments, or payments hands chain, that is more than a shared type: the contract's ticket struct
 * and the round watcher's view as expiration params. Both modules use payments' {@code Wei} and {@code EthAddress}.
 */
final class PaymentsTypes {
  private PaymentsTypes() {}

  /**
   * The contract's ticket struct. auxData is always the 64 bytes creationRound || creationRoundBlockHash: the
   * contract requires them even when both are zero (such a ticket then reverts with the contract's own reason).
   */
  static ProtocolClient.WinningTicket toChain(Ticket t) {
    return new ProtocolClient.WinningTicket(
        t.recipient(),
        t.sender(),
        t.faceValue(),
        t.winProb(),
        BigInteger.valueOf(t.senderNonce()),
        t.recipientRandHash().toBytes(),
        auxData(t.creationRound(), t.creationRoundBlockHash()));
  }

  /** RoundWatcher's view of the last initialized round as ticket expiration params. */
  static TicketExpirationParams expirationParams(RoundInfo r) {
    return new TicketExpirationParams(r.lastInitializedRound(), Bytes32.fromHex(r.lastInitializedBlockHash()));
  }

  private static byte[] auxData(long round, Bytes32 blockHash) {
    byte[] aux = new byte[64];
    byte[] r = BigInteger.valueOf(round).toByteArray();
    int len = Math.min(r.length, 32);
    System.arraycopy(r, r.length - len, aux, 32 - len, len);
    System.arraycopy(blockHash.toBytes(), 0, aux, 32, 32);
    return aux;
  }
}
