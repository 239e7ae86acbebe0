package io.jlivepeer.node.orchestrator;

import io.jlivepeer.wire.WireException;
import io.jlivepeer.wire.proto.Payment;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TicketParams;

/**
 * The seam where micropayments plug into the orchestrator (wire.md {@code Livepeer-Payment}, issue "micropayments").
 * Without a chain {@link #NONE} accepts every segment and advertises empty ticket params; with one,
 * {@link OrchestratorPayments}.
 */
interface SegmentPayments {
  /**
   * Checks and credits the payment sent with a segment (or with {@code POST /payment} when {@code segData} is the
   * default instance); throws {@link WireException} with 400 (e.g. "Insufficient balance") to refuse it.
   */
  void accept(String sessionId, Payment payment, SegData segData);

  /** Ticket params for a broadcaster's OrchestratorInfo (empty without a chain). */
  TicketParams ticketParams(byte[] broadcaster);

  /** Charges the session for a transcoded segment: price x encoded output pixels. */
  default void debit(String sessionId, long encodedPixels) {
    // free: nothing to charge
  }

  /**
   * Whether O runs on chain: it then verifies B's request signature and sends ticket_params and price_info in
   * OrchestratorInfo (offchain it leaves both out, as the reference node does).
   */
  default boolean onChain() {
    return false;
  }

  /** Whether O charges at all (then fresh ticket params ride along in every TranscodeResult). */
  default boolean charges() {
    return false;
  }

  SegmentPayments NONE = new SegmentPayments() {
    @Override
    public void accept(String sessionId, Payment payment, SegData segData) {
      // no chain: payment headers may be empty and are ignored
    }

    @Override
    public TicketParams ticketParams(byte[] broadcaster) {
      return TicketParams.getDefaultInstance();
    }
  };
}
