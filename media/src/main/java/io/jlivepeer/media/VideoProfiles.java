package io.jlivepeer.media;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlivepeer.media.VideoProfile.CodecProfile;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reference preset table and the parser of {@code -transcodingOptions} (shared/spec/media.md "Renditions").
 *
 * <p>A {@code -transcodingOptions} value is either a comma list of preset names ({@code
 * P240p30fps16x9,P360p30fps16x9}) or the path of a JSON profile file:
 *
 * <pre>{@code
 * [{"name": "720p", "width": 1280, "height": 720, "bitrate": "3000k", "fps": 30, "fpsDen": 1,
 *   "profile": "H264High", "gop": "2", "encoder": "H264"}]
 * }</pre>
 *
 * Lenient on values, strict on keys (a misspelt key would otherwise silently fall back to a default):
 *
 * <ul>
 *   <li>{@code name} is required; {@code width}/{@code height} default to 0 (keep the source's size).
 *   <li>{@code bitrate} is required: bits per second as a number ({@code 3000000}) or a string with an
 *       optional {@code k}/{@code M} suffix ({@code "3000k"}, {@code "1.5M"}, {@code "3000000"}).
 *   <li>{@code fps} defaults to 0 (keep the source's rate), {@code fpsDen} to 1.
 *   <li>{@code profile}: {@code H264Baseline}, {@code H264Main}, {@code H264High}, {@code H264ConstrainedHigh}
 *       (case-insensitive, the {@code H264} prefix optional), or empty / {@code EncoderDefault} / {@code none}.
 *   <li>{@code gop}: {@code "intra"} (every frame a keyframe) or a keyframe interval in seconds as a number or a
 *       string ({@code 2}, {@code "2.5"}); empty or 0 = the encoder's default (one IDR per segment).
 *   <li>{@code encoder}: {@code H264} (or empty); other codecs are refused, only H.264 is encoded.
 * </ul>
 */
public final class VideoProfiles {
  private static final Map<String, VideoProfile> PRESETS = buildPresets();
  private static final Set<String> JSON_KEYS =
      Set.of("name", "width", "height", "bitrate", "fps", "fpsDen", "profile", "gop", "encoder");

  private VideoProfiles() {}

  /** Every reference preset, in the order of the spec's table. */
  public static List<VideoProfile> presets() {
    return List.copyOf(PRESETS.values());
  }

  /** A reference preset by its exact name. */
  public static Optional<VideoProfile> preset(String name) {
    return Optional.ofNullable(PRESETS.get(name));
  }

  /** A node's default ladder: P240p30fps16x9, P360p30fps16x9. */
  public static List<VideoProfile> defaultLadder() {
    return List.of(PRESETS.get("P240p30fps16x9"), PRESETS.get("P360p30fps16x9"));
  }

  /**
   * The benchmark ladder every performance figure uses (media.md "standard ladder"): 720p30 3000k,
   * 480p30 1600k (854x480), 360p30 800k, 240p30 250k.
   */
  public static List<VideoProfile> standardLadder() {
    return List.of(
        VideoProfile.of("720p30", 1280, 720, 3_000_000, 30),
        VideoProfile.of("480p30", 854, 480, 1_600_000, 30),
        VideoProfile.of("360p30", 640, 360, 800_000, 30),
        VideoProfile.of("240p30", 426, 240, 250_000, 30));
  }

  /**
   * Parses a {@code -transcodingOptions} value: a comma list of preset names, or a path to a JSON profile file
   * (see the class comment). Throws {@link MediaException} naming the bad entry.
   */
  public static List<VideoProfile> parse(String option) {
    String value = option.strip();
    if (value.isEmpty()) {
      throw new MediaException("-transcodingOptions is empty: give preset names (e.g. "
          + "P240p30fps16x9,P360p30fps16x9) or the path of a JSON profile file");
    }
    if (!value.contains(",") && (value.toLowerCase(Locale.ROOT).endsWith(".json") || Files.isRegularFile(Path.of(value)))) {
      return parseFile(Path.of(value));
    }
    List<VideoProfile> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String name = part.strip();
      if (name.isEmpty()) {
        continue;
      }
      VideoProfile p = PRESETS.get(name);
      if (p == null) {
        throw new MediaException("unknown transcoding profile '" + name + "' in -transcodingOptions; known presets: "
            + String.join(", ", PRESETS.keySet()) + " (or give the path of a JSON profile file)");
      }
      out.add(p);
    }
    if (out.isEmpty()) {
      throw new MediaException("-transcodingOptions '" + option + "' names no profile");
    }
    return List.copyOf(out);
  }

  /** Reads a JSON profile file (see the class comment). */
  public static List<VideoProfile> parseFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new MediaException("cannot read the transcoding profile file " + file + ": " + e.getMessage(), e);
    }
    return parseJson(text, file.toString());
  }

  /** Parses the JSON profile array; {@code source} names it in error messages. */
  public static List<VideoProfile> parseJson(String json, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new MediaException("transcoding profile file " + source + " is not valid JSON: "
          + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isArray() || root.isEmpty()) {
      throw new MediaException("transcoding profile file " + source
          + " must hold a non-empty JSON array of profiles [{\"name\",\"width\",\"height\",\"bitrate\",...}]");
    }
    List<VideoProfile> out = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      String where = source + " profile #" + i;
      try {
        out.add(profile(root.get(i), where));
      } catch (IllegalArgumentException e) {
        throw new MediaException(where + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }

  private static VideoProfile profile(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new MediaException(where + " is not a JSON object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!JSON_KEYS.contains(key)) {
        throw new MediaException(where + ": unknown key '" + key + "'; allowed keys: " + JSON_KEYS);
      }
    }
    JsonNode nameNode = node.get("name");
    if (nameNode == null || !nameNode.isTextual() || nameNode.asText().isBlank()) {
      throw new MediaException(where + ": \"name\" is required");
    }
    String name = nameNode.asText().strip();
    where = where + " (" + name + ")";
    JsonNode bitrate = node.get("bitrate");
    if (bitrate == null || bitrate.isNull()) {
      throw new MediaException(where + ": \"bitrate\" is required (bits per second, e.g. 3000000 or \"3000k\")");
    }
    int width = intField(node, "width", 0, where);
    int height = intField(node, "height", 0, where);
    int fps = intField(node, "fps", 0, where);
    int fpsDen = intField(node, "fpsDen", 1, where);
    if (fpsDen == 0) {
      fpsDen = 1;
    }
    String encoder = textField(node, "encoder");
    if (!encoder.isEmpty() && !encoder.equalsIgnoreCase("h264") && !encoder.equalsIgnoreCase("h.264")) {
      throw new MediaException(where + ": encoder '" + encoder + "' is not supported; only H264 is encoded");
    }
    return new VideoProfile(name, width, height, parseBitrate(bitrate, where), fps, fpsDen,
        codecProfile(textField(node, "profile"), where), gopMillis(node.get("gop"), where));
  }

  /** Bits per second from {@code 3000000}, {@code "3000000"}, {@code "3000k"}, {@code "1.5M"}. */
  static int parseBitrate(JsonNode node, String where) {
    BigDecimal bps;
    if (node.isNumber()) {
      bps = node.decimalValue();
    } else if (node.isTextual()) {
      String s = node.asText().strip().toLowerCase(Locale.ROOT);
      if (s.endsWith("bps")) {
        s = s.substring(0, s.length() - 3);
      }
      BigDecimal unit = BigDecimal.ONE;
      if (s.endsWith("k")) {
        unit = BigDecimal.valueOf(1000);
        s = s.substring(0, s.length() - 1);
      } else if (s.endsWith("m")) {
        unit = BigDecimal.valueOf(1_000_000);
        s = s.substring(0, s.length() - 1);
      }
      try {
        bps = new BigDecimal(s.strip()).multiply(unit);
      } catch (NumberFormatException e) {
        throw new MediaException(where + ": bitrate '" + node.asText() + "' is not a number (e.g. 3000000 or \"3000k\")");
      }
    } else {
      throw new MediaException(where + ": bitrate must be a number or a string like \"3000k\"");
    }
    if (bps.signum() <= 0 || bps.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
      throw new MediaException(where + ": bitrate " + bps.toPlainString() + " bps is out of range");
    }
    return bps.intValue();
  }

  private static CodecProfile codecProfile(String text, String where) {
    String key = text.toLowerCase(Locale.ROOT).replace("_", "").replace(" ", "");
    if (key.startsWith("h264")) {
      key = key.substring(4);
    }
    return switch (key) {
      case "", "none", "encoderdefault", "default" -> CodecProfile.ENCODER_DEFAULT;
      case "baseline", "constrainedbaseline" -> CodecProfile.H264_BASELINE;
      case "main" -> CodecProfile.H264_MAIN;
      case "high" -> CodecProfile.H264_HIGH;
      case "constrainedhigh" -> CodecProfile.H264_CONSTRAINED_HIGH;
      default -> throw new MediaException(where + ": unknown profile '" + text
          + "'; use H264Baseline, H264Main, H264High or H264ConstrainedHigh");
    };
  }

  static int gopMillis(JsonNode node, String where) {
    if (node == null || node.isNull()) {
      return 0;
    }
    BigDecimal seconds;
    if (node.isNumber()) {
      seconds = node.decimalValue();
    } else if (node.isTextual()) {
      String s = node.asText().strip();
      if (s.equalsIgnoreCase("intra")) {
        return VideoProfile.GOP_INTRA;
      }
      if (s.isEmpty()) {
        return 0;
      }
      if (s.endsWith("s")) {
        s = s.substring(0, s.length() - 1);
      }
      try {
        seconds = new BigDecimal(s.strip());
      } catch (NumberFormatException e) {
        throw new MediaException(where + ": gop '" + node.asText() + "' must be \"intra\" or seconds, e.g. \"2\"");
      }
    } else {
      throw new MediaException(where + ": gop must be \"intra\" or seconds");
    }
    if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(3600)) > 0) {
      throw new MediaException(where + ": gop " + seconds.toPlainString() + " s is out of range (0..3600)");
    }
    return seconds.movePointRight(3).intValue();
  }

  private static int intField(JsonNode node, String key, int fallback, String where) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (v.isTextual()) {
      try {
        return Integer.parseInt(v.asText().strip());
      } catch (NumberFormatException e) {
        throw new MediaException(where + ": " + key + " '" + v.asText() + "' is not an integer");
      }
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw new MediaException(where + ": " + key + " must be a non-negative integer, got " + v);
    }
    return v.intValue();
  }

  private static String textField(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? "" : v.asText().strip();
  }

  private static Map<String, VideoProfile> buildPresets() {
    Map<String, VideoProfile> m = new LinkedHashMap<>();
    add(m, "P720p60fps16x9", 1280, 720, 6000, 60);
    add(m, "P720p30fps16x9", 1280, 720, 4000, 30);
    add(m, "P720p25fps16x9", 1280, 720, 3500, 25);
    add(m, "P720p30fps4x3", 960, 720, 3500, 30);
    add(m, "P576p30fps16x9", 1024, 576, 1500, 30);
    add(m, "P576p25fps16x9", 1024, 576, 1500, 25);
    add(m, "P360p30fps16x9", 640, 360, 1200, 30);
    add(m, "P360p25fps16x9", 640, 360, 1000, 25);
    add(m, "P360p30fps4x3", 480, 360, 1000, 30);
    add(m, "P240p30fps16x9", 426, 240, 600, 30);
    add(m, "P240p25fps16x9", 426, 240, 600, 25);
    add(m, "P240p30fps4x3", 320, 240, 600, 30);
    add(m, "P144p30fps16x9", 256, 144, 400, 30);
    return java.util.Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, VideoProfile> m, String name, int w, int h, int kbps, int fps) {
    m.put(name, VideoProfile.of(name, w, h, kbps * 1000, fps));
  }
}
