package io.jlivepeer.wire;

import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.media.VideoProfile.CodecProfile;
import io.jlivepeer.media.VideoProfiles;
import io.jlivepeer.payments.Keccak;
import io.jlivepeer.wire.proto.SegData;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves a ladder of media {@link VideoProfile}s in and out of SegData: the {@code fullProfiles} fields 33/34/35
 * and the legacy 4-byte ids (wire.md "Messages", rule under the table).
 */
public final class WireProfiles {
  /** Field 33: every output MPEG-TS with integer fps and default codec profile and GOP. */
  public static final int FULL_PROFILES = SegData.FULLPROFILES_FIELD_NUMBER;
  /** Field 34: not all outputs TS, the rest default. */
  public static final int FULL_PROFILES_2 = SegData.FULLPROFILES2_FIELD_NUMBER;
  /** Field 35: anything else (fractional fps, a codec profile, a GOP). */
  public static final int FULL_PROFILES_3 = SegData.FULLPROFILES3_FIELD_NUMBER;
  /** Most profiles a segment may ask for; checked before converting a peer's list. */
  public static final int MAX_PROFILES = 32;

  private WireProfiles() {}

  /** The wire form of a media profile: MPEG-TS, H.264, every field filled. */
  public static io.jlivepeer.wire.proto.VideoProfile toProto(VideoProfile p) {
    return io.jlivepeer.wire.proto.VideoProfile.newBuilder()
        .setName(p.name())
        .setWidth(p.width())
        .setHeight(p.height())
        .setBitrate(p.bitrateBps())
        .setFps(p.fps())
        .setFpsDen(p.fpsDen())
        .setFormat(io.jlivepeer.wire.proto.VideoProfile.Format.MPEGTS)
        .setProfileValue(p.codecProfile().ordinal()) // media's enum mirrors the wire enum's numbering
        .setGop(p.gopMillis())
        .setEncoder(io.jlivepeer.wire.proto.VideoProfile.VideoCodec.H264)
        .build();
  }

  /**
   * The media profile of a wire profile. Throws {@link WireException} (400) for what the media module cannot
   * encode: no name, a non-H.264 codec, a non-TS format, an unknown enum value, an out-of-range size.
   */
  public static VideoProfile fromProto(io.jlivepeer.wire.proto.VideoProfile p) {
    String name = p.getName();
    if (p.getEncoder() != io.jlivepeer.wire.proto.VideoProfile.VideoCodec.H264) {
      throw new WireException(400, "profile '" + name + "' asks for codec " + p.getEncoderValue()
          + "; only H264 is encoded");
    }
    if (p.getFormat() != io.jlivepeer.wire.proto.VideoProfile.Format.MPEGTS) {
      throw new WireException(400, "profile '" + name + "' asks for format " + p.getFormatValue()
          + "; only MPEG-TS output is produced");
    }
    int profileValue = p.getProfileValue();
    if (profileValue < 0 || profileValue >= CodecProfile.values().length) {
      throw new WireException(400, "profile '" + name + "' has unknown codec profile " + profileValue);
    }
    if (p.getFps() < 0 || p.getFpsDen() < 0) { // uint32 above 2^31 reads negative in Java
      throw new WireException(400, "profile '" + name + "' has an out-of-range frame rate");
    }
    int fpsDen = p.getFpsDen() == 0 ? 1 : p.getFpsDen(); // proto3 leaves an unset denominator at 0: means 1
    try {
      return new VideoProfile(name, p.getWidth(), p.getHeight(), p.getBitrate(), p.getFps(), fpsDen,
          CodecProfile.values()[profileValue], p.getGop());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new WireException(400, "bad profile in segment request: " + e.getMessage(), e);
    }
  }

  /** Which fullProfiles field (33, 34 or 35) a list of wire profiles goes in, per wire.md's rule. */
  public static int fullProfilesField(List<io.jlivepeer.wire.proto.VideoProfile> profiles) {
    boolean allTs = true;
    boolean restDefault = true;
    for (io.jlivepeer.wire.proto.VideoProfile p : profiles) {
      allTs &= p.getFormat() == io.jlivepeer.wire.proto.VideoProfile.Format.MPEGTS;
      restDefault &= (p.getFpsDen() == 0 || p.getFpsDen() == 1)
          && p.getProfile() == io.jlivepeer.wire.proto.VideoProfile.Profile.ENCODER_DEFAULT
          && p.getGop() == 0;
    }
    if (allTs && restDefault) {
      return FULL_PROFILES;
    }
    return restDefault ? FULL_PROFILES_2 : FULL_PROFILES_3;
  }

