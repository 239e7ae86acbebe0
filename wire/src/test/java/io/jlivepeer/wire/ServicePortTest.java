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
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CountDownLatch;
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
      String segmentHeader = request.headers().get(WireHeaders.SEGMENT, "");
      byte[] body = (request.method() + " " + request.uri() + " bytes=" + request.content().readableBytes()
          + (segmentHeader.isEmpty() ? "" : " segmentHeader=" + segmentHeader.length()))
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
  void largeHeadersPassOnBothHttpVersions() throws Exception {
    String header = "A".repeat(200_000); // a Livepeer-Payment carrying many tickets can be this large
    for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
      HttpClient client = HttpClient.newBuilder().version(version).sslContext(WireClients.trustAllSslContext()).build();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(
              URI.create("https://127.0.0.1:" + port.address().getPort() + "/payment"))
          .header(WireHeaders.SEGMENT, header).POST(HttpRequest.BodyPublishers.noBody())
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("POST /payment bytes=0 segmentHeader=200000");
    }
  }

  @Test
  void largeGrpcMessagesCrossTheRelayBothWays() {
    OrchestratorGrpc.OrchestratorBlockingStub stub = OrchestratorGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    byte[] big = new byte[3 << 20]; // far past HTTP/2's 64 KiB initial window: needs WINDOW_UPDATEs relayed
    new java.util.Random(5).nextBytes(big);
    PingPong answer = stub.ping(PingPong.newBuilder().setValue(ByteString.copyFrom(big)).build());
    assertThat(answer.getValue().toByteArray()).isEqualTo(big);
  }

  @Test
  void grpcAndHttpsStreamsShareOneHttp2Connection() throws Exception {
    SslContext ssl = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
        .build();
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    try {
      Channel connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port.address().getPort()),
                  Http2FrameCodecBuilder.forClient().build(), new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
          })
          .connect(port.address()).sync().channel();
      FrameCollector grpc = new FrameCollector();
      FrameCollector https = new FrameCollector();
      Http2StreamChannel grpcStream = new Http2StreamChannelBootstrap(connection).handler(grpc).open().sync().getNow();
      Http2StreamChannel httpsStream = new Http2StreamChannelBootstrap(connection).handler(https).open().sync().getNow();

      DefaultHttp2Headers grpcHeaders = new DefaultHttp2Headers();
      grpcHeaders.method("POST").path("/net.Orchestrator/Ping").scheme("https").authority("127.0.0.1")
          .set("content-type", "application/grpc").set("te", "trailers");
      grpcStream.write(new DefaultHttp2HeadersFrame(grpcHeaders));
      // gRPC length-prefixed message: not compressed, length 5, PingPong{value=1: 010203}
      grpcStream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes("00 00000005 0a03010203")), true));
      DefaultHttp2Headers httpHeaders = new DefaultHttp2Headers();
      httpHeaders.method("GET").path("/hello").scheme("https").authority("127.0.0.1");
      httpsStream.writeAndFlush(new DefaultHttp2HeadersFrame(httpHeaders, true));

      assertThat(https.awaitEnd()).isTrue();
      assertThat(https.headers.get(0).status().toString()).isEqualTo("200");
      assertThat(https.data.toString(StandardCharsets.US_ASCII)).isEqualTo("GET /hello bytes=0");

      assertThat(grpc.awaitEnd()).isTrue();
      assertThat(grpc.headers.get(0).get("content-type").toString()).isEqualTo("application/grpc");
      assertThat(Hex.hex(grpc.data.toByteArray())).isEqualTo("00000000050a03010203");
      assertThat(grpc.headers.get(grpc.headers.size() - 1).get("grpc-status").toString()).isEqualTo("0");
      assertThat(grpcStream.parent()).isSameAs(httpsStream.parent());
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** Collects one HTTP/2 stream's answer: header blocks and data bytes, until END_STREAM. */
  private static final class FrameCollector extends ChannelInboundHandlerAdapter {
    final List<Http2Headers> headers = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
    private final CountDownLatch end = new CountDownLatch(1);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame h) {
          headers.add(h.headers());
          if (h.isEndStream()) {
            end.countDown();
          }
        } else if (msg instanceof Http2DataFrame d) {
          synchronized (data) {
            byte[] chunk = new byte[d.content().readableBytes()];
            d.content().readBytes(chunk);
            data.writeBytes(chunk);
          }
          if (d.isEndStream()) {
            end.countDown();
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    boolean awaitEnd() throws InterruptedException {
      return end.await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void clientsAcceptACertificateIssuedForAnotherName() throws Exception {
    // B and T pin nothing (wire.md "Transport"): O's certificate rarely names the address they dial.
    TlsIdentity foreign = TlsIdentity.generate(Clock.systemUTC(), "other.example");
    try (ServicePort other = ServicePort.start(ServicePortConfig.defaults().withAddress("127.0.0.1", 0), foreign,
        List.of(ORCHESTRATOR.bindService()), pipeline -> pipeline.addLast(new HttpObjectAggregator(1024), new Echo()))) {
      ManagedChannel grpcChannel = WireClients.grpcChannel("127.0.0.1", other.address().getPort());
      try {
        PingPong ping = PingPong.newBuilder().setValue(ByteString.copyFromUtf8("hi")).build();
        assertThat(OrchestratorGrpc.newBlockingStub(grpcChannel).withDeadlineAfter(10, TimeUnit.SECONDS).ping(ping))
            .isEqualTo(ping);
      } finally {
        grpcChannel.shutdownNow();
      }
      HttpClient client = HttpClient.newBuilder().sslContext(WireClients.trustAllSslContext()).build();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + other.address().getPort() + "/x")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("GET /x bytes=0");
    }
  }

  @Test
  void clientWithoutAlpnGetsHttp11() throws Exception {
    javax.net.ssl.SSLSocketFactory factory = WireClients.trustAllSslContext().getSocketFactory();
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) factory.createSocket("127.0.0.1",
        port.address().getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /plain HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // the test handler keeps the connection open: read exactly one response
      java.io.InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.read());
      }
      int length = Integer.parseInt(head.toString().replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
      String body = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
      assertThat(socket.getApplicationProtocol()).isEmpty(); // no ALPN offered
      assertThat(head.toString()).startsWith("HTTP/1.1 200 OK");
      assertThat(body).isEqualTo("GET /plain bytes=0");
    }
  }

  @Test
  void grpcCallsGetUnavailableWhenTheBackendIsGone() throws Exception {
    try (ServicePort broken = ServicePort.start(ServicePortConfig.defaults().withAddress("127.0.0.1", 0),
        TlsIdentity.loadOrCreate(dataDir, Clock.systemUTC()), List.of(ORCHESTRATOR.bindService()), pipeline -> { })) {
      broken.grpcBackend().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      ManagedChannel grpcChannel = WireClients.grpcChannel("127.0.0.1", broken.address().getPort());
      try {
        assertThatThrownBy(() -> OrchestratorGrpc.newBlockingStub(grpcChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .ping(PingPong.getDefaultInstance()))
            .isInstanceOf(StatusRuntimeException.class)
            .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.UNAVAILABLE))
            .hasMessageContaining("gRPC backend unreachable");
      } finally {
        grpcChannel.shutdownNow();
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
