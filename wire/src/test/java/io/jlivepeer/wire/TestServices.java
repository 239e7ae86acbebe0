package io.jlivepeer.wire;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jlivepeer.wire.proto.EndTranscodingSessionRequest;
import io.jlivepeer.wire.proto.EndTranscodingSessionResponse;
import io.jlivepeer.wire.proto.NotifySegment;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.PingPong;
import io.jlivepeer.wire.proto.RegisterRequest;
import io.jlivepeer.wire.proto.TranscoderGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;

/** Tiny service implementations and a raw byte-array gRPC method for the transport tests. */
final class TestServices {
  private TestServices() {}

  /** Answers GetOrchestrator with a transcoder URL that echoes the request's address bytes in hex. */
  static final class Orchestrator extends OrchestratorGrpc.OrchestratorImplBase {
    volatile boolean sawDeadline;

    @Override
    public void getOrchestrator(OrchestratorRequest request, StreamObserver<OrchestratorInfo> response) {
      sawDeadline = Context.current().getDeadline() != null;
      response.onNext(OrchestratorInfo.newBuilder()
          .setTranscoder("https://o.example:8935/" + Hex.hex(request.getAddress().toByteArray()))
          .setAddress(ByteString.copyFrom(new byte[] {(byte) 0xab}))
          .build());
      response.onCompleted();
    }

    @Override
    public void ping(PingPong request, StreamObserver<PingPong> response) {
      response.onNext(request);
      response.onCompleted();
    }

    @Override
    public void endTranscodingSession(EndTranscodingSessionRequest request,
        StreamObserver<EndTranscodingSessionResponse> response) {
      response.onNext(EndTranscodingSessionResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  /** Sends {@code capacity} NotifySegments, then keeps the stream open until the client goes away. */
  static final class Transcoder extends TranscoderGrpc.TranscoderImplBase {
    final CountDownLatch cancelled = new CountDownLatch(1);

    @Override
    public void registerTranscoder(RegisterRequest request, StreamObserver<NotifySegment> response) {
      ((ServerCallStreamObserver<NotifySegment>) response).setOnCancelHandler(cancelled::countDown);
      for (int i = 0; i < request.getCapacity(); i++) {
        response.onNext(NotifySegment.newBuilder().setTaskId(i).setUrl(request.getSecret() + "/" + i).build());
      }
    }
  }

  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** GetOrchestrator as a client that knows nothing of our generated code: just the wire name and bytes. */
  static final MethodDescriptor<byte[], byte[]> RAW_GET_ORCHESTRATOR = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("net.Orchestrator/GetOrchestrator")
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();
}
