/**
 * Probabilistic micropayments (spec: shared/spec/payments.md, TicketBroker in protocol.md).
 *
 * <p>Broadcaster side: {@link io.jlivepeer.payments.TicketSender}, {@link io.jlivepeer.payments.Fees}.
 * Orchestrator side: {@link io.jlivepeer.payments.TicketParamsIssuer}, {@link io.jlivepeer.payments.TicketValidator},
 * {@link io.jlivepeer.payments.Balances}, {@link io.jlivepeer.payments.SenderMonitor},
 * {@link io.jlivepeer.payments.RedemptionQueue}. The chain is reached only through the ports
 * {@link io.jlivepeer.payments.TicketBroker} and {@link io.jlivepeer.payments.RoundsView}, which the
 * {@code chain} module implements; this module knows nothing of web3j.
 */
package io.jlivepeer.payments;
