package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PublishRegistryTest {
  private final PublishRegistry registry = new PublishRegistry(2);
  private final Object a = new Object();
  private final Object b = new Object();

  @Test
  void refusesASecondPublisherOfTheSameManifestId() {
    assertThat(registry.claim("x", a)).isEmpty();
    assertThat(registry.claim("x", b)).contains("stream already publishing");
    assertThat(registry.size()).isEqualTo(1);
    registry.release("x", b); // not the owner: no effect
    assertThat(registry.isLive("x")).isTrue();
    registry.release("x", a);
    assertThat(registry.isLive("x")).isFalse();
    assertThat(registry.claim("x", b)).isEmpty();
  }

  @Test
  void refusesBeyondMaxStreams() {
    assertThat(registry.claim("x", a)).isEmpty();
    assertThat(registry.claim("y", b)).isEmpty();
    assertThat(registry.claim("z", new Object())).contains("server at capacity (2 streams)");
    registry.release("x", a);
    assertThat(registry.claim("z", a)).isEmpty();
    assertThat(registry.size()).isEqualTo(2);
  }

  @Test
  void refusesEverythingWhileShuttingDown() {
    registry.shutDown();
    assertThat(registry.claim("x", a)).contains("server shutting down");
    assertThat(registry.size()).isZero();
  }
}
