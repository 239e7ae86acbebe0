package io.jlivepeer.p2p;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The protocol options of a HANDSHAKE (RFC 7574 section 7), each optional on the wire. Codes and values:
 * <pre>
 *   0 version                      1 byte (1 = RFC 7574)
 *   1 minimum version              1 byte
 *   2 swarm identifier             16-bit length + bytes (live: the injector's public key)
 *   3 content integrity protection 1 byte (0 none, 1 Merkle hash tree, 2 sign all, 3 unified Merkle tree)
 *   4 Merkle hash tree function    1 byte (0 SHA-1, 1 SHA-224, 2 SHA-256, 3 SHA-384, 4 SHA-512)
 *   5 live signature algorithm     1 byte (DNSSEC algorithm number: 13 ECDSAP256SHA256, 15 ED25519)
 *   6 chunk addressing method      1 byte (0 32-bit bins, 1 64-bit byte ranges, 2 32-bit chunk ranges,
 *                                          3 64-bit bins, 4 64-bit chunk ranges)
 *   7 live discard window          32 bits for 32-bit addressing, 64 bits for 64-bit addressing (in chunks)
 *   8 supported messages           1 byte length + bitmap (bit i, MSB first, = message type i)
 *   9 chunk size                   32 bits (bytes)
 * 255 end option                   no value
 * </pre>
 * An option's absence is an empty Optional; the decoder requires options in ascending code order (section 7:
 * "protocol options MUST be in ascending order") and no repeats.
 */
public record ProtocolOptions(
    OptionalInt version,
    OptionalInt minimumVersion,
    Optional<byte[]> swarmId,
    OptionalInt integrityProtection,
    OptionalInt merkleHashFunction,
    OptionalInt liveSignatureAlgorithm,
    OptionalInt chunkAddressing,
    OptionalLong liveDiscardWindow,
    Optional<byte[]> supportedMessages,
    OptionalLong chunkSize) {

  public static final int CODE_VERSION = 0;
  public static final int CODE_MINIMUM_VERSION = 1;
  public static final int CODE_SWARM_ID = 2;
  public static final int CODE_INTEGRITY = 3;
  public static final int CODE_HASH_FUNCTION = 4;
  public static final int CODE_SIGNATURE_ALGORITHM = 5;
  public static final int CODE_CHUNK_ADDRESSING = 6;
  public static final int CODE_LIVE_DISCARD_WINDOW = 7;
  public static final int CODE_SUPPORTED_MESSAGES = 8;
  public static final int CODE_CHUNK_SIZE = 9;
  public static final int CODE_END = 255;

  public static final int VERSION_1 = 1;
  public static final int INTEGRITY_UNIFIED_MERKLE_TREE = 3;
  public static final int HASH_SHA256 = 2;
  public static final int SIGNATURE_ED25519 = 15;
  public static final int ADDRESSING_32BIT_CHUNK_RANGES = 2;

  /** No options at all (a closing handshake may carry just the end option). */
  public static ProtocolOptions none() {
    return new ProtocolOptions(OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), OptionalInt.empty(),
        OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty(), Optional.empty(),
        OptionalLong.empty());
  }

  /** The options of this project's live profile (docs/p2p.md) for {@code swarmId}. */
  public static ProtocolOptions live(byte[] swarmId, long discardWindowChunks, int chunkSize) {
    return new ProtocolOptions(OptionalInt.of(VERSION_1), OptionalInt.of(VERSION_1), Optional.of(swarmId.clone()),
        OptionalInt.of(INTEGRITY_UNIFIED_MERKLE_TREE), OptionalInt.of(HASH_SHA256), OptionalInt.of(SIGNATURE_ED25519),
        OptionalInt.of(ADDRESSING_32BIT_CHUNK_RANGES), OptionalLong.of(discardWindowChunks), Optional.empty(),
        OptionalLong.of(chunkSize));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProtocolOptions p && version.equals(p.version) && minimumVersion.equals(p.minimumVersion)
        && bytesEqual(swarmId, p.swarmId) && integrityProtection.equals(p.integrityProtection)
        && merkleHashFunction.equals(p.merkleHashFunction) && liveSignatureAlgorithm.equals(p.liveSignatureAlgorithm)
        && chunkAddressing.equals(p.chunkAddressing) && liveDiscardWindow.equals(p.liveDiscardWindow)
        && bytesEqual(supportedMessages, p.supportedMessages) && chunkSize.equals(p.chunkSize);
  }

  @Override
  public int hashCode() {
    return version.hashCode() * 31 + swarmId.map(Arrays::hashCode).orElse(0);
  }

  @Override
  public String toString() {
    return "ProtocolOptions[version=" + version + ", swarmId=" + swarmId.map(HexFormat.of()::formatHex)
        + ", integrity=" + integrityProtection + ", hash=" + merkleHashFunction + ", signature="
        + liveSignatureAlgorithm + ", addressing=" + chunkAddressing + ", window=" + liveDiscardWindow
        + ", chunkSize=" + chunkSize + "]";
  }

  private static boolean bytesEqual(Optional<byte[]> a, Optional<byte[]> b) {
    return a.isPresent() == b.isPresent() && (a.isEmpty() || Arrays.equals(a.get(), b.get()));
  }
}
