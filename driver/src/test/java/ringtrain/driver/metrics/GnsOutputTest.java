package ringtrain.driver.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.metrics.GnsMetrics;
import ringtrain.common.metrics.StepMetrics;

/** The gradient noise scale in metrics.jsonl, summary.json and the line at the end of a run. */
class GnsOutputTest {
  @TempDir Path dir;

  private static StepMetrics step(long s, GnsMetrics gns) {
    return new StepMetrics(s, 0, 1, 1e-3, 1, 1, 10, 2, 100, 8, 0, 0, gns);
  }

  @Test
  void shouldWriteAndReadTheGnsObjectOfAStepLine() throws Exception {
    GnsMetrics gns = new GnsMetrics(32, 512, 2.5, 0.5, 0.3667, 68.27, 0.31, 70.1, Double.NaN);
    Path file = dir.resolve("metrics.jsonl");
    try (MetricsJsonl sink = MetricsJsonl.create(file)) {
      sink.onStep(step(0, null));
      sink.onStep(step(1, gns));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(new ObjectMapper().readTree(lines.get(0)).has("gns")).isFalse();
    assertThat(new ObjectMapper().readTree(lines.get(1)).get("gns").get("b_simple").isNull())
        .isTrue();
    List<StepMetrics> read = MetricsJsonl.read(file).steps();
    assertThat(read.get(0).gns()).isNull();
    assertThat(read.get(1).gns()).isEqualTo(gns);
  }

  @Test
  void shouldPutBSimpleInTheSummaryOnlyWhenEstimated() throws Exception {
    Summary plain = new Summary("r", 0.9, 0.3, 0.2, 10, 1, 256, 1e-3, 1, 1, List.of(0L));
    plain.write(dir.resolve("a.json"));
    assertThat(new ObjectMapper().readTree(dir.resolve("a.json").toFile()).has("b_simple"))
        .isFalse();
    plain.withBSimple(1234.5).write(dir.resolve("b.json"));
    assertThat(Summary.read(dir.resolve("b.json")).bSimple()).isEqualTo(1234.5);
    assertThat(Summary.read(dir.resolve("a.json")).bSimple()).isNaN();
  }

  @Test
  void shouldRecommendThePowerOfTwoNearestTheLastFiniteNoiseScale() {
    GnsMetrics early = new GnsMetrics(32, 256, 2, 1, 1, 100, 1, 3000, 3000);
    GnsMetrics undefined = new GnsMetrics(32, 256, 2, 1, -1, 100, -0.1, 3000, Double.NaN);
    List<StepMetrics> steps = List.of(step(0, early), step(1, undefined), step(2, null));
    assertThat(GnsReport.bSimple(steps)).isEqualTo(3000);
    assertThat(GnsReport.line(steps, 256))
        .contains("B_simple = 3000")
        .contains("recommended global batch about 4096")
        .contains("B = 256 is below it");
    assertThat(GnsReport.line(List.of(step(0, null)), 256)).contains("not estimated");
    assertThat(GnsReport.nearestPowerOfTwo(0.3)).isEqualTo(1);
    assertThat(GnsReport.nearestPowerOfTwo(1400)).isEqualTo(1024);
    assertThat(GnsReport.nearestPowerOfTwo(1500)).isEqualTo(2048);
  }
}
