package io.jlivepeer.node.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RenditionStoreTest {
  @Test
  void dropsTheOldestRenditionsWhenOverTheByteLimit() {
    RenditionStore store = new RenditionStore(250);
    store.put(RenditionStore.key("s1", "P240p", 0), new byte[100]);
    store.put(RenditionStore.key("s1", "P240p", 1), new byte[100]);
    store.put(RenditionStore.key("s2", "P240p", 0), new byte[100]);

    assertThat(store.get("/stream/s1/P240p/0.ts")).isEmpty();
    assertThat(store.get("/stream/s1/P240p/1.ts")).isPresent();
    assertThat(store.get("/stream/s2/P240p/0.ts")).isPresent();
    assertThat(store.bytes()).isEqualTo(200);
  }

  @Test
  void keepsTheNewestRenditionEvenWhenItAloneIsOverTheLimit() {
    RenditionStore store = new RenditionStore(50);
    store.put(RenditionStore.key("s1", "P240p", 0), new byte[10]);
    store.put(RenditionStore.key("s1", "P240p", 1), new byte[80]);

    assertThat(store.size()).isEqualTo(1);
    assertThat(store.get("/stream/s1/P240p/1.ts")).hasValueSatisfying(d -> assertThat(d).hasSize(80));
  }

  @Test
  void removesEverySegmentOfAnEndedSessionOnly() {
    RenditionStore store = new RenditionStore(1 << 20);
    store.put(RenditionStore.key("s1", "P144p", 0), new byte[3]);
    store.put(RenditionStore.key("s1", "P240p", 0), new byte[3]);
    store.put(RenditionStore.key("s10", "P240p", 0), new byte[5]);

    store.removeSession("s1");

    assertThat(store.size()).isEqualTo(1);
    assertThat(store.get("/stream/s10/P240p/0.ts")).isPresent();
    assertThat(store.bytes()).isEqualTo(5);
  }

  @Test
  void replacingARenditionCountsItsBytesOnce() {
    RenditionStore store = new RenditionStore(1000);
    store.put(RenditionStore.key("s1", "P144p", 0), new byte[300]);
    store.put(RenditionStore.key("s1", "P144p", 0), new byte[200]);
    assertThat(store.bytes()).isEqualTo(200);
  }
}
