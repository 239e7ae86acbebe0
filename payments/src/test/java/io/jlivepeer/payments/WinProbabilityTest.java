package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class WinProbabilityTest {
  @Test
  void tenThousandTicketsAtOneInTenWinWithinTheBinomialBand() {
    EthKey key = EthKey.fromHex("5a".repeat(32));
    BigInteger winProb = Amounts.MAX_UINT256.divide(BigInteger.TEN);
    BigInteger recipientRand = new BigInteger(1, EthCrypto.keccak256("recipient rand".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    Ticket base = new Ticket(EthAddress.of("0x" + "01".repeat(20)), key.address(), Wei.of(1_000_000), winProb, 0,
        TicketParamsIssuer.recipientRandHash(recipientRand), 7, Bytes32.fromHex("cd".repeat(32)));
    int n = 10_000;
    int wins = 0;
    for (int nonce = 1; nonce <= n; nonce++) {
      Signature sig = key.signPersonal(base.withNonce(nonce).hash());
      if (TicketValidator.isWinner(sig, recipientRand, winProb)) {
        wins++;
      }
    }
    // mean 1000, sd sqrt(10000 x 0.1 x 0.9) = 30; 99.9% two-sided band = +-3.29 sd = +-99
    assertThat(wins).isBetween(901, 1099);
  }
}
