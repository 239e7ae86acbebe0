package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RtmpServerTest {
  private final EventLoopGroup clients = new NioEventLoopGroup(1);
  private final Map<String, RecordingSink> sinks = new ConcurrentHashMap<>();
  private final PublishListener listener = request -> {
    RecordingSink sink = new RecordingSink(false);
    sinks.put(request.manifestId(), sink);
    return Optional.of(sink);
  };

  @AfterEach
  void stopClients() {
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private static RtmpConfig loopback() {
    return RtmpConfig.defaults().withBindAddress(new InetSocketAddress("127.0.0.1", 0));
  }

  private static URI url(RtmpServer server, String path) {
    return URI.create("rtmp://127.0.0.1:" + server.localAddress().getPort() + path);
  }

  private static List<FlvReader.Tag> tags() {
    return FlvReader.readAll(TestClips.clip());
  }

  @Test
  void closingTheServerEndsEveryLivePublishOnce() throws Exception {
    RtmpServer server = RtmpServer.start(loopback(), listener);
    RtmpPublisher publisher = RtmpPublisher.start(clients, url(server, "/live/shut"), tags(),
        new RtmpPublisher.Options(true, true));
    publisher.publishing().get(10, TimeUnit.SECONDS);
    assertThat(server.activeStreams()).isEqualTo(1);
    server.close();
    assertThat(sinks.get("shut").closeReasons).containsExactly("server shutting down");
    assertThat(publisher.finished()).failsWithin(Duration.ofSeconds(5));
  }

  @Test
  void endPublishClosesOnlyThatPublisherWithTheReason() throws Exception {
    try (RtmpServer server = RtmpServer.start(loopback(), listener)) {
      RtmpPublisher gone = RtmpPublisher.start(clients, url(server, "/live/gone"), tags(),
          new RtmpPublisher.Options(true, true));
      RtmpPublisher stays = RtmpPublisher.start(clients, url(server, "/live/stays"), tags(),
          new RtmpPublisher.Options(true, true));
      gone.publishing().get(10, TimeUnit.SECONDS);
      stays.publishing().get(10, TimeUnit.SECONDS);
      assertThat(server.endPublish("nobody", "deleted")).isFalse();
      assertThat(server.endPublish("gone", "stream deleted through the API")).isTrue();
      assertThat(gone.finished()).failsWithin(Duration.ofSeconds(5));
      assertThat(sinks.get("gone").closeReasons).containsExactly("stream deleted through the API");
      assertThat(server.isLive("gone")).isFalse();
      long before = sinks.get("stays").videoFrames.get();
      Thread.sleep(500);
      assertThat(sinks.get("stays").videoFrames.get()).as("the other stream goes on").isGreaterThan(before);
      assertThat(sinks.get("stays").closeReasons).isEmpty();
      assertThat(server.isLive("stays")).isTrue();
      stays.close();
    }
  }

  @Test
  void refusesPublishesBeyondMaxStreams() throws Exception {
    try (RtmpServer server = RtmpServer.start(loopback().withMaxStreams(1), listener)) {
      RtmpPublisher first = RtmpPublisher.start(clients, url(server, "/live/one"), tags(),
          new RtmpPublisher.Options(true, true));
      first.publishing().get(10, TimeUnit.SECONDS);
      RtmpPublisher second = RtmpPublisher.start(clients, url(server, "/live/two"), tags(),
          new RtmpPublisher.Options(true, true));
      assertThat(second.publishing()).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
          .withMessageContaining("server at capacity (1 streams)");
      first.close();
    }
  }

  @Test
  void closesConnectionsBeyondMaxConnections() throws Exception {
    try (RtmpServer server = RtmpServer.start(loopback().withMaxConnections(1), listener);
        RawClient first = new RawClient(server.localAddress());
        LogCapture logs = new LogCapture()) {
      first.handshake();
      try (RawClient second = new RawClient(server.localAddress())) {
        assertThat(second.awaitClosedByServer(3000)).isTrue();
      }
      assertThat(logs.awaitWarning(Duration.ofSeconds(2), "RtmpConfig.maxConnections")).isPresent();
      assertThat(first.awaitClosedByServer(200)).as("the first connection stays open").isFalse();
    }
  }

  @Test
  void idleConnectionIsClosedWithAReason() throws Exception {
    try (RtmpServer server = RtmpServer.start(loopback().withIdleTimeout(Duration.ofMillis(300)), listener);
        RawClient client = new RawClient(server.localAddress());
        LogCapture logs = new LogCapture()) {
      client.handshake();
      assertThat(client.awaitClosedByServer(3000)).isTrue();
      assertThat(logs.awaitWarning(Duration.ofSeconds(2), "no data received for 300 ms")).isPresent();
    }
  }

  @Test
  void bindFailureNamesTheAddress() {
    try (RtmpServer first = RtmpServer.start(loopback(), listener)) {
      assertThatThrownBy(() -> RtmpServer.start(loopback().withBindAddress(first.localAddress()), listener))
          .isInstanceOf(IngestException.class).hasMessageContaining("could not listen for RTMP on")
          .hasMessageContaining(String.valueOf(first.localAddress().getPort()));
    }
  }

  @Test
  void configRejectsNonsenseLimits() {
    assertThatThrownBy(() -> RtmpConfig.defaults().withMaxChunkSize(16)).isInstanceOf(IngestException.class)
        .hasMessageContaining("maxChunkSize");
    assertThatThrownBy(() -> RtmpConfig.defaults().withMaxMessageLength(1 << 25))
        .hasMessageContaining("maxMessageLength");
    assertThat(RtmpConfig.defaults().bindAddress().getPort()).isEqualTo(1935);
  }
}
