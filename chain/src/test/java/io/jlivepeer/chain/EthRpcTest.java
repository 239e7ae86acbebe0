package io.jlivepeer.chain;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EthRpcTest {
  @Test
  void unreachableEndpointNamesTheUrl() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there now
    }
    String url = "http://127.0.0.1:" + port;
    assertThatThrownBy(() -> EthRpc.connect(url, Duration.ofSeconds(2)))
        .isInstanceOf(ChainException.class)
        .hasMessageStartingWith("cannot reach the Ethereum JSON-RPC endpoint at " + url)
        .hasMessageContaining("check -ethUrl");
  }

  @Test
  void rejectsNonHttpUrls() {
    assertThatThrownBy(() -> EthRpc.connect("ws://127.0.0.1:8545")).hasMessageContaining("expected http:// or https://");
    assertThatThrownBy(() -> EthRpc.connect("not a url")).hasMessageContaining("not a JSON-RPC URL");
  }
}