  /**
   * Puts a media ladder into {@code segData}: the matching fullProfiles field, and the legacy ids in {@code
   * profiles} (field 4) when every profile is a reference preset (older peers only read that).
   */
  public static SegData.Builder setProfiles(SegData.Builder segData, List<VideoProfile> ladder) {
    List<io.jlivepeer.wire.proto.VideoProfile> wire = ladder.stream().map(WireProfiles::toProto).toList();
    segData.clearFullProfiles().clearFullProfiles2().clearFullProfiles3();
    switch (fullProfilesField(wire)) {
      case FULL_PROFILES -> segData.addAllFullProfiles(wire);
      case FULL_PROFILES_2 -> segData.addAllFullProfiles2(wire);
      default -> segData.addAllFullProfiles3(wire);
    }
    boolean allPresets = ladder.stream().allMatch(p -> VideoProfiles.preset(p.name()).filter(p::equals).isPresent());
    segData.setProfiles(allPresets ? com.google.protobuf.ByteString.copyFrom(legacyBytes(ladder))
        : com.google.protobuf.ByteString.EMPTY);
    return segData;
  }

  /**
   * The ladder a segment asks for: the first non-empty of fullProfiles, fullProfiles2, fullProfiles3, else the
   * legacy ids of field 4. Throws {@link WireException} (400) for a profile we cannot encode or too many profiles.
   */
  public static List<VideoProfile> profilesOf(SegData segData) {
    List<io.jlivepeer.wire.proto.VideoProfile> wire = !segData.getFullProfilesList().isEmpty()
        ? segData.getFullProfilesList()
        : !segData.getFullProfiles2List().isEmpty() ? segData.getFullProfiles2List() : segData.getFullProfiles3List();
    if (wire.isEmpty()) {
      return fromLegacyBytes(segData.getProfiles().toByteArray());
    }
    if (wire.size() > MAX_PROFILES) {
      throw new WireException(400, "segment asks for " + wire.size() + " profiles, over the limit of " + MAX_PROFILES);
    }
    List<VideoProfile> out = new ArrayList<>(wire.size());
    for (io.jlivepeer.wire.proto.VideoProfile p : wire) {
      out.add(fromProto(p));
    }
    return List.copyOf(out);
  }

  /**
   * The legacy 4-byte profile id: the first 4 bytes of keccak256 of the profile name
   * ({@code P720p30fps16x9} -> {@code 49d54ea9}).
   */
  public static byte[] legacyId(String name) {
    byte[] hash = Keccak.hash(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return java.util.Arrays.copyOf(hash, 4);
  }

  /** {@link #legacyId(String)} in lower-case hex. */
  public static String legacyIdHex(String name) {
    return java.util.HexFormat.of().formatHex(legacyId(name));
  }

  /** The reference preset whose legacy id is {@code id}, if any. */
  public static java.util.Optional<VideoProfile> presetByLegacyId(byte[] id) {
    return VideoProfiles.presets().stream()
        .filter(p -> java.util.Arrays.equals(legacyId(p.name()), id))
        .findFirst();
  }

  /** Concatenated 4-byte legacy ids (first 4 bytes of keccak256 of each name). */
  public static byte[] legacyBytes(List<VideoProfile> ladder) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (VideoProfile p : ladder) {
      out.writeBytes(legacyId(p.name()));
    }
    return out.toByteArray();
  }

  /** The reference presets named by concatenated legacy ids; an unknown id or a ragged length throws (400). */
  public static List<VideoProfile> fromLegacyBytes(byte[] ids) {
    if (ids.length % 4 != 0) {
      throw new WireException(400, "legacy profile ids are 4 bytes each, got " + ids.length + " bytes");
    }
    if (ids.length / 4 > MAX_PROFILES) {
      throw new WireException(400, "segment asks for " + ids.length / 4 + " profiles, over the limit of "
          + MAX_PROFILES);
    }
    List<VideoProfile> out = new ArrayList<>();
    for (int i = 0; i < ids.length; i += 4) {
      byte[] id = java.util.Arrays.copyOfRange(ids, i, i + 4);
      out.add(presetByLegacyId(id).orElseThrow(() -> new WireException(400,
          "unknown legacy profile id " + java.util.HexFormat.of().formatHex(id) + "; send fullProfiles instead")));
    }
    return List.copyOf(out);
  }
}
