package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.payments.Bytes32;
import io.jlivepeer.payments.EthAddress;
import io.jlivepeer.payments.Ticket;
import io.jlivepeer.payments.Wei;
import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PaymentsTypesTest {
  private static final String A = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
  private static final String B = "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359";

  @Test
  void contractTicketCarriesCreationRoundAndBlockHashAsSixtyFourBytesOfAuxData() {
    Bytes32 blockHash = Bytes32.fromHex("ab".repeat(32));
    Bytes32 randHash = Bytes32.fromHex("cd".repeat(32));
    Ticket t = new Ticket(EthAddress.of(A), EthAddress.of(B),
        Wei.of(1000), BigInteger.TEN, 42, randHash, 0x0102, blockHash);

    ProtocolClient.WinningTicket w = PaymentsTypes.toChain(t);

    assertThat(w.recipient()).isEqualTo(EthAddress.of(A));
    assertThat(w.sender()).isEqualTo(EthAddress.of(B));
    assertThat(w.faceValue()).isEqualTo(Wei.of(1000));
    assertThat(w.winProb()).isEqualTo(BigInteger.TEN);
    assertThat(w.senderNonce()).isEqualTo(BigInteger.valueOf(42));
    assertThat(w.recipientRandHash()).isEqualTo(randHash.toBytes());
    assertThat(w.auxData()).isEqualTo(t.auxData()).hasSize(64);
    assertThat(Arrays.copyOfRange(w.auxData(), 30, 32)).containsExactly(1, 2);
    assertThat(Arrays.copyOfRange(w.auxData(), 32, 64)).isEqualTo(blockHash.toBytes());
  }
}
