/**
 * The broadcaster/orchestrator/transcoder wire protocol of shared/spec/wire.md.
 *
 * <ul>
 *   <li>Messages and services: generated from {@code src/main/protobuf/net/wire.proto} into {@code
 *       io.jlivepeer.wire.proto} ({@code OrchestratorGrpc}, {@code TranscoderGrpc}, {@code SegData}, ...).
 *   <li>HTTP between B and O: {@link io.jlivepeer.wire.WireHeaders} (header names, base64 codecs, status codes),
 *       {@link io.jlivepeer.wire.WireProfiles} (fullProfiles 33/34/35 and legacy ids),
 *       {@link io.jlivepeer.wire.CapabilityBits} and {@link io.jlivepeer.wire.Capability},
 *       {@link io.jlivepeer.wire.AuthTokens}.
 *   <li>T to O results: {@link io.jlivepeer.wire.TranscodeResultsCodec} (multipart/mixed or transcoding-error).
 *   <li>Signatures: {@link io.jlivepeer.wire.SigningPayloads} builds the hashes (segment, results,
 *       OrchestratorRequest) and signs and verifies them on raw wire bytes; the keys and the curve are payments'
 *       ({@link io.jlivepeer.payments.EthKey}, {@link io.jlivepeer.payments.EthCrypto}), as is
 *       {@link io.jlivepeer.payments.Keccak}.
 *   <li>Transport: {@link io.jlivepeer.wire.TlsIdentity} (self-signed certificate in the data dir),
 *       {@link io.jlivepeer.wire.ServicePort} (gRPC + HTTPS on one TLS port), {@link io.jlivepeer.wire.WireClients}
 *       (B/T side: TLS that accepts O's self-signed certificate).
 * </ul>
 *
 * <p>Every error is a {@link io.jlivepeer.wire.WireException} carrying the HTTP status an orchestrator answers
 * with; its message is safe to send to the peer.
 */
package io.jlivepeer.wire;
