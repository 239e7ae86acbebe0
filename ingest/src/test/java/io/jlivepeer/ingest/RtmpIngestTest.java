package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.EsFrame;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** End to end: real publishers (the bundled ffmpeg, RtmpPublisher) into a real server on loopback. */
class RtmpIngestTest {
  private static RtmpServer server;
  private static EventLoopGroup clients;
  private static final Map<String, RecordingSink> sinks = new ConcurrentHashMap<>();
  private static final Map<String, PublishRequest> requests = new ConcurrentHashMap<>();
  private static List<FlvReader.Tag> tags;
  private static Path clip;

  @BeforeAll
  static void start() {
    clip = TestClips.clip();
    tags = FlvReader.readAll(clip);
    server = RtmpServer.start(RtmpConfig.defaults().withBindAddress(new InetSocketAddress("127.0.0.1", 0)),
        request -> {
          requests.put(request.manifestId(), request);
          RecordingSink sink = new RecordingSink(true);
          sinks.put(request.manifestId(), sink);
          return Optional.of(sink);
        });
    clients = new NioEventLoopGroup(1);
  }

  @AfterAll
  static void stop() {
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    server.close();
  }

  private static String url(String path) {
    return "rtmp://127.0.0.1:" + server.localAddress().getPort() + path;
  }

  /** Tags holding a frame: AVC packet type 1 (NALU) or AAC packet type 1 (raw), not configs or end of sequence. */
  private static long count(int type) {
    return tags.stream().filter(t -> t.type() == type && t.body().length > 2 && t.body()[1] == 1).count();
  }

  @Test
  void ffmpegPublishDeliversConfigsAndEveryFrame() throws Exception {
    Process ffmpeg = TestClips.ffmpeg(List.of("-re", "-i", clip.toString(), "-c", "copy", "-f", "flv",
        url("/live/ffmpeg1")));
    TestClips.Result result = TestClips.await(ffmpeg, 30);
    assertThat(result.exitCode()).as(result.output()).isZero();
    RecordingSink sink = sinks.get("ffmpeg1");
    assertThat(sink.awaitClose(10)).isTrue();
    assertMatchesClip(sink);
  }

