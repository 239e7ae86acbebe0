package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.jlivepeer.ingest.FlvReader;
import io.jlivepeer.ingest.RtmpPublisher;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.node.NodeStats;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The fuzzers' kinds of input against a real broadcaster (RTMP and HTTP-push ingest, segmenter, x264, HLS) while a
 * good publisher streams into it: every offending connection is closed (or its push refused) with a logged reason,
 * and the good stream's segments keep being cut and transcoded throughout, none failed or skipped.
 */
class BroadcasterBadInputTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dataDir;

  @Test
  void badInputOnOtherConnectionsIsClosedWithAReasonWhileAGoodStreamGoesOn() throws Exception {
    List<FlvReader.Tag> clip = FlvReader.readAll(TestMedia.source(320, 180, 30, 4, "flv"));
    BroadcasterConfig config = new BroadcasterConfig(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), VideoProfiles.parse("P144p30fps16x9"), dataDir, 16,
        Duration.ofSeconds(1), 1000, 20);
    Logger ingest = (Logger) LoggerFactory.getLogger("io.jlivepeer.ingest");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    ingest.addAppender(logs);
    EventLoopGroup clients = new NioEventLoopGroup(1);
    try (BroadcasterNode node = BroadcasterNode.start(config, new FfmpegTranscoder())) {
      String rtmp = "rtmp://127.0.0.1:" + node.rtmpAddress().getPort() + "/live/";
      RtmpPublisher good = RtmpPublisher.start(clients, URI.create(rtmp + "good"), clip,
          new RtmpPublisher.Options(true, true));
      good.publishing().get(10, TimeUnit.SECONDS);
      awaitSegmentsOut(node, 1);

      long beforeAttacks = node.stats().segmentsOut();
      List<String> attacks = new ArrayList<>();
      // 1. garbage where the handshake should be (first byte not version 3)
      byte[] garbage = new byte[4096];
      new Random(14).nextBytes(garbage);
      garbage[0] = (byte) 0xA7;
      attacks.add(rawAttack(node, "garbage handshake", false, garbage, logs, "handshake refused"));
      // 2. random bytes as the chunk stream after a valid handshake
      byte[] chunks = new byte[8192];
      new Random(15).nextBytes(chunks);
      attacks.add(rawAttack(node, "malformed chunk stream", true, chunks, logs, "protocol error"));
      // 3. an AMF0 command (type 20) whose string claims 65535 bytes in a 3-byte body
      attacks.add(rawAttack(node, "bad AMF0", true, hex("03 000000 000003 14 00000000 02ffff"), logs,
          "protocol error"));
      // 4. the fuzzer's finding: an AMF3 command message (type 17) with an empty body
      attacks.add(rawAttack(node, "empty AMF3 command", true, hex("03 000000 000000 11 00000000"), logs,
          "command message without a command name"));
      // 5. bad FLV tags from a publisher that gets through connect and publish: Sorenson video, then a cut AVC tag
      attacks.add(badFlvAttack(clients, rtmp + "badflv", logs));
      // 6. HTTP push of bytes that are not MPEG-TS, and of a TS cut mid-packet
      attacks.add(badPush(node, "garbage", Arrays.copyOf(garbage, 188 * 4), logs, "does not start with the sync byte"));
      attacks.add(badPush(node, "cut", new byte[1000], logs, "not a multiple of the 188-byte"));

      // the good stream's segments kept coming while the attacks ran, and go on after them
      long afterAttacks = node.stats().segmentsOut();
      awaitSegmentsOut(node, Math.max(beforeAttacks + 2, afterAttacks + 1));
      assertThat(good.finished()).as("the good publisher is still connected").isNotDone();
      NodeStats stats = node.stats();
      assertThat(stats.segmentsFailed()).isZero();
      assertThat(stats.segmentsDropped()).isZero();
      assertThat(attacks).hasSize(7).allSatisfy(reason -> assertThat(reason).isNotBlank());
      assertThat(logs.list).noneMatch(e -> e.getLevel() == Level.ERROR);
      good.close();
    } finally {
      ingest.detachAppender(logs);
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** Sends {@code payload} (after a valid handshake when asked), waits for the server's close, returns the reason. */
  private static String rawAttack(BroadcasterNode node, String what, boolean handshake, byte[] payload,
      ListAppender<ILoggingEvent> logs, String reason) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.rtmpAddress().getPort())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      if (handshake) {
        byte[] c1 = new byte[1536];
        new Random(1).nextBytes(c1);
        out.write(3);
        out.write(c1);
        byte[] s = in.readNBytes(1 + 1536 + 1536);
        assertThat(s).as("%s: S0+S1+S2", what).hasSize(3073);
        out.write(s, 1, 1536); // C2 echoes S1
      }
      try {
        out.write(payload);
        out.flush();
      } catch (IOException closedWhileWriting) {
        // the server may close before it read everything: that is the point
      }
      assertThat(readsToEnd(in)).as("%s: the server closes the connection", what).isTrue();
    }
    String logged = awaitWarning(logs, "closing connection", reason);
    assertThat(logged).as("%s: logged reason", what).isNotEmpty();
    return logged;
  }

  private static String badFlvAttack(EventLoopGroup clients, String url, ListAppender<ILoggingEvent> logs)
      throws Exception {
    List<FlvReader.Tag> bad = List.of(
        new FlvReader.Tag(FlvReader.Tag.VIDEO, 0, hex("12 0000000000")), // key frame, codec id 2 (Sorenson)
        new FlvReader.Tag(FlvReader.Tag.VIDEO, 33, hex("17 01")));
    RtmpPublisher publisher = RtmpPublisher.start(clients, URI.create(url), bad, new RtmpPublisher.Options(false, false));
    try {
      publisher.publishing().get(10, TimeUnit.SECONDS);
      String logged = awaitWarning(logs, "stream badflv", "closing connection", "not supported");
      assertThat(logged).as("bad FLV tags: logged reason").isNotEmpty();
      return logged;
    } finally {
      publisher.close();
    }
  }

  private static String badPush(BroadcasterNode node, String name, byte[] body, ListAppender<ILoggingEvent> logs,
      String reason) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + "/live/" + name + "/0.ts"))
        .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("push %s", name).isEqualTo(422);
    assertThat(response.body()).contains("invalid MPEG-TS segment").contains(reason);
    String logged = awaitWarning(logs, "push ingest: rejected segment 0 of stream " + name, reason);
    assertThat(logged).as("push %s: logged reason", name).isNotEmpty();
    return logged;
  }

  /** True once the peer closed (end of stream or reset) within {@link #WAIT}. */
  private static boolean readsToEnd(InputStream in) throws IOException {
    byte[] sink = new byte[4096];
    ByteArrayOutputStream ignored = new ByteArrayOutputStream();
    try {
      int n;
      while ((n = in.read(sink)) >= 0) {
        ignored.write(sink, 0, n);
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static String awaitWarning(ListAppender<ILoggingEvent> logs, String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    do {
      List<ILoggingEvent> events;
      synchronized (logs.list) {
        events = List.copyOf(logs.list);
      }
      for (ILoggingEvent e : events) {
        String text = e.getFormattedMessage();
        if (e.getLevel().isGreaterOrEqual(Level.WARN) && Arrays.stream(fragments).allMatch(text::contains)) {
          return text;
        }
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return "";
  }

  private static void awaitSegmentsOut(BroadcasterNode node, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (node.stats().segmentsOut() < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(node.stats().segmentsOut()).as("good stream's segments transcoded").isGreaterThanOrEqualTo(atLeast);
  }

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }
}
