package io.jlivepeer.wire;

/**
 * Where and how O's one TLS port listens (wire.md "Transport").
 *
 * @param host interface to bind ({@code -serviceAddr} host; default {@code 0.0.0.0})
 * @param port TCP port ({@code -serviceAddr} port; default 8935; 0 picks a free one)
 * @param maxGrpcMessageBytes largest gRPC message accepted (default 4 MiB, gRPC's own default)
 * @param maxConcurrentStreams HTTP/2 streams one connection may have open (default 256)
 * @param workerThreads Netty event-loop threads for socket I/O only (default: number of CPUs)
 * @param maxHeaderBytes request header block, HTTP/1.1 and HTTP/2 alike (default 512 KiB: room for a
 *     {@code Livepeer-Payment} header of many tickets up to {@link WireHeaders#MAX_HEADER_CHARS})
 */
public record ServicePortConfig(String host, int port, int maxGrpcMessageBytes, int maxConcurrentStreams,
    int workerThreads, int maxHeaderBytes) {
  public static final int DEFAULT_PORT = 8935;

  public ServicePortConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("service host must not be empty (use 0.0.0.0 for every interface)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("service port " + port + " is out of range 0..65535");
    }
    if (maxGrpcMessageBytes <= 0 || maxConcurrentStreams <= 0 || workerThreads <= 0 || maxHeaderBytes <= 0) {
      throw new IllegalArgumentException("service port limits and thread count must be positive");
    }
  }

  public static ServicePortConfig defaults() {
    return new ServicePortConfig("0.0.0.0", DEFAULT_PORT, 4 << 20, 256, Runtime.getRuntime().availableProcessors(),
        512 << 10);
  }

  /** The defaults on another address, e.g. {@code withAddress("127.0.0.1", 0)} in tests. */
  public ServicePortConfig withAddress(String newHost, int newPort) {
    return new ServicePortConfig(newHost, newPort, maxGrpcMessageBytes, maxConcurrentStreams, workerThreads,
        maxHeaderBytes);
  }
}
