package io.jlivepeer.playback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlivepeer.media.VideoProfile;
import io.lindstrom.m3u8.model.MasterPlaylist;
import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.model.MediaSegment;
import io.lindstrom.m3u8.model.Resolution;
import io.lindstrom.m3u8.model.Variant;
import io.lindstrom.m3u8.parser.MasterPlaylistParser;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import io.lindstrom.m3u8.parser.ParsingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class HlsStreamsTest {
  private static final String CODECS = "avc1.64001f,mp4a.40.2";
  private static final HlsVariant SOURCE = HlsVariant.source(1280, 720, 4_128_000, CODECS, 30);
  private static final HlsVariant P360 =
      HlsVariant.of(VideoProfile.of("P360p30fps16x9", 640, 360, 1_200_000, 30), 128_000, "avc1.4d401e,mp4a.40.2");

  private final InMemorySegmentStore store = new InMemorySegmentStore();
  private final HlsStreams streams = new HlsStreams(HlsConfig.withWindow(3), store);

  private static byte[] bytes(int n) {
    return new byte[] {(byte) n, 0x47};
  }

  @Test
  void writesMasterPlaylistWithOneVariantPerRenditionPlusSource() throws Exception {
    streams.startStream("abc123", List.of(SOURCE, P360));

    String master = streams.masterPlaylist("abc123").orElseThrow();

    assertThat(master).isEqualTo("""
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-STREAM-INF:BANDWIDTH=4128000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000
        abc123/source.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=1328000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",FRAME-RATE=30.000
        abc123/P360p30fps16x9.m3u8
        """);
    MasterPlaylist parsed = new MasterPlaylistParser(ParsingMode.STRICT).readPlaylist(master);
    assertThat(parsed.variants()).hasSize(2);
    Variant first = parsed.variants().get(0);
    assertThat(first.bandwidth()).isEqualTo(4_128_000);
    assertThat(first.resolution()).contains(Resolution.of(1280, 720));
    assertThat(first.codecs()).containsExactly("avc1.64001f", "mp4a.40.2");
    assertThat(first.frameRate()).contains(30.0);
    assertThat(first.uri()).isEqualTo("abc123/source.m3u8");
    assertThat(parsed.variants().get(1).uri()).isEqualTo("abc123/P360p30fps16x9.m3u8");
    assertThat(parsed.variants().get(1).resolution()).contains(Resolution.of(640, 360));
  }

  @Test
  void leavesOutUnknownResolutionCodecsAndFrameRate() throws Exception {
    streams.startStream("s", List.of(new HlsVariant("source", 0, 0, 2_000_000, "", 0)));

    String master = streams.masterPlaylist("s").orElseThrow();

    assertThat(master).isEqualTo("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=2000000\ns/source.m3u8\n");
    assertThat(new MasterPlaylistParser(ParsingMode.STRICT).readPlaylist(master).variants()).hasSize(1);
  }

  @Test
  void writesMediaPlaylistForKnownSegments() throws Exception {
    streams.startStream("abc", List.of(SOURCE));
    streams.addSegment("abc", "source", 0, 2000, bytes(0));
    streams.addSegment("abc", "source", 1, 2002, bytes(1));
    streams.addSegment("abc", "source", 2, 1500, bytes(2));

    String media = streams.mediaPlaylist("abc", "source").orElseThrow();

    assertThat(media).isEqualTo("""
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:3
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-DISCONTINUITY-SEQUENCE:0
        #EXTINF:2.000,
        source/0.ts
        #EXTINF:2.002,
        source/1.ts
        #EXTINF:1.500,
        source/2.ts
        """);
    MediaPlaylist parsed = new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(media);
    assertThat(parsed.targetDuration()).isEqualTo(3);
    assertThat(parsed.mediaSequence()).isZero();
    assertThat(parsed.ongoing()).isTrue();
    assertThat(parsed.mediaSegments()).extracting(MediaSegment::duration).containsExactly(2.0, 2.002, 1.5);
    assertThat(parsed.mediaSegments()).extracting(MediaSegment::uri)
        .containsExactly("source/0.ts", "source/1.ts", "source/2.ts");
  }

  @Test
  void emptyPlaylistIsValidAndUsesInitialTargetDuration() throws Exception {
    streams.startStream("abc", List.of(SOURCE));

    String media = streams.mediaPlaylist("abc", "source").orElseThrow();

    assertThat(media).isEqualTo(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n");
    assertThat(new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(media).mediaSegments()).isEmpty();
  }

  @Test
  void slidesWindowAndEvictsSegmentsAfterRetention() throws Exception {
    HlsStreams small = new HlsStreams(new HlsConfig(3, 2, 2), store);
    small.startStream("w", List.of(SOURCE));
    for (int seq = 0; seq < 8; seq++) {
      assertThat(small.addSegment("w", "source", seq, 2000, bytes(seq))).isEqualTo(OptionalLong.of(seq));
    }

    String media = small.mediaPlaylist("w", "source").orElseThrow();

    assertThat(media).isEqualTo("""
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:5
        #EXT-X-DISCONTINUITY-SEQUENCE:0
        #EXTINF:2.000,
        source/5.ts
        #EXTINF:2.000,
        source/6.ts
        #EXTINF:2.000,
        source/7.ts
        """);
    assertThat(new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(media).mediaSequence()).isEqualTo(5);
    // 3 in the window + 2 retained for clients that loaded an older playlist (RFC 8216 6.2.2).
    assertThat(small.segment("w", "source", 3)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes(3)));
    assertThat(small.segment("w", "source", 2)).isEmpty();
    assertThat(store.size()).isEqualTo(5);
    assertThat(store.get(new SegmentKey("w", "source", 2))).isEmpty();
  }

  @Test
  void marksDiscontinuityAfterPublisherRestartAndCountsItWhenItSlidesOut() throws Exception {
    streams.startStream("r", List.of(SOURCE));
    streams.addSegment("r", "source", 0, 2000, bytes(0));
    streams.addSegment("r", "source", 1, 2000, bytes(1));
    streams.startStream("r", List.of(SOURCE)); // publisher reconnected: ingest seq starts over
    streams.addSegment("r", "source", 0, 1000, bytes(10));

    String media = streams.mediaPlaylist("r", "source").orElseThrow();

    assertThat(media).isEqualTo("""
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-DISCONTINUITY-SEQUENCE:0
        #EXTINF:2.000,
        source/0.ts
        #EXTINF:2.000,
        source/1.ts
        #EXT-X-DISCONTINUITY
        #EXTINF:1.000,
        source/2.ts
        """);
    MediaPlaylist parsed = new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(media);
    assertThat(parsed.mediaSegments()).extracting(MediaSegment::discontinuity).containsExactly(false, false, true);

    streams.addSegment("r", "source", 1, 1000, bytes(11));
    streams.addSegment("r", "source", 2, 1000, bytes(12));
    streams.addSegment("r", "source", 3, 1000, bytes(13)); // the segment with the tag leaves the window

    MediaPlaylist slid = new MediaPlaylistParser(ParsingMode.STRICT)
        .readPlaylist(streams.mediaPlaylist("r", "source").orElseThrow());
    assertThat(slid.mediaSequence()).isEqualTo(3);
    assertThat(slid.discontinuitySequence()).isEqualTo(1);
    assertThat(slid.mediaSegments()).noneMatch(MediaSegment::discontinuity);
    assertThat(slid.mediaSegments()).extracting(MediaSegment::uri)
        .containsExactly("source/3.ts", "source/4.ts", "source/5.ts");
    assertThat(streams.segment("r", "source", 2)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes(10)));
  }

  @Test
  void endsWithEndlistAndRestartRemovesItWithDiscontinuity() throws Exception {
    streams.startStream("e", List.of(SOURCE));
    streams.addSegment("e", "source", 0, 2000, bytes(0));
    streams.endStream("e");

    String ended = streams.mediaPlaylist("e", "source").orElseThrow();
    assertThat(ended).isEqualTo("""
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-DISCONTINUITY-SEQUENCE:0
        #EXTINF:2.000,
        source/0.ts
        #EXT-X-ENDLIST
        """);
    assertThat(new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(ended).ongoing()).isFalse();
    assertThat(streams.addSegment("e", "source", 1, 2000, bytes(1))).isEmpty();

    streams.startStream("e", List.of(SOURCE));
    streams.addSegment("e", "source", 0, 2000, bytes(5));

    MediaPlaylist live = new MediaPlaylistParser(ParsingMode.STRICT)
        .readPlaylist(streams.mediaPlaylist("e", "source").orElseThrow());
    assertThat(live.ongoing()).isTrue();
    assertThat(live.mediaSegments()).extracting(MediaSegment::discontinuity).containsExactly(false, true);
    assertThat(live.mediaSegments()).extracting(MediaSegment::uri).containsExactly("source/0.ts", "source/1.ts");
  }

  @Test
  void targetDurationNeverShrinksOnceALongSegmentWasListed() {
    streams.startStream("t", List.of(SOURCE));
    streams.addSegment("t", "source", 0, 7400, bytes(0));
    for (int seq = 1; seq <= 5; seq++) {
      streams.addSegment("t", "source", seq, 2000, bytes(seq));
    }

    assertThat(streams.mediaPlaylist("t", "source").orElseThrow()).contains("#EXT-X-TARGETDURATION:8\n");
  }

  @Test
  void dropsLateAndDuplicateSegments() {
    streams.startStream("d", List.of(SOURCE));
    assertThat(streams.addSegment("d", "source", 5, 2000, bytes(5))).hasValue(0);
    assertThat(streams.addSegment("d", "source", 5, 2000, bytes(5))).isEmpty();
    assertThat(streams.addSegment("d", "source", 4, 2000, bytes(4))).isEmpty();
    assertThat(streams.addSegment("d", "source", 7, 2000, bytes(7))).hasValue(1);
  }

  @Test
  void rejectsSegmentsOfUndeclaredStreamsAndUnsafeNames() {
    streams.startStream("ok", List.of(SOURCE));

    assertThatThrownBy(() -> streams.addSegment("nope", "source", 0, 2000, bytes(0)))
        .isInstanceOf(PlaybackException.class).hasMessageContaining("startStream");
    assertThatThrownBy(() -> streams.addSegment("ok", "P720", 0, 2000, bytes(0)))
        .isInstanceOf(PlaybackException.class).hasMessageContaining("P720");
    assertThatThrownBy(() -> streams.startStream("../etc", List.of(SOURCE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("manifest id");
    assertThatThrownBy(() -> new HlsVariant("a.b", 0, 0, 1, "", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> streams.startStream("dup", List.of(SOURCE, SOURCE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
  }

  @Test
  void restartWithNewLadderDropsRemovedVariantsAndAddsNewOnes() {
    streams.startStream("l", List.of(SOURCE, P360));
    streams.addSegment("l", "P360p30fps16x9", 0, 2000, bytes(0));
    HlsVariant p240 = HlsVariant.of(VideoProfile.of("P240p30fps16x9", 426, 240, 600_000, 30), 128_000, CODECS);

    streams.startStream("l", List.of(SOURCE, p240));

    assertThat(streams.mediaPlaylist("l", "P360p30fps16x9")).isEmpty();
    assertThat(streams.mediaPlaylist("l", "P240p30fps16x9")).isPresent();
    assertThat(store.get(new SegmentKey("l", "P360p30fps16x9", 0))).isEmpty();
    assertThat(streams.masterPlaylist("l").orElseThrow()).contains("l/P240p30fps16x9.m3u8").doesNotContain("P360");
  }

  @Test
  void removeStreamForgetsPlaylistsAndSegments() {
    streams.startStream("x", List.of(SOURCE));
    streams.addSegment("x", "source", 0, 2000, bytes(0));

    streams.removeStream("x");

    assertThat(streams.masterPlaylist("x")).isEmpty();
    assertThat(streams.streamIds()).isEmpty();
    assertThat(store.size()).isZero();
  }

  @Test
  void acceptsSegmentsOfDifferentRenditionsConcurrently() throws Exception {
    List<HlsVariant> ladder = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ladder.add(new HlsVariant("r" + i, 640, 360, 1_000_000, CODECS, 30));
    }
    HlsStreams concurrent = new HlsStreams(HlsConfig.withWindow(5), store);
    concurrent.startStream("c", ladder);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (HlsVariant v : ladder) {
        done.add(pool.submit(() -> {
          go.await();
          for (int seq = 0; seq < 500; seq++) {
            concurrent.addSegment("c", v.name(), seq, 2000, bytes(seq));
            concurrent.mediaPlaylist("c", v.name()).orElseThrow();
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    for (HlsVariant v : ladder) {
      MediaPlaylist parsed = new MediaPlaylistParser(ParsingMode.STRICT)
          .readPlaylist(concurrent.mediaPlaylist("c", v.name()).orElseThrow());
      assertThat(parsed.mediaSequence()).isEqualTo(495);
      assertThat(parsed.mediaSegments()).hasSize(5);
    }
    // window 5 + retained 6 per rendition
    assertThat(store.size()).isEqualTo(8 * 11);
  }
}
