package io.jlivepeer.node.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.payments.EthKey;
import io.jlivepeer.wire.proto.Capabilities;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How B's {@link OrchestratorPool} spreads its streams ({@link OrchestratorPool#claim}); no orchestrator runs. */
class OrchestratorPoolTest {
  private static final String FAST = "127.0.0.1:1";
  private static final String SLOWER = "127.0.0.1:2";

  @TempDir Path dir;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    executor.shutdownNow();
  }

  @Test
  void spreadsStreamsOverOrchestratorsWhoseScoresAreClose() {
    OrchestratorPool pool = pool();
    pool.seedLatency(FAST, 100);
    pool.seedLatency(SLOWER, 100 + OrchestratorPool.BALANCE_MARGIN_MILLIS / 2);
    assertThat(pool.claim(Set.of()).addr).as("nothing claimed yet: the better score").isEqualTo(FAST);
    OrchestratorPool.Orch second = pool.claim(Set.of());
    assertThat(second.addr).as("the one without a stream of ours").isEqualTo(SLOWER);
    assertThat(pool.claim(Set.of()).addr).as("one each: the better score again").isEqualTo(FAST);
    pool.release(second);
    assertThat(pool.claim(Set.of()).addr).as("the stream that left freed its place").isEqualTo(SLOWER);
  }

  @Test
  void keepsEveryStreamOnTheFasterOrchestratorWhenScoresAreFarApart() {
    OrchestratorPool pool = pool();
    pool.seedLatency(FAST, 100);
    pool.seedLatency(SLOWER, 100 + 2 * OrchestratorPool.BALANCE_MARGIN_MILLIS);
    for (int i = 0; i < 3; i++) {
      assertThat(pool.claim(Set.of()).addr).as("stream %d", i + 1).isEqualTo(FAST);
    }
  }

  @Test
  void aPenalizedOrchestratorGetsNoStreamsToBalanceTheOthers() {
    OrchestratorPool pool = pool();
    pool.seedLatency(FAST, 200);
    pool.seedLatency(SLOWER, 100);
    OrchestratorPool.Orch failing = pool.best(Set.of());
    assertThat(failing.addr).isEqualTo(SLOWER);
    pool.failed(failing);
    for (int i = 0; i < 3; i++) {
      assertThat(pool.claim(Set.of()).addr).as("stream %d", i + 1).isEqualTo(FAST);
    }
  }

  @Test
  void spreadsByTheSessionsEachOrchestratorAdvertises() {
    OrchestratorPool pool = pool();
    pool.seedLatency(FAST, 100);
    pool.seedLatency(SLOWER, 300);
    OrchestratorPool.Orch small = pool.best(Set.of());
    OrchestratorPool.Orch big = pool.best(Set.of(small));
    pool.noteCapacity(small, capacity(2));
    pool.noteCapacity(big, capacity(4));
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(pool.claim(Set.of()).addr);
    }
    assertThat(picks).as("2 of 6 streams on the one with 2 sessions, 4 on the one with 4")
        .containsExactly(FAST, SLOWER, SLOWER, FAST, SLOWER, SLOWER);
  }

  private static OrchestratorInfo capacity(int sessions) {
    return OrchestratorInfo.newBuilder()
        .setCapabilities(Capabilities.newBuilder().putCapacities(1, sessions).putCapacities(2, sessions)).build();
  }

  private OrchestratorPool pool() {
    Clock frozen = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);
    OrchestratorPool pool = new OrchestratorPool(RemoteConfig.defaults(List.of(FAST, SLOWER), dir.resolve("k")),
        EthKey.random(new SecureRandom()), frozen, executor);
    toClose.add(pool);
    return pool;
  }
}
