package io.jlivepeer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlivepeer.media.TestMedia;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Cost of the checks on a 2 s 1080p30 segment. Opt-in:
 * {@code ./mvnw -B -q -o -pl ingest -am verify -Djlivepeer.bench=true -Dtest=HttpPushBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "jlivepeer.bench", matches = "true")
class HttpPushBench {
  @Test
  void checksSegmentsFasterThanRealTime() throws Exception {
    byte[] segment = Files.readAllBytes(TestMedia.source(1920, 1080, 30, 2, "ts"));
    HttpPushHandler handler = new HttpPushHandler(HttpPushConfig.defaults(),
        pushed -> CompletableFuture.completedFuture(List.of()));
    int rounds = 300;
    for (int warm = 0; warm < 50; warm++) {
      assertThat(TsCheck.problem(segment)).isEmpty();
    }
    long start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      assertThat(TsCheck.problem(segment)).isEmpty();
    }
    double checkMs = (System.nanoTime() - start) / 1e6 / rounds;
    start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
          "/live/bench/" + i + ".ts", Unpooled.wrappedBuffer(segment));
      request.headers().set("Content-Duration", "2000");
      FullHttpResponse response = handler.apply(request).join();
      assertThat(response.status().code()).isEqualTo(200);
      response.release();
      request.release();
    }
    double pushMs = (System.nanoTime() - start) / 1e6 / rounds;
    System.out.printf("BENCH push ingest: %d-byte 2 s 1080p segment: TsCheck %.2f ms (%.0f MB/s),"
            + " whole handler (copy + check, no-op sink) %.2f ms%n",
        segment.length, checkMs, segment.length / 1e3 / checkMs, pushMs);
  }
}
