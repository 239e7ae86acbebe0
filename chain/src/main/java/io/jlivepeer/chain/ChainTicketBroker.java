package io.jlivepeer.chain;

import io.jlivepeer.payments.BrokerUnavailableException;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.RedeemOutcome;
import io.jlivepeer.payments.SenderInfo;
import io.jlivepeer.payments.Signature;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.TicketBroker;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * payments' {@link TicketBroker} port on the deployed TicketBroker and BondingManager contracts. Views that cannot
 * reach the node throw {@link BrokerUnavailableException}; a redemption never throws for a revert or an unreachable
 * node but answers {@link RedeemOutcome.Reverted} (with the contract's exact reason) or {@link
 * RedeemOutcome.Unavailable}, so that the redemption queue keeps its tickets and decides what to do.
 *
 * <p>Redemptions are sent from the account of the {@link ProtocolClient} (the orchestrator, or a redeemer acting
 * for it: the contract pays the ticket's recipient whoever sends the transaction).
 */
public final class ChainTicketBroker implements TicketBroker {
  private final ProtocolClient client;

  public ChainTicketBroker(ProtocolClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public SenderInfo senderInfo(EthAddress sender) {
    return view("getSenderInfo", () -> client.getSenderInfo(sender));
  }

  @Override
  public long transcoderPoolSize() {
    return view("getTranscoderPoolSize", client::getTranscoderPoolSize);
  }

  @Override
  public Wei claimedReserve(EthAddress reserveHolder, EthAddress claimant) {
    return view("claimedReserve", () -> client.claimedReserve(reserveHolder, claimant));
  }

  @Override
  public RedeemOutcome redeemWinningTicket(Ticket ticket, Signature signature, BigInteger recipientRand) {
    try {
      TxReceipt r = client.redeemWinningTicket(PaymentsTypes.toChain(ticket), signature.toBytes(), recipientRand);
      return new RedeemOutcome.Redeemed(r.transactionHash());
    } catch (ChainException e) {
      // A revert (found by gas estimation or replayed after mining) carries the contract's string; anything else
      // (node unreachable, fee cap, no receipt in time) leaves the ticket's fate open: try again later.
      return e.revertReason()
          .<RedeemOutcome>map(RedeemOutcome.Reverted::new)
          .orElseGet(() -> new RedeemOutcome.Unavailable(e.getMessage()));
    }
  }

  /**
   * Every view failure becomes payments' transient exception: an unreachable node, a broken endpoint or an
   * unexpected answer all mean "cannot ask the chain now", and payments keeps its cached state meanwhile.
   */
  private static <T> T view(String what, Supplier<T> read) {
    try {
      return read.get();
    } catch (ChainException e) {
      throw new BrokerUnavailableException(what + " failed: " + e.getMessage(), e);
    }
  }
}
