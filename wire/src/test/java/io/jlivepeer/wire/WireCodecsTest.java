package io.jlivepeer.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfile.CodecProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.wire.proto.AuthToken;
import io.jlivepeer.wire.proto.Capabilities;
import io.jlivepeer.wire.proto.Payment;
import io.jlivepeer.wire.proto.SegData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireCodecsTest {
  private static final VideoProfile P240 = VideoProfiles.preset("P240p30fps16x9").orElseThrow();
  private static final VideoProfile P360 = VideoProfiles.preset("P360p30fps16x9").orElseThrow();

  private static int status(Throwable e) {
    return ((WireException) e).httpStatus();
  }

  // --- headers ---

  @Test
  void segmentHeaderRoundTrips() {
    SegData seg = SegData.newBuilder().setManifestId(ByteString.copyFromUtf8("m")).setSeq(9).setDuration(2000).build();
    String header = WireHeaders.encodeSegment(seg);
    assertThat(Base64.getDecoder().decode(header)).isEqualTo(seg.toByteArray());
    assertThat(WireHeaders.decodeSegment(header)).isEqualTo(seg);
  }

  @Test
  void rejectsSegmentHeaderThatIsNotBase64With403() {
    assertThatThrownBy(() -> WireHeaders.decodeSegment("not base64 !!"))
        .isInstanceOf(WireException.class)
        .hasMessageContaining("Livepeer-Segment header is not standard base64")
        .satisfies(e -> assertThat(status(e)).isEqualTo(403));
  }

  @Test
  void rejectsSegmentHeaderThatIsNotSegDataWith403() {
    String garbage = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x0a, 0x7f, 1});
    assertThatThrownBy(() -> WireHeaders.decodeSegment(garbage))
        .hasMessageContaining("not a serialized SegData")
        .satisfies(e -> assertThat(status(e)).isEqualTo(403));
    assertThatThrownBy(() -> WireHeaders.decodeSegment(""))
        .hasMessageContaining("missing Livepeer-Segment")
        .satisfies(e -> assertThat(status(e)).isEqualTo(403));
  }

  @Test
  void rejectsOversizedHeaderBeforeDecoding() {
    String huge = "A".repeat(WireHeaders.MAX_HEADER_CHARS + 4);
    assertThatThrownBy(() -> WireHeaders.decodeSegment(huge)).hasMessageContaining("over the limit");
  }

  @Test
  void paymentHeaderEmptyMeansNoPaymentAndGarbageIs402() {
    assertThat(WireHeaders.decodePayment("")).isEqualTo(Payment.getDefaultInstance());
    Payment p = Payment.newBuilder().setSender(ByteString.copyFrom(new byte[] {1, 2})).build();
    assertThat(WireHeaders.decodePayment(WireHeaders.encodePayment(p))).isEqualTo(p);
    assertThatThrownBy(() -> WireHeaders.decodePayment("%%%"))
        .hasMessageContaining("Livepeer-Payment header is not standard base64")
        .satisfies(e -> assertThat(status(e)).isEqualTo(402));
    String truncated = Base64.getEncoder().encodeToString(new byte[] {0x12, 0x05, 1});
    assertThatThrownBy(() -> WireHeaders.decodePayment(truncated))
        .hasMessageContaining("not a serialized Payment")
        .satisfies(e -> assertThat(status(e)).isEqualTo(402));
  }

  // --- profiles ---

  @Test
  void defaultLadderGoesInFullProfilesWithLegacyIds() {
    SegData seg = WireProfiles.setProfiles(SegData.newBuilder(), List.of(P240, P360)).build();
    assertThat(seg.getFullProfilesList()).extracting(io.jlivepeer.wire.proto.VideoProfile::getName)
        .containsExactly("P240p30fps16x9", "P360p30fps16x9");
    assertThat(seg.getFullProfiles2List()).isEmpty();
    assertThat(seg.getFullProfiles3List()).isEmpty();
    assertThat(seg.getProfiles().toByteArray()).hasSize(8);
    assertThat(WireProfiles.profilesOf(seg)).containsExactly(P240, P360);
  }

  @Test
  void fractionalFpsCodecProfileOrGopGoInFullProfiles3() {
    VideoProfile fractional = new VideoProfile("f", 640, 360, 800_000, 30000, 1001, CodecProfile.ENCODER_DEFAULT, 0);
    VideoProfile high = new VideoProfile("h", 640, 360, 800_000, 30, 1, CodecProfile.H264_HIGH, 0);
    VideoProfile intra = new VideoProfile("i", 640, 360, 800_000, 30, 1, CodecProfile.ENCODER_DEFAULT,
        VideoProfile.GOP_INTRA);
    for (VideoProfile p : List.of(fractional, high, intra)) {
      SegData seg = WireProfiles.setProfiles(SegData.newBuilder(), List.of(P240, p)).build();
      assertThat(seg.getFullProfilesList()).isEmpty();
      assertThat(seg.getFullProfiles3List()).hasSize(2);
      assertThat(seg.getProfiles().isEmpty()).isTrue(); // not all presets: no legacy ids
      assertThat(WireProfiles.profilesOf(seg)).containsExactly(P240, p);
    }
  }

  @Test
  void nonTsOutputsWithDefaultsGoInFullProfiles2() {
    io.jlivepeer.wire.proto.VideoProfile mp4 = WireProfiles.toProto(P240).toBuilder()
        .setFormat(io.jlivepeer.wire.proto.VideoProfile.Format.MP4).build();
    assertThat(WireProfiles.fullProfilesField(List.of(WireProfiles.toProto(P240), mp4)))
        .isEqualTo(WireProfiles.FULL_PROFILES_2).isEqualTo(34);
    io.jlivepeer.wire.proto.VideoProfile mp4High = mp4.toBuilder()
        .setProfile(io.jlivepeer.wire.proto.VideoProfile.Profile.H264_MAIN).build();
    assertThat(WireProfiles.fullProfilesField(List.of(mp4High))).isEqualTo(35);
    assertThat(WireProfiles.fullProfilesField(List.of(WireProfiles.toProto(P240)))).isEqualTo(33);
  }

  @Test
  void profileMappingRoundTripsEveryField() {
    VideoProfile p = new VideoProfile("x", 1920, 1080, 6_000_000, 60000, 1001, CodecProfile.H264_CONSTRAINED_HIGH, 2000);
    io.jlivepeer.wire.proto.VideoProfile wire = WireProfiles.toProto(p);
    assertThat(wire.getProfile()).isEqualTo(io.jlivepeer.wire.proto.VideoProfile.Profile.H264_CONSTRAINED_HIGH);
    assertThat(wire.getGop()).isEqualTo(2000);
    assertThat(wire.getFpsDen()).isEqualTo(1001);
    assertThat(WireProfiles.fromProto(wire)).isEqualTo(p);
    // an unset fpsDen (0 in proto3) means 1
    assertThat(WireProfiles.fromProto(wire.toBuilder().clearFpsDen().build()).fpsDen()).isEqualTo(1);
  }

  @Test
  void rejectsProfilesWeCannotEncode() {
    io.jlivepeer.wire.proto.VideoProfile base = WireProfiles.toProto(P240);
    assertThatThrownBy(() -> WireProfiles.fromProto(base.toBuilder()
        .setEncoder(io.jlivepeer.wire.proto.VideoProfile.VideoCodec.VP9).build()))
        .hasMessageContaining("only H264");
    assertThatThrownBy(() -> WireProfiles.fromProto(base.toBuilder().setName("").build()))
        .isInstanceOf(WireException.class).hasMessageContaining("bad profile");
    assertThatThrownBy(() -> WireProfiles.fromProto(base.toBuilder().setBitrate(0).build()))
        .hasMessageContaining("bitrate");
    assertThatThrownBy(() -> WireProfiles.fromProto(base.toBuilder().setProfileValue(9).build()))
        .hasMessageContaining("unknown codec profile");
  }

  @Test
  void legacyIdIsTheFirstFourBytesOfKeccak256OfTheName() {
    assertThat(WireProfiles.legacyIdHex("P720p30fps16x9")).isEqualTo("49d54ea9");
    assertThat(WireProfiles.presetByLegacyId(java.util.HexFormat.of().parseHex("49d54ea9")))
        .contains(io.jlivepeer.media.VideoProfiles.preset("P720p30fps16x9").orElseThrow());
  }

  @Test
  void legacyIdsMapBackToPresetsAndRejectUnknownOnes() {
    byte[] ids = WireProfiles.legacyBytes(List.of(P360, P240));
    assertThat(WireProfiles.fromLegacyBytes(ids)).containsExactly(P360, P240);
    SegData legacyOnly = SegData.newBuilder().setProfiles(ByteString.copyFrom(ids)).build();
    assertThat(WireProfiles.profilesOf(legacyOnly)).containsExactly(P360, P240);
    assertThatThrownBy(() -> WireProfiles.fromLegacyBytes(new byte[] {1, 2, 3, 4})).hasMessageContaining("unknown legacy");
    assertThatThrownBy(() -> WireProfiles.fromLegacyBytes(new byte[] {1, 2, 3})).hasMessageContaining("4 bytes each");
  }

  // --- capabilities ---

  @Test
  void capabilityBitNIsBitNMod64OfWordNDiv64() {
    CapabilityBits bits = CapabilityBits.builder().set(0).set(63).set(64).set(130).build();
    assertThat(bits.toWords()).containsExactly(0x8000000000000001L, 1L, 4L);
    assertThat(bits.has(63)).isTrue();
    assertThat(bits.has(1)).isFalse();
    assertThat(bits.has(1000)).isFalse();
    assertThat(CapabilityBits.fromProto(bits.toProto())).isEqualTo(bits);
    assertThat(CapabilityBits.of(Capability.AUTH_TOKEN).toWords()).containsExactly(1L << 12);
    assertThat(Capability.SEGMENT_SLICING.id()).isEqualTo(26);
  }

  @Test
  void orchestratorIsCompatibleWhenBAndOEqualsB() {
    CapabilityBits b = CapabilityBits.of(Capability.H264, Capability.MPEGTS, Capability.AUTH_TOKEN);
    CapabilityBits o = CapabilityBits.builder().setAll(b).set(Capability.MP4).set(100).build();
    assertThat(o.satisfies(b)).isTrue();
    assertThat(b.satisfies(o)).isFalse();
    assertThat(b.missing(o)).containsExactly(Capability.MP4.id(), 100);
    assertThat(o.satisfies(CapabilityBits.empty())).isTrue();
    assertThat(CapabilityBits.fromWords(List.of(7L, 0L))).isEqualTo(CapabilityBits.fromWords(List.of(7L)));
  }

  @Test
  void requiredCapabilitiesFollowTheLadder() {
    assertThat(CapabilityBits.requiredFor(List.of(P240)).has(Capability.GOP)).isFalse();
    VideoProfile odd = new VideoProfile("o", 640, 360, 800_000, 30000, 1001, CodecProfile.H264_MAIN, 1000);
    CapabilityBits bits = CapabilityBits.requiredFor(List.of(odd));
    assertThat(bits.has(Capability.FRACTIONAL_FRAMERATES)).isTrue();
    assertThat(bits.has(Capability.PROFILE_H264_MAIN)).isTrue();
    assertThat(bits.has(Capability.GOP)).isTrue();
    assertThat(bits.has(Capability.H264)).isTrue();
  }

  @Test
  void rejectsHostileBitstrings() {
    List<Long> tooMany = java.util.Collections.nCopies(65, 1L);
    assertThatThrownBy(() -> CapabilityBits.fromProto(Capabilities.newBuilder().addAllBitstring(tooMany).build()))
        .hasMessageContaining("over the limit");
    assertThatThrownBy(() -> CapabilityBits.builder().set(-1)).hasMessageContaining("out of range");
  }

  // --- auth tokens ---

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void authTokenIsHmacOfSessionIdAndExpiration() throws Exception {
    MutableClock clock = new MutableClock();
    byte[] secret = "orch-secret".getBytes();
    AuthToken token = new AuthTokens(secret, clock, new Random(1)).create();
    assertThat(token.getSessionId()).matches("[0-9a-f]{8}");
    assertThat(token.getExpiration()).isEqualTo(clock.now.plus(Duration.ofMinutes(30)).getEpochSecond());
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
    mac.update(token.getSessionId().getBytes());
    mac.update(java.math.BigInteger.valueOf(token.getExpiration()).toByteArray()); // positive, < 2^31: no sign byte
    assertThat(token.getToken().toByteArray()).isEqualTo(mac.doFinal());
    assertThat(AuthTokens.minimalBigEndian(0x100)).containsExactly(1, 0);
    assertThat(AuthTokens.minimalBigEndian(0xff)).containsExactly(0xff);
  }

  @Test
  void authTokenVerifiesUntilItExpires() {
    MutableClock clock = new MutableClock();
    AuthTokens tokens = new AuthTokens(new byte[] {1, 2, 3}, clock, new Random(2));
    AuthToken token = tokens.create();
    assertThat(tokens.verify(token)).isEqualTo(token.getSessionId());
    clock.now = clock.now.plus(Duration.ofMinutes(26));
    assertThat(AuthTokens.needsRefresh(token, clock)).isFalse();
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    assertThat(AuthTokens.needsRefresh(token, clock)).isTrue(); // last 10% of 30 minutes
    assertThat(tokens.verify(token)).isEqualTo(token.getSessionId());
    clock.now = clock.now.plus(Duration.ofMinutes(3));
    assertThatThrownBy(() -> tokens.verify(token))
        .hasMessageContaining("auth token expired")
        .satisfies(e -> assertThat(status(e)).isEqualTo(403));
  }

  @Test
  void rejectsTamperedOrForeignAuthTokens() {
    MutableClock clock = new MutableClock();
    AuthTokens tokens = new AuthTokens(new byte[] {1, 2, 3}, clock, new Random(3));
    AuthToken token = tokens.create();
    AuthToken longer = token.toBuilder().setExpiration(token.getExpiration() + 3600).build();
    AuthToken otherSession = token.toBuilder().setSessionId("00000000").build();
    AuthToken foreign = new AuthTokens(new byte[] {9}, clock, new Random(3)).create();
    for (AuthToken bad : List.of(longer, otherSession, foreign)) {
      assertThatThrownBy(() -> tokens.verify(bad))
          .hasMessageContaining("invalid auth token")
          .satisfies(e -> assertThat(status(e)).isEqualTo(403));
    }
  }
}