  @Test
  void rtmpPublisherDeliversTheSameFramesBitExact() throws Exception {
    RtmpPublisher publisher = RtmpPublisher.start(clients, URI.create(url("/live/java1")), tags,
        new RtmpPublisher.Options(false, false));
    publisher.finished().get(20, TimeUnit.SECONDS);
    RecordingSink sink = sinks.get("java1");
    assertThat(sink.awaitClose(10)).isTrue();
    assertMatchesClip(sink);
    assertThat(publisher.bytesSent()).isGreaterThan(clipBytes());
    // Every video payload is the FLV tag body minus its 5-byte AVC header.
    List<byte[]> expected = tags.stream()
        .filter(t -> t.type() == FlvReader.Tag.VIDEO && t.body()[1] == 1)
        .map(t -> Arrays.copyOfRange(t.body(), 5, t.body().length)).toList();
    List<EsFrame> video = sink.frames(EsFrame.Kind.VIDEO);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(video.get(i).payload()).as("video frame %d", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void twoPublishersAtOnceBothComplete() throws Exception {
    Process a = TestClips.ffmpeg(List.of("-re", "-i", clip.toString(), "-c", "copy", "-f", "flv",
        url("/live/twoA")));
    RtmpPublisher b = RtmpPublisher.start(clients, URI.create(url("/stream/twoB")), tags,
        new RtmpPublisher.Options(true, false));
    b.finished().get(20, TimeUnit.SECONDS);
    assertThat(TestClips.await(a, 30).exitCode()).isZero();
    for (String id : List.of("twoA", "twoB")) {
      RecordingSink sink = sinks.get(id);
      assertThat(sink.awaitClose(10)).isTrue();
      assertMatchesClip(sink);
    }
    assertThat(requests.get("twoB").app()).isEqualTo("stream");
  }

  @Test
  void streamKeyAndGeneratedManifestIdFollowTheUrlScheme() throws Exception {
    Process withKey = TestClips.ffmpeg(List.of("-i", clip.toString(), "-t", "1", "-c", "copy", "-f", "flv",
        url("/live/keyed/s3cret")));
    assertThat(TestClips.await(withKey, 30).exitCode()).isZero();
    assertThat(requests.get("keyed").streamKey()).contains("s3cret");
    assertThat(requests.get("keyed").remoteAddress().getAddress().isLoopbackAddress()).isTrue();

    List<String> before = new ArrayList<>(requests.keySet());
    RtmpPublisher anonymous = RtmpPublisher.start(clients, URI.create(url("/live")), tags.subList(0, 20),
        new RtmpPublisher.Options(false, false));
    anonymous.finished().get(10, TimeUnit.SECONDS);
    List<String> added = new ArrayList<>(requests.keySet());
    added.removeAll(before);
    assertThat(added).singleElement().asString().matches("[0-9a-f]{8}");
    assertThat(requests.get(added.get(0)).streamKey()).isEmpty();
  }

  @Test
  void secondPublishOfALiveManifestIdIsRefused() throws Exception {
    RtmpPublisher first = RtmpPublisher.start(clients, URI.create(url("/live/dup")), tags,
        new RtmpPublisher.Options(true, true));
    first.publishing().get(10, TimeUnit.SECONDS);
    RtmpPublisher second = RtmpPublisher.start(clients, URI.create(url("/live/dup")), tags,
        new RtmpPublisher.Options(true, false));
    assertThat(second.publishing()).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
        .withMessageContaining("NetStream.Publish.BadName").withMessageContaining("stream already publishing");
    assertThat(server.isLive("dup")).isTrue();
    first.close();
    RecordingSink sink = sinks.get("dup");
    assertThat(sink.awaitClose(10)).isTrue();
    assertThat(sink.closeReasons).containsExactly("publisher ended the stream");
    assertThat(server.isLive("dup")).isFalse();
  }

  private static long clipBytes() {
    return tags.stream().mapToLong(t -> t.body().length).sum();
  }

  private static void assertMatchesClip(RecordingSink sink) {
    assertThat(sink.closeReasons).hasSize(1);
    assertThat(sink.eventLoopOnly).isTrue();
    assertThat(sink.videoConfigs).hasSize(1);
    assertThat(sink.videoConfigs.get(0)[0]).isEqualTo((byte) 1); // AVCDecoderConfigurationRecord version
    assertThat(sink.audioConfigs).hasSize(1);
    assertThat(sink.audioConfigs.get(0)).hasSizeGreaterThanOrEqualTo(2);
    assertThat(sink.metadata).hasSize(1);
    assertThat(sink.metadata.get(0)).containsEntry("width", 320.0).containsEntry("height", 240.0);

    List<EsFrame> video = sink.frames(EsFrame.Kind.VIDEO);
    assertThat((long) video.size()).isBetween(TestClips.FPS * TestClips.SECONDS - 1L,
        TestClips.FPS * TestClips.SECONDS + 1L).isEqualTo(count(FlvReader.Tag.VIDEO));
    assertThat((long) sink.frames(EsFrame.Kind.AUDIO).size()).isEqualTo(count(FlvReader.Tag.AUDIO))
        .isGreaterThan(40L * TestClips.SECONDS); // 48 kHz AAC: 46.9 frames a second
    List<Long> keyframeTimes = video.stream().filter(EsFrame::keyframe).map(EsFrame::dtsMillis).toList();
    assertThat(keyframeTimes).hasSize(TestClips.SECONDS / 2);
    for (int i = 1; i < keyframeTimes.size(); i++) {
      assertThat(keyframeTimes.get(i) - keyframeTimes.get(i - 1)).isBetween(1966L, 2034L);
    }
    long previous = Long.MIN_VALUE;
    for (EsFrame f : video) {
      assertThat(f.dtsMillis()).isGreaterThanOrEqualTo(previous);
      previous = f.dtsMillis();
      // AVCC: the first NAL unit's 4-byte length fits inside the payload.
      int nalLength = ByteBuffer.wrap(f.payload()).getInt();
      assertThat(nalLength + 4).isLessThanOrEqualTo(f.payload().length);
    }
  }
}
