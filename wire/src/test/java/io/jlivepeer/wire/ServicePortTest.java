package io.jlivepeer.wire;

import static io.jlivepeer.wire.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.jlivepeer.wire.proto.NotifySegment;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.PingPong;
import io.jlivepeer.wire.proto.RegisterRequest;
import io.jlivepeer.wire.proto.TranscoderGrpc;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC and HTTPS on one TLS port, both HTTP versions, with the clients B and T use. */
class ServicePortTest {
  @TempDir
  static Path dataDir;

  private static final TestServices.Orchestrator ORCHESTRATOR = new TestServices.Orchestrator();
  private static final TestServices.Transcoder TRANSCODER = new TestServices.Transcoder();
  private static ServicePort port;
  private static ManagedChannel channel;

  /** Echoes "METHOD path bytes=N" so a test can see which pipeline answered. */
  private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      byte[] body = (request.method() + " " + request.uri() + " bytes=" + request.content().readableBytes())
          .getBytes(StandardCharsets.US_ASCII);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      ctx.writeAndFlush(response);
    }
  }

  @BeforeAll
  static void start() {
    TlsIdentity identity = TlsIdentity.loadOrCreate(dataDir, Clock.systemUTC());
    port = ServicePort.start(ServicePortConfig.defaults().withAddress("127.0.0.1", 0), identity,
        List.of(ORCHESTRATOR.bindService(), TRANSCODER.bindService()),
        pipeline -> pipeline.addLast(new HttpObjectAggregator(1 << 20), new Echo()));
    channel = WireClients.grpcChannel("127.0.0.1", port.address().getPort());
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    port.close();
  }

  @Test
  void rawGrpcClientGetsAWellFormedOrchestratorInfoOverTls() throws Exception {
    byte[] response = ClientCalls.blockingUnaryCall(channel, TestServices.RAW_GET_ORCHESTRATOR,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), bytes("0a 01 7f")); // address=1: 7f
    OrchestratorInfo info = OrchestratorInfo.parseFrom(response);
    assertThat(info.getTranscoder()).isEqualTo("https://o.example:8935/7f");
    assertThat(info.getAddress().toByteArray()).containsExactly(0xab);
    assertThat(ORCHESTRATOR.sawDeadline).as("grpc-timeout is relayed").isTrue();
  }

  @Test
  void generatedStubsWorkThroughTheSharedPort() {
    OrchestratorGrpc.OrchestratorBlockingStub stub = OrchestratorGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
    for (int i = 0; i < 20; i++) {
      ByteString value = ByteString.copyFrom(new byte[] {(byte) i});
      assertThat(stub.ping(PingPong.newBuilder().setValue(value).build()).getValue()).isEqualTo(value);
    }
    assertThat(stub.getOrchestrator(OrchestratorRequest.getDefaultInstance()).getTranscoder()).endsWith("/");
  }

  @Test
  void serverStreamingDeliversAndCancellationReachesTheService() throws Exception {
    io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
    Iterator<NotifySegment> segments = context.call(() -> TranscoderGrpc.newBlockingStub(channel)
        .registerTranscoder(RegisterRequest.newBuilder().setSecret("s").setCapacity(3).build()));
    for (int i = 0; i < 3; i++) {
      NotifySegment n = segments.next();
      assertThat(n.getTaskId()).isEqualTo(i);
      assertThat(n.getUrl()).isEqualTo("s/" + i);
    }
    context.cancel(null);
    assertThat(TRANSCODER.cancelled.await(10, TimeUnit.SECONDS)).as("T going away is seen by O").isTrue();
  }

  @Test
  void httpsRoutesAnswerOverHttp2AndHttp11() throws Exception {
    for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
      HttpClient client = HttpClient.newBuilder().version(version).sslContext(WireClients.trustAllSslContext())
          .connectTimeout(Duration.ofSeconds(5)).build();
      for (int i = 0; i < 3; i++) { // several requests: keep-alive on HTTP/1.1, several streams on HTTP/2
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + port.address().getPort() + "/segment"))
            .header("Content-Type", WireHeaders.CONTENT_TYPE_SEGMENT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000 + i])).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(version);
        assertThat(response.body()).isEqualTo("POST /segment bytes=" + (1000 + i));
      }
    }
  }

  @Test
  void grpcToAnUnknownServiceFailsCleanly() {
    io.grpc.MethodDescriptor<byte[], byte[]> unknown = TestServices.RAW_GET_ORCHESTRATOR.toBuilder()
        .setFullMethodName("net.Nope/Nothing").build();
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, unknown,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.UNIMPLEMENTED));
  }
}
