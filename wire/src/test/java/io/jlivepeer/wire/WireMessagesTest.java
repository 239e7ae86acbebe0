package io.jlivepeer.wire;

import static io.jlivepeer.wire.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto.ReservedRange;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Message;
import io.jlivepeer.wire.proto.AuthToken;
import io.jlivepeer.wire.proto.Capabilities;
import io.jlivepeer.wire.proto.EndTranscodingSessionRequest;
import io.jlivepeer.wire.proto.EndTranscodingSessionResponse;
import io.jlivepeer.wire.proto.NotifySegment;
import io.jlivepeer.wire.proto.OSInfo;
import io.jlivepeer.wire.proto.OrchestratorInfo;
import io.jlivepeer.wire.proto.OrchestratorRequest;
import io.jlivepeer.wire.proto.Payment;
import io.jlivepeer.wire.proto.PaymentResult;
import io.jlivepeer.wire.proto.PingPong;
import io.jlivepeer.wire.proto.PriceInfo;
import io.jlivepeer.wire.proto.RegisterRequest;
import io.jlivepeer.wire.proto.S3OSInfo;
import io.jlivepeer.wire.proto.SegData;
import io.jlivepeer.wire.proto.SegParameters;
import io.jlivepeer.wire.proto.TicketExpirationParams;
import io.jlivepeer.wire.proto.TicketParams;
import io.jlivepeer.wire.proto.TicketSenderParams;
import io.jlivepeer.wire.proto.TranscodeData;
import io.jlivepeer.wire.proto.TranscodeResult;
import io.jlivepeer.wire.proto.TranscodedSegmentData;
import io.jlivepeer.wire.proto.VideoProfile;
import io.jlivepeer.wire.proto.WireProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every message of wire.md against bytes written by hand from the protobuf encoding rules
 * (tag = field << 3 | wire type; 0 = varint, 2 = length-delimited), so a wrong number or type in our .proto
 * cannot hide behind our own encoder. Comments give field=number before each run of bytes.
 */
class WireMessagesTest {
  private static ByteString b(String hex) {
    return ByteString.copyFrom(bytes(hex));
  }

  private static void assertSerializesTo(Message message, byte[] fixture) {
    assertThat(Hex.hex(message.toByteArray())).isEqualTo(Hex.hex(fixture));
  }

  @Test
  void pingPongValueIsField1Bytes() throws Exception {
    byte[] fixture = bytes("0a 03 01 02 03"); // value=1
    PingPong m = PingPong.parseFrom(fixture);
    assertThat(m.getValue()).isEqualTo(b("010203"));
    assertSerializesTo(m, fixture);
  }

  @Test
  void authTokenFields() throws Exception {
    byte[] fixture = bytes(
        "0a 02 aa bb"                              // token=1
        + "| 12 08 61 62 63 64 31 32 33 34"          // session_id=2 "abcd1234"
        + "| 18 80 e2 cf aa 06");                    // expiration=3 1700000000
    AuthToken m = AuthToken.parseFrom(fixture);
    assertThat(m.getToken()).isEqualTo(b("aabb"));
    assertThat(m.getSessionId()).isEqualTo("abcd1234");
    assertThat(m.getExpiration()).isEqualTo(1_700_000_000L);
    assertSerializesTo(m, fixture);
  }

  @Test
  void endTranscodingSessionRequestCarriesAuthTokenInField1() throws Exception {
    byte[] fixture = bytes("0a 04 | 12 02 73 31"); // auth_token=1 { session_id=2 "s1" }
    EndTranscodingSessionRequest m = EndTranscodingSessionRequest.parseFrom(fixture);
    assertThat(m.getAuthToken().getSessionId()).isEqualTo("s1");
    assertSerializesTo(m, fixture);
    assertThat(EndTranscodingSessionResponse.getDefaultInstance().toByteArray()).isEmpty();
    assertThat(EndTranscodingSessionResponse.getDescriptor().getFields()).isEmpty();
  }

