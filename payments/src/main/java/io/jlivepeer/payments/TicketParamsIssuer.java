package io.jlivepeer.payments;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The orchestrator's ticket parameters for a sender (payments.md, "Who does what"). recipientRand is derived by
 * HMAC from a secret and everything the params commit to, so nothing has to be stored per issued params.
 */
public final class TicketParamsIssuer {
  /**
   * @param ticketEV expected value of one ticket (-ticketEV, default 1e12 wei)
   * @param redeemGas gas of one redeemWinningTicket (1,200,000 on an L2, {@link #L1_REDEEM_GAS} on L1)
   * @param maxFaceValue cap on the face value (-maxFaceValue); zero: no cap
   * @param expirationBlocks params stay valid this many L1 blocks after the latest (default 40)
   * @param txCostMultiplier face value is at least this many times the redemption cost (default 100)
   */
  public record Config(Wei ticketEV, long redeemGas, Wei maxFaceValue, long expirationBlocks, long txCostMultiplier) {
    public static final long L2_REDEEM_GAS = 1_200_000;
    public static final long L1_REDEEM_GAS = 350_000;

    public Config {
      Objects.requireNonNull(ticketEV, "ticketEV");
      Objects.requireNonNull(maxFaceValue, "maxFaceValue");
      if (ticketEV.isZero()) {
        throw new PaymentsException("-ticketEV must be above zero");
      }
      if (redeemGas <= 0 || expirationBlocks <= 0 || txCostMultiplier <= 0) {
        throw new PaymentsException("redeem gas, expiration blocks and tx cost multiplier must be positive");
      }
    }

    public static Config defaults() {
      return new Config(Wei.of(1_000_000_000_000L), L2_REDEEM_GAS, Wei.ZERO, 40, 100);
    }

    public Config withTicketEV(Wei ev) {
      return new Config(ev, redeemGas, maxFaceValue, expirationBlocks, txCostMultiplier);
    }

    public Config withMaxFaceValue(Wei max) {
      return new Config(ticketEV, redeemGas, max, expirationBlocks, txCostMultiplier);
    }
  }

  private final EthAddress recipient;
  private final SecretKeySpec secret;
  private final Config config;
  private final RoundsView rounds;
  private final SenderMonitor senders;
  private final RandomGenerator random;

  /**
   * @param secret 32 random bytes; a new secret invalidates every params issued before (a restart does that)
   * @param random source of seeds; a SecureRandom in production
   */
  public TicketParamsIssuer(EthAddress recipient, byte[] secret, Config config, RoundsView rounds, SenderMonitor senders,
      RandomGenerator random) {
    this.recipient = Objects.requireNonNull(recipient, "recipient");
    if (secret.length != 32) {
      throw new PaymentsException("the recipientRand secret must be 32 bytes, got " + secret.length);
    }
    this.secret = new SecretKeySpec(secret.clone(), "HmacSHA256");
    this.config = Objects.requireNonNull(config, "config");
    this.rounds = Objects.requireNonNull(rounds, "rounds");
    this.senders = Objects.requireNonNull(senders, "senders");
    this.random = Objects.requireNonNull(random, "random");
  }

  public EthAddress recipient() {
    return recipient;
  }

  public Config config() {
    return config;
  }

  /**
   * Fresh params for a sender at the given price. Throws "insufficient sender reserve" when the sender's max
   * float cannot carry even one ticket of the configured EV.
   */
  public TicketParams issue(EthAddress sender, Price price) {
    Wei faceValue = Wei.ZERO;
    BigInteger winProb = BigInteger.ZERO;
    if (!price.isFree()) {
      Wei txCost = rounds.gasPrice().times(config.redeemGas());
      faceValue = faceValue(txCost, config, senders.maxFloat(sender));
      winProb = winProb(config.ticketEV(), faceValue);
    }
    byte[] seedBytes = new byte[32];
    random.nextBytes(seedBytes);
    Bytes32 seed = Bytes32.wrap(seedBytes);
    long expirationBlock = rounds.latestBlock() + config.expirationBlocks();
    TicketExpirationParams exp = rounds.lastInitializedRound();
    BigInteger rand = recipientRand(seed, sender, faceValue, winProb, expirationBlock, price, exp);
    return new TicketParams(recipient, faceValue, winProb, recipientRandHash(rand), seed, expirationBlock, exp);
  }

  /** max(txCost x m, EV x m), capped by max float and -maxFaceValue; never below EV. */
  static Wei faceValue(Wei txCost, Config config, Wei maxFloat) {
    Wei ev = config.ticketEV();
    Wei fv = txCost.times(config.txCostMultiplier()).max(ev.times(config.txCostMultiplier()));
    fv = fv.min(maxFloat);
    if (!config.maxFaceValue().isZero()) {
      fv = fv.min(config.maxFaceValue());
    }
    if (fv.compareTo(ev) < 0) {
      throw new PaymentsException("insufficient sender reserve: the sender's max float (" + maxFloat
          + " wei) is below the ticket EV (" + ev + " wei); the broadcaster must fund its reserve");
    }
    return fv;
  }

  /** EV x ceil((2^256 - 1) / faceValue), at most 2^256 - 1 (a certain win). */
  static BigInteger winProb(Wei ev, Wei faceValue) {
    if (faceValue.isZero()) {
      return BigInteger.ZERO;
    }
    BigInteger p = ev.value().multiply(Amounts.ceilDiv(Amounts.MAX_UINT256, faceValue.value()));
    return p.min(Amounts.MAX_UINT256);
  }

  /**
   * HMAC-SHA256(secret, seed || sender || faceValue || winProb || expirationBlock || price numerator ||
   * price denominator || auxData), numbers as minimal big-endian bytes.
   */
  BigInteger recipientRand(Bytes32 seed, EthAddress sender, Wei faceValue, BigInteger winProb, long expirationBlock,
      Price price, TicketExpirationParams exp) {
    Mac mac;
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(secret);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new PaymentsException("HmacSHA256 is not available in this JVM", e);
    }
    mac.update(seed.raw());
    mac.update(sender.toBytes());
    mac.update(minimal(faceValue.value()));
    mac.update(minimal(winProb));
    mac.update(minimal(BigInteger.valueOf(expirationBlock)));
    mac.update(minimal(price.pricePerUnit()));
    mac.update(minimal(price.pixelsPerUnit()));
    mac.update(exp.auxData());
    return new BigInteger(1, mac.doFinal());
  }

  /** keccak256(leftpad32(recipientRand)). */
  public static Bytes32 recipientRandHash(BigInteger recipientRand) {
    return Bytes32.wrap(EthCrypto.keccak256(Ticket.uint256(recipientRand)));
  }

  /** Big-endian without leading zeros; zero is empty (like Go's big.Int.Bytes). */
  static byte[] minimal(BigInteger v) {
    if (v.signum() == 0) {
      return new byte[0];
    }
    byte[] b = v.toByteArray();
    if (b[0] == 0) {
      byte[] t = new byte[b.length - 1];
      System.arraycopy(b, 1, t, 0, t.length);
      return t;
    }
    return b;
  }
}
