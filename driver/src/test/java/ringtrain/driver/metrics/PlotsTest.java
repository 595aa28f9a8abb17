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
                s, s / 100, 2.3 * Math.exp(-s / 80.0), lr(s), gradNorm, 65536, 10, 2, 4000 + s));
        if (s % 100 == 99) {
          sink.onEval(new EvalMetrics(s, s / 100, 0.5 - s / 1000.0, 0.8 + s / 2000.0));
        }
      }
    }

    List<Path> written = Plots.write(jsonl, dir.resolve("plots"));

    assertThat(written)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("loss.png", "lr.png", "grad_norm.png", "throughput.png", "accuracy.png");
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