  @Test
  void orchestratorRequestFields() throws Exception {
    byte[] fixture = bytes(
        "0a 02 11 22"          // address=1
        + "| 12 02 33 44"      // sig=2
        + "| 1a 03 0a 01 05"   // capabilities=3 { bitstring=1 packed [5] }
        + "| 20 01");          // ignoreCapacityCheck=4 true
    OrchestratorRequest m = OrchestratorRequest.parseFrom(fixture);
    assertThat(m.getAddress()).isEqualTo(b("1122"));
    assertThat(m.getSig()).isEqualTo(b("3344"));
    assertThat(m.getCapabilities().getBitstringList()).containsExactly(5L);
    assertThat(m.getIgnoreCapacityCheck()).isTrue();
    assertSerializesTo(m, fixture);
  }

  @Test
  void osInfoAndS3OsInfoFields() throws Exception {
    String s3 = "0a 01 68 | 12 01 6b | 1a 01 70 | 22 01 73 | 2a 01 63 | 32 01 64"; // host..xAmzDate = 1..6
    byte[] fixture = bytes("08 01 | 82 01 12 " + s3); // storageType=1 S3; s3info=16 (18 bytes)
    OSInfo m = OSInfo.parseFrom(fixture);
    assertThat(m.getStorageType()).isEqualTo(OSInfo.StorageType.S3);
    S3OSInfo s = m.getS3Info();
    assertThat(List.of(s.getHost(), s.getKey(), s.getPolicy(), s.getSignature(), s.getCredential(), s.getXAmzDate()))
        .containsExactly("h", "k", "p", "s", "c", "d");
    assertSerializesTo(m, fixture);
    assertThat(OSInfo.parseFrom(bytes("08 02")).getStorageType()).isEqualTo(OSInfo.StorageType.GOOGLE);
    assertThat(OSInfo.StorageType.DIRECT.getNumber()).isZero();
  }

  @Test
  void priceInfoFields() throws Exception {
    byte[] fixture = bytes(
        "08 e8 07"           // pricePerUnit=1 1000
        + "| 10 01"          // pixelsPerUnit=2 1
        + "| 18 02"          // capability=3 2
        + "| 22 01 78");     // constraint=4 "x"
    PriceInfo m = PriceInfo.parseFrom(fixture);
    assertThat(m.getPricePerUnit()).isEqualTo(1000);
    assertThat(m.getPixelsPerUnit()).isEqualTo(1);
    assertThat(m.getCapability()).isEqualTo(2);
    assertThat(m.getConstraint()).isEqualTo("x");
    assertSerializesTo(m, fixture);
  }

  @Test
  void capabilitiesWithNestedConstraintsAndMaps() throws Exception {
    String modelConstraint = "08 01 | 10 02 | 1a 01 76 | 20 01"; // warm=1, capacity=2, runnerVersion=3 "v", capacityInUse=4
    String modelsEntry = "0a 01 6d | 12 09 " + modelConstraint;   // key=1 "m", value=2
    String capabilityConstraints = "0a 0e " + modelsEntry;         // models=1
    String perCapabilityEntry = "08 1b | 12 10 " + capabilityConstraints; // key=1 27, value=2
    String constraints = "0a 03 30 2e 39 | 12 14 " + perCapabilityEntry; // minVersion=1 "0.9", PerCapability=2
    byte[] fixture = bytes(
        "0a 03 05 80 01"       // bitstring=1 packed [5, 128]
        + "| 12 01 01"         // mandatories=2 packed [1]
        + "| 1a 04 08 01 10 02" // capacities=3 {1: 2}
        + "| 22 03 31 2e 30"   // version=4 "1.0"
        + "| 2a 1b " + constraints); // constraints=5
    Capabilities m = Capabilities.parseFrom(fixture);
    assertThat(m.getBitstringList()).containsExactly(5L, 128L);
    assertThat(m.getMandatoriesList()).containsExactly(1L);
    assertThat(m.getCapacitiesMap()).containsEntry(1, 2);
    assertThat(m.getVersion()).isEqualTo("1.0");
    assertThat(m.getConstraints().getMinVersion()).isEqualTo("0.9");
    Capabilities.CapabilityConstraints.ModelConstraint model =
        m.getConstraints().getPerCapabilityMap().get(27).getModelsMap().get("m");
    assertThat(model.getWarm()).isTrue();
    assertThat(model.getCapacity()).isEqualTo(2);
    assertThat(model.getRunnerVersion()).isEqualTo("v");
    assertThat(model.getCapacityInUse()).isEqualTo(1);
    assertSerializesTo(m, fixture);
    // unpacked repeated uint64 (older encoders) must parse too
    assertThat(Capabilities.parseFrom(bytes("08 05 08 07")).getBitstringList()).containsExactly(5L, 7L);
  }

