package io.jlivepeer.wire;

import static io.jlivepeer.wire.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Our services under the reference names, over a real loopback HTTP/2 connection (plaintext, port 0). */
class GrpcWireNamesTest {
  @Test
  void rawClientCallsGetOrchestratorByItsWireName() throws Exception {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new TestServices.Orchestrator()).build().start();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      byte[] request = bytes("0a 02 11 22 | 20 01"); // OrchestratorRequest{address=1: 1122, ignoreCapacityCheck=4}
      byte[] response = ClientCalls.blockingUnaryCall(channel, TestServices.RAW_GET_ORCHESTRATOR,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
      String url = "https://o.example:8935/1122";
      // OrchestratorInfo{transcoder=1: url, address=4: ab}, written by hand
      assertThat(Hex.hex(response)).isEqualTo("0a" + String.format("%02x", url.length())
          + Hex.hex(url.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + "2201ab");
      assertThat(OrchestratorInfo.parseFrom(response).getTranscoder()).isEqualTo(url);
    } finally {
      channel.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
