package io.jlivepeer.wire;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client side of O's TLS port for B and T. Per wire.md "Transport" they do not verify O's certificate: O's
 * identity is its Ethereum address, checked through signatures, so a self-signed certificate must be accepted.
 */
public final class WireClients {
  private WireClients() {}

  /** A gRPC channel to O's service port that accepts any certificate. Shut it down when done. */
  public static ManagedChannel grpcChannel(String host, int port) {
    try {
      return NettyChannelBuilder.forAddress(host, port)
          .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
          .build();
    } catch (SSLException e) {
      throw new WireException(500, "cannot set up TLS for gRPC: " + e.getMessage(), e);
    }
  }

  /**
   * An {@link SSLContext} for {@code java.net.http.HttpClient} (B posting segments, T posting results, downloads)
   * that accepts any certificate and skips host-name checks, for O's self-signed certificate.
   */
  public static SSLContext trustAllSslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new WireException(500, "cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** Accepts every server: an X509ExtendedTrustManager so the JDK does not add its own host-name check. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      // a client of O's port never asks for client certificates
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
      // accepted: identity comes from Ethereum signatures (wire.md "Transport")
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      // a client of O's port never asks for client certificates
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      // accepted: identity comes from Ethereum signatures (wire.md "Transport")
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      // a client of O's port never asks for client certificates
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      // accepted: identity comes from Ethereum signatures (wire.md "Transport")
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
