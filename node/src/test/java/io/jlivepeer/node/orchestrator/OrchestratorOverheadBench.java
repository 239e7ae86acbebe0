package io.jlivepeer.node.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.jlivepeer.media.FfmpegBinaries;
import io.jlivepeer.media.FfmpegTranscoder;
import io.jlivepeer.media.TestMedia;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.payments.EthKey;
import io.jlivepeer.wire.CapabilityBits;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.SigningPayloads;
import io.jlivepeer.wire.WireClients;
import io.jlivepeer.wire.WireHeaders;
import io.jlivepeer.wire.WireProfiles;
import io.jlivepeer.wire.proto.OrchestratorGrpc;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.TranscodeResult;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * B->O->B overhead on loopback: the time from posting a segment to having every rendition downloaded, minus O's
 * transcode time, as a share of the segment duration. Run with
 * {@code ./mvnw -B -q -o -pl node verify -Dtest=OrchestratorOverheadBench -Dorchestrator.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=None -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "orchestrator.bench", matches = "true")
class OrchestratorOverheadBench {
  @TempDir Path dataDir;
  @TempDir Path cut;

  @Test
  void measuresRoundTripMinusTranscodeTime() throws Exception {
    FfmpegBinaries.usePlatformExtension();
    Path source = TestMedia.source(1280, 720, 30, 20, "ts");
    TestMedia.run(List.of(FfmpegBinaries.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-i",
        source.toString(), "-c", "copy", "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts",
        cut.resolve("seg%03d.ts").toString()), 60);
    List<byte[]> segments = new ArrayList<>();
    try (Stream<Path> files = Files.list(cut)) {
      for (Path p : files.sorted().toList()) {
        segments.add(Files.readAllBytes(p));
      }
    }
    List<VideoProfile> ladder = VideoProfiles.defaultLadder();
    HttpClient http = HttpClient.newBuilder().sslContext(WireClients.trustAllSslContext()).build();
    EthKey b = EthKey.random(new SecureRandom());
    try (OrchestratorNode node = OrchestratorNode.start(
        OrchestratorConfig.defaults("127.0.0.1", 0, dataDir, "bench"), new FfmpegTranscoder())) {
      ManagedChannel channel = WireClients.grpcChannel("127.0.0.1", node.serviceAddress().getPort());
      OrchestratorInfo info = OrchestratorGrpc.newBlockingStub(channel).getOrchestrator(OrchestratorRequest
          .newBuilder().setAddress(ByteString.copyFrom(b.address().toBytes()))
          .setSig(ByteString.copyFrom(SigningPayloads.sign(b, SigningPayloads.orchestratorRequest(b.address().toBytes())))).build());
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      double overheadSum = 0;
      double transcodeBefore = 0;
      double uploadBefore = 0;
      double handlingBefore = 0;
      int measured = 0;
      for (int seq = 0; seq < segments.size(); seq++) {
        byte[] body = segments.get(seq);
        SegData.Builder seg = SegData.newBuilder().setManifestId(ByteString.copyFromUtf8("bench")).setSeq(seq)
            .setHash(ByteString.copyFrom(Keccak.hash(body))).setDuration(2000)
            .setCapabilities(CapabilityBits.requiredFor(ladder).toProto()).setAuthToken(info.getAuthToken());
        WireProfiles.setProfiles(seg, ladder);
        seg.setSig(ByteString.copyFrom(SigningPayloads.sign(b, SigningPayloads.segment(seg.build()))));
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(info.getTranscoder() + "/segment"))
            .header(WireHeaders.SEGMENT, WireHeaders.encodeSegment(seg.build()))
            .header("Content-Type", WireHeaders.CONTENT_TYPE_SEGMENT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        TranscodeResult result = TranscodeResult.parseFrom(response.body());
        assertThat(result.hasData()).as(result.getError()).isTrue();
        for (TranscodedSegmentData out : result.getData().getSegmentsList()) {
          assertThat(http.send(HttpRequest.newBuilder(URI.create(out.getUrl())).build(),
              HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(200);
        }
        double roundTrip = (System.nanoTime() - start) / 1e9;
        String metrics = node.metricsText();
        double transcodeTotal = sum(metrics, "livepeer_orchestrator_transcode_seconds_sum ");
        double upload = sum(metrics, "livepeer_orchestrator_segment_upload_seconds_sum ") - uploadBefore;
        uploadBefore += upload;
        double handling = sum(metrics, "livepeer_orchestrator_segment_handling_seconds_sum ") - handlingBefore;
        handlingBefore += handling;
        double transcode = transcodeTotal - transcodeBefore;
        transcodeBefore = transcodeTotal;
        if (seq > 0) { // the first segment also opens the session and warms the JIT
          overheadSum += roundTrip - transcode;
          measured++;
        }
        System.out.printf("seg %d: %d bytes, round trip %.1f ms, transcode %.1f ms, overhead %.1f ms "
            + "(upload %.1f ms, O outside transcode %.1f ms)%n", seq, body.length, roundTrip * 1e3, transcode * 1e3,
            (roundTrip - transcode) * 1e3, upload * 1e3, (handling - transcode) * 1e3);
      }
      double mean = overheadSum / measured;
      System.out.printf("mean B->O->B overhead %.1f ms = %.2f%% of a 2 s segment (%d segments, 720p30 source, "
          + "ladder %s)%n", mean * 1e3, mean / 2.0 * 100, measured, ladder.stream().map(VideoProfile::name).toList());
    }
  }

  private static double sum(String metrics, String prefix) {
    return metrics.lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElseThrow();
  }
}