  @Test
  void orchestratorInfoFields() throws Exception {
    byte[] fixture = bytes(
        "0a 01 75"              // transcoder=1 "u"
        + "| 12 03 0a 01 aa"    // ticket_params=2 { recipient=1 }
        + "| 1a 02 08 07"       // price_info=3 { pricePerUnit=7 }
        + "| 22 01 bb"          // address=4
        + "| 2a 03 0a 01 01"    // capabilities=5 { bitstring [1] }
        + "| 32 03 12 01 73"    // auth_token=6 { session_id "s" }
        + "| 82 02 02 08 01"    // storage=32 { storageType S3 }
        + "| 8a 02 02 10 03"    // capabilities_prices=33 { pixelsPerUnit 3 }
        + "| 92 02 01 6e | 92 02 01 6f"); // nodes=34 ["n", "o"]
    OrchestratorInfo m = OrchestratorInfo.parseFrom(fixture);
    assertThat(m.getTranscoder()).isEqualTo("u");
    assertThat(m.getTicketParams().getRecipient()).isEqualTo(b("aa"));
    assertThat(m.getPriceInfo().getPricePerUnit()).isEqualTo(7);
    assertThat(m.getAddress()).isEqualTo(b("bb"));
    assertThat(m.getCapabilities().getBitstringList()).containsExactly(1L);
    assertThat(m.getAuthToken().getSessionId()).isEqualTo("s");
    assertThat(m.getStorageList()).extracting(OSInfo::getStorageType).containsExactly(OSInfo.StorageType.S3);
    assertThat(m.getCapabilitiesPricesList()).extracting(PriceInfo::getPixelsPerUnit).containsExactly(3L);
    assertThat(m.getNodesList()).containsExactly("n", "o");
    assertSerializesTo(m, fixture);
  }

  @Test
  void orchestratorInfoKeepsHardwareField7AsUnknown() throws Exception {
    byte[] fixture = bytes("0a 01 75 | 3a 02 0a 00"); // transcoder=1, hardware=7 (not modelled)
    OrchestratorInfo m = OrchestratorInfo.parseFrom(fixture);
    assertThat(m.getTranscoder()).isEqualTo("u");
    assertThat(m.getUnknownFields().hasField(7)).isTrue();
    assertSerializesTo(m, fixture);
  }

  @Test
  void segDataFields() throws Exception {
    byte[] fixture = bytes(
        "0a 03 61 62 63"        // manifestId=1 "abc"
        + "| 10 d2 09"          // seq=2 1234
        + "| 1a 01 cc"          // hash=3
        + "| 22 04 01 02 03 04" // profiles=4
        + "| 2a 01 dd"          // sig=5
        + "| 30 d0 0f"          // duration=6 2000
        + "| 3a 03 0a 01 03"    // capabilities=7
        + "| 42 03 12 01 73"    // auth_token=8
        + "| 50 01"             // calc_perceptual_hash=10
        + "| 82 02 02 08 01"    // storage=32
        + "| 8a 02 04 82 01 01 61" // fullProfiles=33 [{name=16 "a"}]
        + "| 92 02 04 82 01 01 62" // fullProfiles2=34 [{name "b"}]
        + "| 9a 02 04 82 01 01 63" // fullProfiles3=35 [{name "c"}]
        + "| aa 02 04 08 01 10 02" // segment_parameters=37 {from 1, to 2}
        + "| b0 02 01");        // ForceSessionReinit=38
    SegData m = SegData.parseFrom(fixture);
    assertThat(m.getManifestId().toStringUtf8()).isEqualTo("abc");
    assertThat(m.getSeq()).isEqualTo(1234);
    assertThat(m.getHash()).isEqualTo(b("cc"));
    assertThat(m.getProfiles()).isEqualTo(b("01020304"));
    assertThat(m.getSig()).isEqualTo(b("dd"));
    assertThat(m.getDuration()).isEqualTo(2000);
    assertThat(m.getCapabilities().getBitstringList()).containsExactly(3L);
    assertThat(m.getAuthToken().getSessionId()).isEqualTo("s");
    assertThat(m.getCalcPerceptualHash()).isTrue();
    assertThat(m.getStorageCount()).isEqualTo(1);
    assertThat(m.getFullProfiles(0).getName()).isEqualTo("a");
    assertThat(m.getFullProfiles2(0).getName()).isEqualTo("b");
    assertThat(m.getFullProfiles3(0).getName()).isEqualTo("c");
    assertThat(m.getSegmentParameters().getFrom()).isEqualTo(1);
    assertThat(m.getSegmentParameters().getTo()).isEqualTo(2);
    assertThat(m.getForceSessionReinit()).isTrue();
    assertSerializesTo(m, fixture);
  }

