package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;

class RevertReasonsTest {
  private static String encode(String name, org.web3j.abi.datatypes.Type<?> arg) {
    return FunctionEncoder.encode(new Function(name, List.of(arg), List.of()));
  }

  @Test
  void decodesErrorString() {
    String data = encode("Error", new Utf8String("delegation amount must be greater than 0"));
    assertThat(data).startsWith("0x08c379a0");
    assertThat(RevertReasons.decode(data)).contains("delegation amount must be greater than 0");
  }

  @Test
  void decodesPanicCodes() {
    String data = encode("Panic", new Uint256(BigInteger.valueOf(0x11)));
    assertThat(data).startsWith("0x4e487b71");
    assertThat(RevertReasons.decode(data)).contains("panic 0x11 (arithmetic overflow or underflow)");
  }

  @Test
  void fallsBackToTheNodesMessageWithoutData() {
    RpcError e = new RpcError("eth_call", "http://x", 3, "execution reverted: ticket is used", null);
    assertThat(RevertReasons.fromRpcError(e)).contains("ticket is used");
    RpcError none = new RpcError("eth_call", "http://x", 3, "execution reverted", "0x");
    assertThat(RevertReasons.fromRpcError(none)).contains("execution reverted (no reason given)");
  }

  @Test
  void decodesOwnableUnauthorizedAccount() {
    String data = encode("OwnableUnauthorizedAccount",
        new org.web3j.abi.datatypes.Address("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"));
    assertThat(data).startsWith("0x118cdaa7");
    assertThat(RevertReasons.decode(data)).contains("caller 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23 is not the owner");
  }

  @Test
  void ignoresGarbage() {
    assertThat(RevertReasons.decode("0x08c379a0ff")).isEmpty();
    assertThat(RevertReasons.decode("nothex")).isEmpty();
  }
}
