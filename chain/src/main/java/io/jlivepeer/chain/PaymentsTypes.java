package io.jlivepeer.chain;

import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketExpirationParams;
import java.math.BigInteger;

/**
 * Conversions between chain's types and payments' types. The two modules keep their own Wei and EthAddress so that
 * payments never sees web3j; both store addresses as lower-case 0x-hex and amounts as uint256, so the conversions
 * cannot fail.
 */
final class PaymentsTypes {
  private PaymentsTypes() {}

  static io.jlivepeer.payments.Wei toPayments(Wei w) {
    return io.jlivepeer.payments.Wei.of(w.value());
  }

  static Wei toChain(io.jlivepeer.payments.Wei w) {
    return Wei.of(w.value());
  }

  static io.jlivepeer.payments.EthAddress toPayments(EthAddress a) {
    return new io.jlivepeer.payments.EthAddress(a.hex());
  }

  static EthAddress toChain(io.jlivepeer.payments.EthAddress a) {
    return new EthAddress(a.hex());
  }

  static SenderInfo toPayments(ProtocolClient.SenderInfo s) {
    return new SenderInfo(toPayments(s.deposit()), s.withdrawRound(), toPayments(s.reserveFundsRemaining()),
        toPayments(s.reserveClaimedInCurrentRound()));
  }

  /**
   * The contract's ticket struct. auxData is always the 64 bytes creationRound || creationRoundBlockHash: the
   * contract requires them even when both are zero (such a ticket then reverts with the contract's own reason).
   */
  static ProtocolClient.WinningTicket toChain(Ticket t) {
    return new ProtocolClient.WinningTicket(
        toChain(t.recipient()),
        toChain(t.sender()),
        toChain(t.faceValue()),
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