  @Test
  void segParametersAreUnsignedMillis() throws Exception {
    byte[] fixture = bytes("08 e8 07 | 10 d0 0f"); // from=1 1000, to=2 2000
    SegParameters m = SegParameters.parseFrom(fixture);
    assertThat(m.getFrom()).isEqualTo(1000);
    assertThat(m.getTo()).isEqualTo(2000);
    assertSerializesTo(m, fixture);
  }

  @Test
  void videoProfileFieldsAndEnums() throws Exception {
    byte[] fixture = bytes(
        "82 01 01 50"           // name=16 "P"
        + "| 88 01 80 0a"       // width=17 1280
        + "| 90 01 d0 05"       // height=18 720
        + "| 98 01 c0 84 3d"    // bitrate=19 1000000
        + "| a0 01 1e"          // fps=20 30
        + "| a8 01 01"          // format=21 MP4
        + "| b0 01 01"          // fpsDen=22 1
        + "| b8 01 03"          // profile=23 H264_HIGH
        + "| c0 01 ff ff ff ff ff ff ff ff ff 01" // gop=24 -1 (int32: ten-byte varint)
        + "| c8 01 01"          // encoder=25 H265
        + "| d0 01 08"          // colorDepth=26 8
        + "| d8 01 02"          // chromaFormat=27 CHROMA_444
        + "| e0 01 17");        // quality=28 23
    VideoProfile m = VideoProfile.parseFrom(fixture);
    assertThat(m.getName()).isEqualTo("P");
    assertThat(m.getWidth()).isEqualTo(1280);
    assertThat(m.getHeight()).isEqualTo(720);
    assertThat(m.getBitrate()).isEqualTo(1_000_000);
    assertThat(m.getFps()).isEqualTo(30);
    assertThat(m.getFormat()).isEqualTo(VideoProfile.Format.MP4);
    assertThat(m.getFpsDen()).isEqualTo(1);
    assertThat(m.getProfile()).isEqualTo(VideoProfile.Profile.H264_HIGH);
    assertThat(m.getGop()).isEqualTo(-1);
    assertThat(m.getEncoder()).isEqualTo(VideoProfile.VideoCodec.H265);
    assertThat(m.getColorDepth()).isEqualTo(8);
    assertThat(m.getChromaFormat()).isEqualTo(VideoProfile.ChromaSubsampling.CHROMA_444);
    assertThat(m.getQuality()).isEqualTo(23);
    assertSerializesTo(m, fixture);
    assertThat(List.of(VideoProfile.Profile.ENCODER_DEFAULT.getNumber(), VideoProfile.Profile.H264_BASELINE.getNumber(),
        VideoProfile.Profile.H264_MAIN.getNumber(), VideoProfile.Profile.H264_CONSTRAINED_HIGH.getNumber(),
        VideoProfile.VideoCodec.VP8.getNumber(), VideoProfile.VideoCodec.VP9.getNumber(),
        VideoProfile.ChromaSubsampling.CHROMA_422.getNumber(), VideoProfile.Format.MPEGTS.getNumber()))
        .containsExactly(0, 1, 2, 4, 2, 3, 1, 0);
  }

