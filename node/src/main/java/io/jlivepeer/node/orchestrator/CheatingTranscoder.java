package io.jlivepeer.node.orchestrator;

import io.jlivepeer.media.Cheats;
import io.jlivepeer.media.Rendition;
import io.jlivepeer.media.Segment;
import io.jlivepeer.media.TranscodeResult;
import io.jlivepeer.media.Transcoder;
import io.jlivepeer.media.VideoProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A deliberately cheating transcoder, for tests of broadcasters' verification only (hidden flag {@code -testCheat}
 * on an orchestrator): it transcodes honestly, then returns tampered renditions, which the orchestrator signs as its
 * own. Kinds: a watermark, half the resolution, every other frame dropped (media's {@link Cheats}), or another
 * segment's content (the previous segment's renditions again; the first segment of a session is honest). The pixel
 * counts charged are the honest ones.
 */
public final class CheatingTranscoder implements Transcoder {
  enum Kind { WATERMARK, LOW_RESOLUTION, DROPPED_FRAMES, OTHER_SEGMENT }

  private final Kind kind;
  private final Transcoder honest;

  private CheatingTranscoder(Kind kind, Transcoder honest) {
    this.kind = kind;
    this.honest = honest;
  }

  /** {@code watermark}, {@code lowres}, {@code dropframes} or {@code othersegment}. */
  public static CheatingTranscoder of(String kind, Transcoder honest) {
    Kind k = switch (kind.strip().toLowerCase(Locale.ROOT)) {
      case "watermark" -> Kind.WATERMARK;
      case "lowres" -> Kind.LOW_RESOLUTION;
      case "dropframes" -> Kind.DROPPED_FRAMES;
      case "othersegment" -> Kind.OTHER_SEGMENT;
      default -> throw new IllegalArgumentException("-testCheat must be watermark, lowres, dropframes or othersegment,"
          + " got '" + kind + "'");
    };
    return new CheatingTranscoder(k, honest);
  }

  @Override
  public TranscodeSession open(String sessionId, List<VideoProfile> profiles) {
    TranscodeSession session = honest.open(sessionId, profiles);
    return new TranscodeSession() {
      private Optional<List<Rendition>> previous = Optional.empty();

      @Override
      public TranscodeResult transcode(Segment segment) {
        TranscodeResult real = session.transcode(segment);
        List<Rendition> out = new ArrayList<>();
        for (int i = 0; i < real.renditions().size(); i++) {
          int index = i;
          Rendition r = real.renditions().get(i);
          byte[] data = switch (kind) {
            case WATERMARK -> Cheats.apply(Cheats.Kind.WATERMARK, r.data(), r.profile());
            case LOW_RESOLUTION -> Cheats.apply(Cheats.Kind.LOW_RESOLUTION, r.data(), r.profile());
            case DROPPED_FRAMES -> Cheats.apply(Cheats.Kind.DROPPED_FRAMES, r.data(), r.profile());
            case OTHER_SEGMENT -> previous.filter(p -> p.size() == real.renditions().size())
                .map(p -> p.get(index).data()).orElse(r.data());
          };
          out.add(new Rendition(r.profile(), data, r.encodedPixels()));
        }
        previous = Optional.of(real.renditions());
        return new TranscodeResult(real.decodedPixels(), out);
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }
}
