package ringtrain.driver.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.GnsMetrics;
import ringtrain.common.metrics.StepMetrics;

class PlotsTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path dir;

  @Test
  void shouldDrawEveryPlotFromMetricsJsonlAsAValidPng() throws Exception {
    Path jsonl = dir.resolve("metrics.jsonl");
    try (MetricsJsonl sink = MetricsJsonl.create(jsonl)) {
      for (int s = 0; s < 300; s++) {
        // A skipped fp16 step: its infinite gradient norm must not break the chart.
        double gradNorm = s == 150 ? Double.POSITIVE_INFINITY : 5.0 / Math.sqrt(s + 1);
        sink.onStep(
            new StepMetrics(
                s,
                s / 100,
                2.3 * Math.exp(-s / 80.0),
                lr(s),
                gradNorm,
                s < 150 ? 65536 : 32768,
                10,
                2,
                4000 + s,
                8,
                1.5,
                s < 150 ? 0 : 1));
        if (s % 100 == 99) {
          sink.onEval(new EvalMetrics(s, s / 100, 0.5 - s / 1000.0, 0.8 + s / 2000.0));
        }
      }
    }

    List<Path> written = Plots.write(jsonl, dir.resolve("plots"));

    assertThat(written)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "loss.png",
            "lr.png",
            "grad_norm.png",
            "throughput.png",
            "loss_scale.png",
            "timeline.png",
            "accuracy.png");
    for (Path png : written) {
      byte[] bytes = Files.readAllBytes(png);
      assertThat(Arrays.copyOf(bytes, PNG_MAGIC.length)).as(png.toString()).isEqualTo(PNG_MAGIC);
      BufferedImage image = ImageIO.read(png.toFile());
      assertThat(image.getWidth()).isEqualTo(900);
      assertThat(image.getHeight()).isEqualTo(540);
      assertThat(distinctColours(image)).as("a drawn chart, not a blank image").isGreaterThan(10);
    }
  }

  @Test
  void shouldSkipAccuracyPlotWhenTheRunNeverEvaluated() {
    List<StepMetrics> steps = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      steps.add(new StepMetrics(s, 0, 1.0 / (s + 1), lr(s), 1, 1, 10, 2, 1000));
    }

    List<Path> written = Plots.write(new MetricsLog(steps, List.of()), dir.resolve("plots"));

    assertThat(written)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("loss.png", "lr.png", "grad_norm.png", "throughput.png");
    assertThat(dir.resolve("plots/accuracy.png")).doesNotExist();
  }

  @Test
  void shouldSpaceTheStepLabelsOfALongRunApart() throws Exception {
    List<StepMetrics> steps = new ArrayList<>();
    for (int s = 9; s < 9400; s += 10) {
      steps.add(new StepMetrics(s, 0, 1, 1e-3, 1, 1, 12 + 3 * Math.sin(s), 2.5, 4000, 9, 0.5, 0));
    }
    Plots.write(new MetricsLog(steps, List.of()), dir.resolve("plots"));
    BufferedImage image = ImageIO.read(dir.resolve("plots/timeline.png").toFile());
    // The x-axis labels: the dark columns of the rows below the plot that ink spreads wide over.
    boolean[] ink = new boolean[image.getWidth()];
    for (int y = image.getHeight() - 60; y < image.getHeight() - 20; y++) {
      int first = -1;
      int last = -1;
      for (int x = 0; x < image.getWidth(); x++) {
        if (dark(image.getRGB(x, y))) {
          first = first < 0 ? x : first;
          last = x;
        }
      }
      if (last - first > image.getWidth() / 2) {
        for (int x = first; x <= last; x++) {
          ink[x] |= dark(image.getRGB(x, y));
        }
      }
    }
    // Runs of ink separated by gaps of 6 px or more are labels; labels that run into each other
    // make one long run.
    List<Integer> widths = new ArrayList<>();
    int start = -1;
    int gap = 0;
    for (int x = 0; x < ink.length; x++) {
      if (ink[x]) {
        start = start < 0 ? x : start;
        gap = 0;
      } else if (start >= 0 && ++gap == 6) {
        widths.add(x - gap - start + 1);
        start = -1;
      }
    }
    assertThat(widths).as("label widths in px").hasSizeBetween(4, 15);
    assertThat(widths).allSatisfy(w -> assertThat(w).isLessThan(60));
  }

  @Test
  void shouldDrawTheNoiseScaleWhenTheRunEstimatedIt() {
    List<StepMetrics> steps = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      GnsMetrics gns = new GnsMetrics(32, 256, 2, 1, 0.9, 30, 0.9, 30, 300 + s);
      steps.add(new StepMetrics(s, 0, 1.0 / (s + 1), lr(s), 1, 1, 10, 2, 1000, 8, 0, 0, gns));
    }
    List<Path> written = Plots.write(new MetricsLog(steps, List.of()), dir.resolve("plots"));
    assertThat(written).extracting(p -> p.getFileName().toString()).contains("gns.png");
  }

  private static boolean dark(int rgb) {
    int r = (rgb >> 16) & 0xff;
    int g = (rgb >> 8) & 0xff;
    int b = rgb & 0xff;
    return r + g + b < 3 * 110;
  }

  private static double lr(int s) {
    return s < 30 ? 1e-3 * (s + 1) / 30 : 1e-3 * 0.5 * (1 + Math.cos(Math.PI * (s - 30) / 270));
  }

  private static long distinctColours(BufferedImage image) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