  @Test
  void transcodedSegmentDataAndTranscodeData() throws Exception {
    byte[] segment = bytes("0a 01 75 | 10 80 80 04 | 1a 01 70"); // url=1 "u", pixels=2 65536, perceptual_hash_url=3 "p"
    TranscodedSegmentData s = TranscodedSegmentData.parseFrom(segment);
    assertThat(s.getUrl()).isEqualTo("u");
    assertThat(s.getPixels()).isEqualTo(65536);
    assertThat(s.getPerceptualHashUrl()).isEqualTo("p");
    assertSerializesTo(s, segment);

    byte[] data = bytes("0a 03 0a 01 75 | 0a 03 0a 01 76 | 12 02 ee ff"); // segments=1 x2, sig=2
    TranscodeData d = TranscodeData.parseFrom(data);
    assertThat(d.getSegmentsList()).extracting(TranscodedSegmentData::getUrl).containsExactly("u", "v");
    assertThat(d.getSig()).isEqualTo(b("eeff"));
    assertSerializesTo(d, data);
  }

  @Test
  void transcodeResultOneofErrorOrData() throws Exception {
    byte[] error = bytes(
        "08 07"                                                    // seq=1 7
        + "| 12 10 4f 72 63 68 65 73 74 72 61 74 6f 72 42 75 73 79" // error=2 "OrchestratorBusy"
        + "| 82 01 03 0a 01 75");                                  // info=16 { transcoder "u" }
    TranscodeResult e = TranscodeResult.parseFrom(error);
    assertThat(e.getSeq()).isEqualTo(7);
    assertThat(e.getResultCase()).isEqualTo(TranscodeResult.ResultCase.ERROR);
    assertThat(e.getError()).isEqualTo(WireHeaders.ORCHESTRATOR_BUSY);
    assertThat(e.getInfo().getTranscoder()).isEqualTo("u");
    assertSerializesTo(e, error);

    byte[] data = bytes("08 07 | 1a 05 0a 03 0a 01 75"); // seq=1, data=3 { segments [{url "u"}] }
    TranscodeResult d = TranscodeResult.parseFrom(data);
    assertThat(d.getResultCase()).isEqualTo(TranscodeResult.ResultCase.DATA);
    assertThat(d.getData().getSegments(0).getUrl()).isEqualTo("u");
    assertSerializesTo(d, data);

    // a oneof keeps the last member on the wire
    TranscodeResult both = TranscodeResult.parseFrom(bytes("12 01 78 | 1a 00"));
    assertThat(both.getResultCase()).isEqualTo(TranscodeResult.ResultCase.DATA);
  }

  @Test
  void paymentResultInfoIsField16() throws Exception {
    byte[] fixture = bytes("82 01 03 0a 01 75");
    assertThat(PaymentResult.parseFrom(fixture).getInfo().getTranscoder()).isEqualTo("u");
    assertSerializesTo(PaymentResult.parseFrom(fixture), fixture);
  }

  @Test
  void registerRequestFields() throws Exception {
    byte[] fixture = bytes("0a 02 73 33 | 10 04 | 1a 03 0a 01 01"); // secret=1 "s3", capacity=2 4, capabilities=3
    RegisterRequest m = RegisterRequest.parseFrom(fixture);
    assertThat(m.getSecret()).isEqualTo("s3");
    assertThat(m.getCapacity()).isEqualTo(4);
    assertThat(m.getCapabilities().getBitstringList()).containsExactly(1L);
    assertSerializesTo(m, fixture);
  }

  @Test
  void notifySegmentFieldsAndReservedNumbers() throws Exception {
    byte[] fixture = bytes(
        "0a 01 75"              // url=1 "u"
        + "| 1a 03 10 d2 09"    // segData=3 { seq 1234 }
        + "| 80 01 2a"          // taskId=16 42
        + "| 8a 01 02 01 02"    // profiles=17
        + "| 92 01 01 6f");     // orchId=18 "o"
    NotifySegment m = NotifySegment.parseFrom(fixture);
    assertThat(m.getUrl()).isEqualTo("u");
    assertThat(m.getSegData().getSeq()).isEqualTo(1234);
    assertThat(m.getTaskId()).isEqualTo(42);
    assertThat(m.getProfiles()).isEqualTo(b("0102"));
    assertThat(m.getOrchId()).isEqualTo("o");
    assertSerializesTo(m, fixture);
    assertThat(NotifySegment.getDescriptor().toProto().getReservedRangeList())
        .extracting(ReservedRange::getStart).containsExactlyInAnyOrder(2, 33);
    assertThat(NotifySegment.getDescriptor().findFieldByNumber(2)).isNull();
    assertThat(NotifySegment.getDescriptor().findFieldByNumber(33)).isNull();
  }

