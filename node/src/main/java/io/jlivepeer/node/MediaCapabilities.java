package io.jlivepeer.node;

import io.jlivepeer.wire.Capability;
import io.jlivepeer.wire.CapabilityBits;

/**
 * What this implementation's media module can do, as wire capabilities: an orchestrator offers them in
 * GetOrchestrator and checks segments against them, a transcoder announces them when it registers.
 */
public final class MediaCapabilities {
  private MediaCapabilities() {}

  /** H.264 in MPEG-TS, any codec profile, GOP, fractional rates. */
  public static CapabilityBits offered() {
    return CapabilityBits.of(Capability.H264, Capability.MPEGTS, Capability.FRACTIONAL_FRAMERATES,
        Capability.STORAGE_DIRECT, Capability.PROFILE_H264_BASELINE, Capability.PROFILE_H264_MAIN,
        Capability.PROFILE_H264_HIGH, Capability.PROFILE_H264_CONSTRAINED_HIGH, Capability.GOP,
        Capability.AUTH_TOKEN);
  }
}
