package io.jlivepeer.playback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentStoreTest {
  @TempDir Path dataDir;

  @Test
  void diskStoreWritesReadsAndDeletesSegmentFiles() throws Exception {
    try (DiskSegmentStore store = DiskSegmentStore.open(dataDir)) {
      SegmentKey key = new SegmentKey("abc", "P360p30fps16x9", 7);
      store.put(key, new byte[] {1, 2, 3});

      assertThat(store.get(key)).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
      assertThat(dataDir.resolve("hls-segments/abc/P360p30fps16x9/7.ts")).exists();
      try (Stream<Path> files = Files.walk(store.root())) {
        assertThat(files.filter(Files::isRegularFile).toList()).hasSize(1); // no temporary file left
      }

      store.delete(key);
      assertThat(store.get(key)).isEmpty();
      store.delete(key); // absent: nothing happens
    }
  }

  @Test
  void diskStoreDeletesAStreamAndClearsLeftoversOnOpen() throws Exception {
    try (DiskSegmentStore store = DiskSegmentStore.open(dataDir)) {
      store.put(new SegmentKey("a", "source", 0), new byte[] {1});
      store.put(new SegmentKey("b", "source", 0), new byte[] {2});
      store.deleteStream("a");
      assertThat(store.get(new SegmentKey("a", "source", 0))).isEmpty();
      assertThat(store.get(new SegmentKey("b", "source", 0))).isPresent();
    }
    try (DiskSegmentStore reopened = DiskSegmentStore.open(dataDir)) {
      assertThat(reopened.get(new SegmentKey("b", "source", 0))).isEmpty();
    }
  }

  @Test
  void diskStoreBacksHlsStreamsWithBoundedFiles() throws Exception {
    try (DiskSegmentStore store = DiskSegmentStore.open(dataDir)) {
      HlsStreams streams = new HlsStreams(new HlsConfig(3, 1, 2), store);
      streams.startStream("d", List.of(HlsVariant.source(640, 360, 1_000_000, "", 30)));
      for (int seq = 0; seq < 10; seq++) {
        streams.addSegment("d", "source", seq, 2000, new byte[] {(byte) seq});
      }
      try (Stream<Path> files = Files.list(store.root().resolve("d/source"))) {
        assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
            .containsExactly("6.ts", "7.ts", "8.ts", "9.ts");
      }
      assertThat(streams.segment("d", "source", 9)).hasValueSatisfying(b -> assertThat(b).containsExactly(9));
    }
  }

  @Test
  void keysRejectNamesThatCouldLeaveTheFolder() {
    assertThatThrownBy(() -> new SegmentKey("..", "source", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentKey("a", "x/y", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentKey("a", "source", -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void memoryStoreEvictsOldestWhenOverBudget() {
    InMemorySegmentStore store = new InMemorySegmentStore(10);
    store.put(new SegmentKey("a", "s", 0), new byte[4]);
    store.put(new SegmentKey("a", "s", 1), new byte[4]);
    store.put(new SegmentKey("a", "s", 2), new byte[4]);

    assertThat(store.get(new SegmentKey("a", "s", 0))).isEmpty();
    assertThat(store.get(new SegmentKey("a", "s", 2))).isPresent();
    assertThat(store.storedBytes()).isEqualTo(8);
  }
}
