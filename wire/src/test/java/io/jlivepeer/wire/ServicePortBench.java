package io.jlivepeer.wire;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.PingPong;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;

/**
 * What the shared port's relay costs: Ping echo latency (1-byte value) and a 3 MiB echo, through {@link
 * ServicePort} and through a plain grpc-java TLS server, both on loopback. Not a test; run its main with the test
 * classpath (see the module's report for the command).
 */
final class ServicePortBench {
  private ServicePortBench() {}

  public static void main(String[] args) throws Exception {
    TlsIdentity identity = TlsIdentity.generate(Clock.systemUTC());
    BindableService echo = new OrchestratorGrpc.OrchestratorImplBase() {
      @Override
      public void ping(PingPong request, StreamObserver<PingPong> response) {
        response.onNext(request);
        response.onCompleted();
      }
    };
    Server direct = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(GrpcSslContexts.configure(io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder
            .forServer(identity.privateKey(), identity.certificate())).build())
        .addService(echo).build().start();
    try (ServicePort shared = ServicePort.start(ServicePortConfig.defaults().withAddress("127.0.0.1", 0), identity,
        List.of(echo.bindService()), pipeline -> { })) {
      byte[] big = new byte[3 << 20];
      for (int round = 0; round < 3; round++) { // the first rounds warm the JIT up
        measure("direct", direct.getPort(), big);
        measure("shared", shared.address().getPort(), big);
      }
    } finally {
      direct.shutdownNow();
    }
  }

  private static void measure(String name, int port, byte[] big) {
    ManagedChannel channel = WireClients.grpcChannel("127.0.0.1", port);
    try {
      OrchestratorGrpc.OrchestratorBlockingStub stub = OrchestratorGrpc.newBlockingStub(channel);
      long bestBig = Long.MAX_VALUE;
      for (int i = 0; i < 10; i++) {
        long t0 = System.nanoTime();
        stub.ping(PingPong.newBuilder().setValue(ByteString.copyFrom(big)).build());
        bestBig = Math.min(bestBig, System.nanoTime() - t0);
      }
      long bestSmall = Long.MAX_VALUE;
      for (int i = 0; i < 200; i++) {
        long t0 = System.nanoTime();
        stub.ping(PingPong.newBuilder().setValue(ByteString.copyFromUtf8("x")).build());
        bestSmall = Math.min(bestSmall, System.nanoTime() - t0);
      }
      System.out.printf("%s: 1-byte echo best %.2f ms, 3 MiB echo best %.1f ms%n", name, bestSmall / 1e6, bestBig / 1e6);
    } finally {
      channel.shutdownNow();
    }
  }
}
