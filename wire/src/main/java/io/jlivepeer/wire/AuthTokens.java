package io.jlivepeer.wire;

import com.google.protobuf.ByteString;
import io.jlivepeer.wire.proto.AuthToken;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * O's session tokens (wire.md "Auth token"): {@code token = HMAC-SHA256(secret, session_id || minimal big-endian
 * bytes of expiration)}, session id = 8 hex chars, valid {@link #VALIDITY}. Thread-safe when the random generator
 * is (use a {@link java.security.SecureRandom}).
 */
public final class AuthTokens {
  /** How long a token is valid. */
  public static final Duration VALIDITY = Duration.ofMinutes(30);

  private final SecretKeySpec key;
  private final Clock clock;
  private final RandomGenerator random;

  /**
   * @param secret O's token secret (random, kept for the process lifetime; restarting O invalidates tokens)
   * @param clock time source for expiry
   * @param random source of session ids
   */
  public AuthTokens(byte[] secret, Clock clock, RandomGenerator random) {
    if (secret.length == 0) {
      throw new WireException(500, "auth token secret must not be empty");
    }
    this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    this.clock = clock;
    this.random = random;
  }

  /** A token for a new session: fresh 8-hex-char session id, expiring {@link #VALIDITY} from now. */
  public AuthToken create() {
    byte[] id = new byte[4];
    random.nextBytes(id);
    return create(HexFormat.of().formatHex(id));
  }

  /** A token for {@code sessionId}, expiring {@link #VALIDITY} from now. */
  public AuthToken create(String sessionId) {
    long expiration = clock.instant().plus(VALIDITY).getEpochSecond();
    return AuthToken.newBuilder()
        .setToken(ByteString.copyFrom(mac(sessionId, expiration)))
        .setSessionId(sessionId)
        .setExpiration(expiration)
        .build();
  }

  /**
   * Checks a token a peer sent: throws {@link WireException} (403) when it was not made with our secret or has
   * expired. Returns its session id.
   */
  public String verify(AuthToken token) {
    byte[] expected = mac(token.getSessionId(), token.getExpiration());
    if (!MessageDigest.isEqual(expected, token.getToken().toByteArray())) {
      throw new WireException(403, "invalid auth token: not issued by this orchestrator (or it restarted); "
          + "call GetOrchestrator again");
    }
    if (clock.instant().getEpochSecond() >= token.getExpiration()) {
      throw new WireException(403, "auth token expired at " + Instant.ofEpochSecond(token.getExpiration())
          + "; call GetOrchestrator again");
    }
    return token.getSessionId();
  }

  /** B's rule: refresh the session when the token is in the last 10% of its life (or already expired). */
  public static boolean needsRefresh(AuthToken token, Clock clock) {
    long now = clock.instant().getEpochSecond();
    long tenthOfLife = VALIDITY.toSeconds() / 10;
    return now >= token.getExpiration() - tenthOfLife;
  }

  private byte[] mac(String sessionId, long expiration) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(sessionId.getBytes(StandardCharsets.UTF_8));
      mac.update(minimalBigEndian(expiration));
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  /** Big-endian bytes without leading zeros (0 -> no bytes), as Go's big.Int.Bytes() gives them. */
  static byte[] minimalBigEndian(long value) {
    if (value <= 0) {
      return new byte[0];
    }
    byte[] raw = BigInteger.valueOf(value).toByteArray();
    return raw[0] == 0 ? java.util.Arrays.copyOfRange(raw, 1, raw.length) : raw;
  }
}