  @Test
  void ticketParamsAreBigEndianBytes() throws Exception {
    byte[] fixture = bytes(
        "0a 01 01 | 12 01 02 | 1a 01 03 | 22 01 04 | 2a 01 05 | 32 01 06" // recipient..expiration_block = 1..6
        + "| 3a 02 08 05"); // expiration_params=7 { creation_round 5 }
    TicketParams m = TicketParams.parseFrom(fixture);
    assertThat(List.of(m.getRecipient(), m.getFaceValue(), m.getWinProb(), m.getRecipientRandHash(), m.getSeed(),
        m.getExpirationBlock())).containsExactly(b("01"), b("02"), b("03"), b("04"), b("05"), b("06"));
    assertThat(m.getExpirationParams().getCreationRound()).isEqualTo(5);
    assertSerializesTo(m, fixture);
  }

  @Test
  void ticketSenderAndExpirationParams() throws Exception {
    byte[] sender = bytes("08 07 | 12 01 aa"); // sender_nonce=1 7, sig=2
    TicketSenderParams s = TicketSenderParams.parseFrom(sender);
    assertThat(s.getSenderNonce()).isEqualTo(7);
    assertThat(s.getSig()).isEqualTo(b("aa"));
    assertSerializesTo(s, sender);

    byte[] expiration = bytes("08 05 | 12 01 bb"); // creation_round=1 5, creation_round_block_hash=2
    TicketExpirationParams e = TicketExpirationParams.parseFrom(expiration);
    assertThat(e.getCreationRound()).isEqualTo(5);
    assertThat(e.getCreationRoundBlockHash()).isEqualTo(b("bb"));
    assertSerializesTo(e, expiration);
  }

  @Test
  void paymentFields() throws Exception {
    byte[] fixture = bytes(
        "0a 03 0a 01 01"        // ticket_params=1 { recipient }
        + "| 12 01 02"          // sender=2
        + "| 1a 02 08 05"       // expiration_params=3 { creation_round 5 }
        + "| 22 02 08 01 | 22 02 08 02" // ticket_sender_params=4 x2 { sender_nonce }
        + "| 2a 02 08 01");     // expected_price=5 { pricePerUnit 1 }
    Payment m = Payment.parseFrom(fixture);
    assertThat(m.getTicketParams().getRecipient()).isEqualTo(b("01"));
    assertThat(m.getSender()).isEqualTo(b("02"));
    assertThat(m.getExpirationParams().getCreationRound()).isEqualTo(5);
    assertThat(m.getTicketSenderParamsList()).extracting(TicketSenderParams::getSenderNonce).containsExactly(1, 2);
    assertThat(m.getExpectedPrice().getPricePerUnit()).isEqualTo(1);
    assertSerializesTo(m, fixture);
  }

  @Test
  void servicesAndMethodsHaveTheReferenceNames() {
    assertThat(WireProto.getDescriptor().getPackage()).isEqualTo("net");
    ServiceDescriptor orchestrator = WireProto.getDescriptor().findServiceByName("Orchestrator");
    assertThat(orchestrator.getFullName()).isEqualTo("net.Orchestrator");
    assertThat(orchestrator.getMethods()).extracting(m -> m.getName() + "(" + m.getInputType().getFullName() + ")->"
            + m.getOutputType().getFullName())
        .containsExactly("GetOrchestrator(net.OrchestratorRequest)->net.OrchestratorInfo",
            "EndTranscodingSession(net.EndTranscodingSessionRequest)->net.EndTranscodingSessionResponse",
            "Ping(net.PingPong)->net.PingPong");
    ServiceDescriptor transcoder = WireProto.getDescriptor().findServiceByName("Transcoder");
    assertThat(transcoder.getMethods()).hasSize(1);
    assertThat(transcoder.getMethods().get(0).getName()).isEqualTo("RegisterTranscoder");
    assertThat(transcoder.getMethods().get(0).toProto().getServerStreaming()).isTrue();
    assertThat(transcoder.getMethods().get(0).toProto().getClientStreaming()).isFalse();
  }
}
