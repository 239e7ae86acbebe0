package io.jlivepeer.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameRateConverterTest {
  /** Runs frames at {@code inFps} (90 kHz timestamps from {@code start}) through a converter; returns slot -> frame. */
  private static List<String> convert(int outFps, int outDen, double inFps, int frames, long start) {
    var c = new FrameRateConverter(outFps, outDen, 1, 90_000);
    List<String> out = new ArrayList<>();
    int pending = -1;
    for (int i = 0; i < frames; i++) {
      long pts = start + Math.round(i * 90_000 / inFps);
      FrameRateConverter.Run run = c.offer(pts);
      for (int k = 0; k < run.count(); k++) {
        out.add((run.first() + k) + "=" + pending);
      }
      pending = i;
    }
    FrameRateConverter.Run run = c.finish(start + Math.round(frames * 90_000 / inFps));
    for (int k = 0; k < run.count(); k++) {
      out.add((run.first() + k) + "=" + pending);
    }
    return out;
  }

  @Test
  void sameRatePassesEveryFrameThrough() {
    assertThat(convert(30, 1, 30, 4, 0)).containsExactly("0=0", "1=1", "2=2", "3=3");
  }

  @Test
  void halvingTheRateKeepsEveryOtherFrameLikeTheFpsFilter() {
    assertThat(convert(30, 1, 60, 8, 0)).containsExactly("0=0", "1=2", "2=4", "3=6");
  }

  @Test
  void raisingTheRateDuplicatesFrames() {
    assertThat(convert(30, 1, 24, 4, 0)).containsExactly("0=0", "1=1", "2=1", "3=2", "4=3");
  }

  @Test
  void slotsContinueAcrossSegmentsOnTheSameGrid() {
    // a 2 s segment starting at 1.4 s: slots 42..101, the next one starts at slot 102
    List<String> first = convert(30, 1, 30, 60, 126_000);
    assertThat(first).hasSize(60).first().isEqualTo("42=0");
    assertThat(first).last().isEqualTo("101=59");
    assertThat(convert(30, 1, 30, 60, 126_000 + 180_000)).first().isEqualTo("102=0");
  }

  @Test
  void convertsToFractionalRates() {
    // 30 fps -> 30000/1001: one frame in 1001 is dropped
    assertThat(convert(30000, 1001, 30, 1001, 0)).hasSize(1000);
  }

  @Test
  void fitsInsideTheBoxKeepingAspectWithEvenSizes() {
    assertThat(RenditionEncoder.fit(1920, 1080, 854, 480)).containsExactly(854, 480);
    assertThat(RenditionEncoder.fit(1920, 1080, 426, 240)).containsExactly(426, 240);
    assertThat(RenditionEncoder.fit(1920, 1080, 1280, 720)).containsExactly(1280, 720);
    assertThat(RenditionEncoder.fit(1440, 1080, 1280, 720)).containsExactly(960, 720); // 4:3 into a 16:9 box
    assertThat(RenditionEncoder.fit(1080, 1920, 1280, 720)).containsExactly(406, 720); // portrait
    assertThat(RenditionEncoder.fit(1920, 1080, 0, 0)).containsExactly(1920, 1080);
    assertThat(RenditionEncoder.fit(1921, 1081, 0, 360)).containsExactly(640, 360);
  }
}
