package io.jlivepeer.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EthAddressTest {
  // EIP-55's own examples.
  private static final String CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

  @Test
  void printsTheEip55ChecksummedForm() {
    assertThat(EthAddress.of(CHECKSUMMED.toLowerCase()).toString()).isEqualTo(CHECKSUMMED);
    assertThat(EthAddress.of("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359").toString())
        .isEqualTo("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
  }

  @Test
  void printsEveryEip55Example() {
    for (String a : new String[] {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
      assertThat(EthAddress.of(a.toLowerCase()).toString()).isEqualTo(a);
      assertThat(EthAddress.of(EthAddress.of(a).toBytes()).toString()).isEqualTo(a);
    }
  }

  @Test
  void acceptsAllLowerOrAllUpperCaseWithoutChecksum() {
    assertThat(EthAddress.of(CHECKSUMMED.toLowerCase())).isEqualTo(EthAddress.of(CHECKSUMMED));
    assertThat(EthAddress.of("0x" + CHECKSUMMED.substring(2).toUpperCase())).isEqualTo(EthAddress.of(CHECKSUMMED));
    assertThat(EthAddress.of(CHECKSUMMED.substring(2))).isEqualTo(EthAddress.of(CHECKSUMMED));
  }

  @Test
  void rejectsMixedCaseWithWrongChecksum() {
    String typo = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
    assertThatThrownBy(() -> EthAddress.of(typo))
        .isInstanceOf(PaymentsException.class)
        .hasMessageStartingWith("not an Ethereum address: \"" + typo + "\"")
        .hasMessageContaining("EIP-55 checksum")
        .hasMessageContaining(CHECKSUMMED);
  }

  @Test
  void rejectsMalformedText() {
    for (String bad : new String[] {"", "0x", "0x1234", "hello", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedff", "0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x" + "\u0663".repeat(40)}) {
      assertThatThrownBy(() -> EthAddress.of(bad)).isInstanceOf(PaymentsException.class).hasMessageStartingWith("not an Ethereum address: ");
    }
    assertThatThrownBy(() -> EthAddress.of((String) null)).hasMessage("not an Ethereum address: (missing)");
  }

  @Test
  void roundTripsBytes() {
    EthAddress a = EthAddress.of(CHECKSUMMED);
    assertThat(EthAddress.of(a.toBytes())).isEqualTo(a);
    assertThat(EthAddress.ZERO.isZero()).isTrue();
  }
}
