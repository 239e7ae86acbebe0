package io.jlivepeer.payments;

import java.util.List;
import java.util.Objects;

/**
 * What a broadcaster attaches to a segment: the params it paid under, who it is, the price it expects to pay
 * and a batch of signed tickets (all sharing the params, differing in nonce).
 */
public record Payment(TicketParams params, EthAddress sender, Price expectedPrice, List<TicketSenderParams> tickets) {
  public Payment {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(expectedPrice, "expectedPrice");
    tickets = List.copyOf(tickets);
  }
}
