package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class TicketTest {
  private static Ticket zeroTicket(long nonce) {
    return new Ticket(EthAddress.ZERO, EthAddress.ZERO, Wei.ZERO, BigInteger.ZERO, nonce, Bytes32.ZERO, 0, Bytes32.ZERO);
  }

  @Test
  void hashMatchesKnownAnswerForMaxUint32Nonce() {
    assertThat(zeroTicket(4294967295L).hash())
        .isEqualTo(Bytes32.fromHex("e1393fc7f6de093780674022f96cb8e3872235167d037c04d554e58c0e63d280"));
  }

  @Test
  void hashMatchesKnownAnswerForNonceOne() {
    assertThat(zeroTicket(1).hash())
        .isEqualTo(Bytes32.fromHex("ce0918ba94518293e9712effbe5fca4f1f431089833a5b8c257cb1e024595f68"));
  }

  @Test
  void hashIncludesAuxDataWhenCreationRoundIsSet() {
    Ticket withRound = new Ticket(EthAddress.ZERO, EthAddress.ZERO, Wei.ZERO, BigInteger.ZERO, 1, Bytes32.ZERO, 5, Bytes32.ZERO);
    Bytes32 hash = Bytes32.fromHex("11".repeat(32));
    Ticket withHash = new Ticket(EthAddress.ZERO, EthAddress.ZERO, Wei.ZERO, BigInteger.ZERO, 1, Bytes32.ZERO, 0, hash);
    assertThat(withRound.auxData()).hasSize(64);
    assertThat(zeroTicket(1).auxData()).isEmpty();
    assertThat(withRound.hash()).isNotEqualTo(zeroTicket(1).hash());
    assertThat(withHash.hash()).isNotEqualTo(zeroTicket(1).hash());
    // packed layout: 20 + 20 + 4 x 32 + 64 bytes, round as uint256 then the block hash
    byte[] packed = new byte[232];
    packed[135] = 1; // nonce
    packed[199] = 5; // creationRound
    assertThat(withRound.hash()).isEqualTo(Bytes32.wrap(EthCrypto.keccak256(packed)));
  }

  @Test
  void hashEncodesEveryFieldBigEndian() {
    EthAddress r = EthAddress.of("0x1111111111111111111111111111111111111111");
    EthAddress s = EthAddress.of("0x2222222222222222222222222222222222222222");
    Ticket t = new Ticket(r, s, Wei.of(0x0102), BigInteger.valueOf(0x0304), 0x0506, Bytes32.fromHex("77".repeat(32)),
        0, Bytes32.ZERO);
    byte[] packed = new byte[168];
    System.arraycopy(r.toBytes(), 0, packed, 0, 20);
    System.arraycopy(s.toBytes(), 0, packed, 20, 20);
    packed[70] = 1;
    packed[71] = 2;
    packed[102] = 3;
    packed[103] = 4;
    packed[134] = 5;
    packed[135] = 6;
    for (int i = 136; i < 168; i++) {
      packed[i] = 0x77;
    }
    assertThat(t.hash()).isEqualTo(Bytes32.wrap(EthCrypto.keccak256(packed)));
  }

  @Test
  void hashHandlesFullWidthUint256() {
    Ticket t = new Ticket(EthAddress.ZERO, EthAddress.ZERO, Wei.of(Amounts.MAX_UINT256), Amounts.MAX_UINT256, 0,
        Bytes32.ZERO, 0, Bytes32.ZERO);
    byte[] packed = new byte[168];
    for (int i = 40; i < 104; i++) {
      packed[i] = (byte) 0xff;
    }
    assertThat(t.hash()).isEqualTo(Bytes32.wrap(EthCrypto.keccak256(packed)));
  }

  @Test
  void expectedValueIsFaceValueTimesProbability() {
    BigInteger tenth = Amounts.MAX_UINT256.divide(BigInteger.TEN);
    Ticket t = new Ticket(EthAddress.ZERO, EthAddress.ZERO, Wei.of(1000), tenth, 1, Bytes32.ZERO, 0, Bytes32.ZERO);
    assertThat(t.expectedValue().doubleValue()).isCloseTo(100.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void rejectsWinProbAboveUint256() {
    assertThatThrownBy(() -> new Ticket(EthAddress.ZERO, EthAddress.ZERO, Wei.ZERO, Amounts.MAX_UINT256.add(BigInteger.ONE),
        0, Bytes32.ZERO, 0, Bytes32.ZERO)).isInstanceOf(PaymentsException.class);
  }
}
