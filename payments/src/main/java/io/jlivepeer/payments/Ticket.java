package io.jlivepeer.payments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/** A lottery ticket as the TicketBroker sees it (protocol.md, TicketBroker). */
public record Ticket(
    EthAddress recipient,
    EthAddress sender,
    Wei faceValue,
    BigInteger winProb,
    long senderNonce,
    Bytes32 recipientRandHash,
    long creationRound,
    Bytes32 creationRoundBlockHash) {

  public Ticket {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(faceValue, "faceValue");
    Objects.requireNonNull(winProb, "winProb");
    Objects.requireNonNull(recipientRandHash, "recipientRandHash");
    Objects.requireNonNull(creationRoundBlockHash, "creationRoundBlockHash");
    if (winProb.signum() < 0 || winProb.compareTo(Amounts.MAX_UINT256) > 0) {
      throw new PaymentsException("winProb must be a uint256: " + winProb);
    }
    if (senderNonce < 0 || creationRound < 0) {
      throw new PaymentsException("sender nonce and creation round must not be negative");
    }
  }

  public TicketExpirationParams expirationParams() {
    return new TicketExpirationParams(creationRound, creationRoundBlockHash);
  }

  /** creationRound || creationRoundBlockHash (64 bytes), or empty when both are zero. */
  public byte[] auxData() {
    return expirationParams().auxData();
  }

  /** faceValue x winProb / (2^256 - 1), in fractional wei. */
  public BigDecimal expectedValue() {
    return Amounts.expectedValue(faceValue.value(), winProb);
  }

  /**
   * keccak256(recipient || sender || faceValue || winProb || senderNonce || recipientRandHash || auxData), the
   * contract's abi.encodePacked layout (payments.md, "Ticket hash").
   */
  public Bytes32 hash() {
    boolean aux = creationRound != 0 || !creationRoundBlockHash.isZero();
    byte[] buf = new byte[20 + 20 + 32 * 4 + (aux ? 64 : 0)];
    System.arraycopy(recipient.toBytes(), 0, buf, 0, 20);
    System.arraycopy(sender.toBytes(), 0, buf, 20, 20);
    putUint(buf, 40, faceValue.value());
    putUint(buf, 72, winProb);
    putUint(buf, 104, senderNonce);
    System.arraycopy(recipientRandHash.raw(), 0, buf, 136, 32);
    if (aux) {
      putUint(buf, 168, creationRound);
      System.arraycopy(creationRoundBlockHash.raw(), 0, buf, 200, 32);
    }
    return Bytes32.wrap(EthCrypto.keccak256(buf));
  }

  /** The ticket with another nonce (a batch shares everything else). */
  public Ticket withNonce(long nonce) {
    return new Ticket(recipient, sender, faceValue, winProb, nonce, recipientRandHash, creationRound, creationRoundBlockHash);
  }

  static void putUint(byte[] buf, int offset, long v) {
    for (int i = 0; i < 8; i++) {
      buf[offset + 31 - i] = (byte) (v >>> (8 * i));
    }
  }

  static void putUint(byte[] buf, int offset, BigInteger v) {
    byte[] b = v.toByteArray();
    int len = b.length;
    int from = 0;
    if (len > 32) { // a leading sign byte of a 256-bit value
      from = len - 32;
      len = 32;
    }
    System.arraycopy(b, from, buf, offset + 32 - len, len);
  }

  static byte[] uint256(BigInteger v) {
    byte[] out = new byte[32];
    putUint(out, 0, v);
    return out;
  }
}
