package io.jlivepeer.wire;

import io.jlivepeer.media.VideoProfile;
import io.jlivepeer.wire.proto.Capabilities;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of capability bits as carried in {@code Capabilities.bitstring}: capability N is bit N%64 of
 * word N/64 (wire.md "Capability bits"). O can serve B when {@code (B AND O) == B}, see {@link #satisfies}.
 */
public final class CapabilityBits {
  /** Highest capability id accepted; keeps a hostile bitstring from allocating without bound. */
  public static final int MAX_CAPABILITY_ID = 64 * 64 - 1;

  private static final CapabilityBits EMPTY = new CapabilityBits(new long[0]);
  private final long[] words; // no trailing zero words, so equals/hashCode see one form per set

  private CapabilityBits(long[] words) {
    int len = words.length;
    while (len > 0 && words[len - 1] == 0) {
      len--;
    }
    this.words = Arrays.copyOf(words, len);
  }

  public static CapabilityBits empty() {
    return EMPTY;
  }

  public static CapabilityBits of(Capability... capabilities) {
    Builder b = builder();
    for (Capability c : capabilities) {
      b.set(c);
    }
    return b.build();
  }

  /** The bits of a {@code bitstring} field (e.g. {@code capabilities.getBitstringList()}). */
  public static CapabilityBits fromWords(List<Long> words) {
    if (words.size() > (MAX_CAPABILITY_ID + 1) / 64) {
      throw new WireException(400, "capability bitstring has " + words.size() + " words, over the limit of "
          + (MAX_CAPABILITY_ID + 1) / 64);
    }
    return new CapabilityBits(words.stream().mapToLong(Long::longValue).toArray());
  }

  /** The {@code bitstring} of a Capabilities message. */
  public static CapabilityBits fromProto(Capabilities capabilities) {
    return fromWords(capabilities.getBitstringList());
  }

  /**
   * What a broadcaster needs for a ladder of media profiles (all MPEG-TS, H.264, direct storage, auth token): the
   * fractional-framerate, codec-profile and GOP bits only when some profile asks for them.
   */
  public static CapabilityBits requiredFor(List<VideoProfile> profiles) {
    Builder b = builder().set(Capability.H264).set(Capability.MPEGTS).set(Capability.STORAGE_DIRECT)
        .set(Capability.AUTH_TOKEN);
    for (VideoProfile p : profiles) {
      if (p.fpsDen() != 1) {
        b.set(Capability.FRACTIONAL_FRAMERATES);
      }
      if (p.gopMillis() != 0) {
        b.set(Capability.GOP);
      }
      switch (p.codecProfile()) {
        case ENCODER_DEFAULT -> { }
        case H264_BASELINE -> b.set(Capability.PROFILE_H264_BASELINE);
        case H264_MAIN -> b.set(Capability.PROFILE_H264_MAIN);
        case H264_HIGH -> b.set(Capability.PROFILE_H264_HIGH);
        case H264_CONSTRAINED_HIGH -> b.set(Capability.PROFILE_H264_CONSTRAINED_HIGH);
      }
    }
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public boolean has(int id) {
    checkId(id);
    int word = id >>> 6;
    return word < words.length && (words[word] & (1L << (id & 63))) != 0;
  }

  public boolean has(Capability capability) {
    return has(capability.id());
  }

  /** True when every bit of {@code required} is set here: this O can serve a B that requires {@code required}. */
  public boolean satisfies(CapabilityBits required) {
    for (int i = 0; i < required.words.length; i++) {
      long mine = i < words.length ? words[i] : 0;
      if ((required.words[i] & mine) != required.words[i]) {
        return false;
      }
    }
    return true;
  }

  /** Ids set in {@code required} but missing here, for an operator-facing "cannot serve" message. */
  public List<Integer> missing(CapabilityBits required) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < required.words.length * 64; i++) {
      if (required.has(i) && !has(i)) {
        out.add(i);
      }
    }
    return out;
  }

  /** The words of the {@code bitstring} field. */
  public List<Long> toWords() {
    return Arrays.stream(words).boxed().toList();
  }

  /** A Capabilities message carrying only these bits (add capacities/version on the returned builder's copy). */
  public Capabilities toProto() {
    return Capabilities.newBuilder().addAllBitstring(toWords()).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CapabilityBits other && Arrays.equals(words, other.words);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(words);
  }

  @Override
  public String toString() {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < words.length * 64; i++) {
      if (has(i)) {
        ids.add(i);
      }
    }
    return "CapabilityBits" + ids;
  }

  private static void checkId(int id) {
    if (id < 0 || id > MAX_CAPABILITY_ID) {
      throw new WireException(400, "capability id " + id + " is out of range 0.." + MAX_CAPABILITY_ID);
    }
  }

  /** Mutable builder; {@link #build()} copies. */
  public static final class Builder {
    private long[] words = new long[1];

    private Builder() {}

    public Builder set(int id) {
      checkId(id);
      int word = id >>> 6;
      if (word >= words.length) {
        words = Arrays.copyOf(words, word + 1);
      }
      words[word] |= 1L << (id & 63);
      return this;
    }

    public Builder set(Capability capability) {
      return set(capability.id());
    }

    public Builder setAll(CapabilityBits other) {
      for (int i = 0; i < other.words.length * 64; i++) {
        if (other.has(i)) {
          set(i);
        }
      }
      return this;
    }

    public CapabilityBits build() {
      return new CapabilityBits(words);
    }
  }
}
