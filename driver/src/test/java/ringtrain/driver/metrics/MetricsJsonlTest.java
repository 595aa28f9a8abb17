package ringtrain.driver.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.StepMetrics;

class MetricsJsonlTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void shouldWriteOneObjectPerStepWithTheContractKeysThenTheTimelineAndSkips() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    try (MetricsJsonl sink = MetricsJsonl.create(file)) {
      sink.onStep(new StepMetrics(4, 0, 0.5, 1e-3, 2.25, 65536, 12.5, 3.25, 1280, 9.5, 2.0, 3));
      sink.onEval(new EvalMetrics(4, 0, 0.75, 0.875));
    }

    List<String> lines = Files.readAllLines(file);
    assertThat(lines)
        .containsExactly(
            "{\"type\":\"step\",\"step\":4,\"epoch\":0,\"loss\":0.5,\"lr\":0.001,\"grad_norm\":2.25,"
                + "\"loss_scale\":65536.0,\"step_ms\":12.5,\"comm_ms\":3.25,\"examples_per_s\":1280.0,"
                + "\"compute_ms\":9.5,\"overlap_ms\":2.0,\"skipped_steps\":3}",
            "{\"type\":\"eval\",\"step\":4,\"epoch\":0,\"test_loss\":0.75,\"test_accuracy\":0.875}");
    assertThat(fieldNames(JSON.readTree(lines.get(0))))
        .containsExactly(
            "type",
            "step",
            "epoch",
            "loss",
            "lr",
            "grad_norm",
            "loss_scale",
            "step_ms",
            "comm_ms",
            "examples_per_s",
            "compute_ms",
            "overlap_ms",
            "skipped_steps");
    assertThat(MetricsJsonl.read(file).steps().get(0).skippedSteps()).isEqualTo(3);
    assertThat(fieldNames(JSON.readTree(lines.get(1))))
        .containsExactly("type", "step", "epoch", "test_loss", "test_accuracy");
  }

  @Test
  void shouldReadBackWhatItWrote() {
    Path file = dir.resolve("metrics.jsonl");
    StepMetrics first =
        new StepMetrics(0, 0, 2.302585092994046, 1.25e-4, 7.5, 1, 120.0, 30.0, 533.3);
    StepMetrics second = new StepMetrics(1, 1, 0.1 + 0.2, 2.5e-4, 3.0, 32768, 99.5, 20.25, 643.2);
    EvalMetrics eval = new EvalMetrics(1, 1, 0.4, 0.9123);
    try (MetricsJsonl sink = MetricsJsonl.create(file)) {
      sink.onStep(first);
      sink.onStep(second);
      sink.onEval(eval);
    }

    MetricsLog log = MetricsJsonl.read(file);

    assertThat(log.steps()).containsExactly(first, second);
    assertThat(log.evals()).containsExactly(eval);
  }

  @Test
  void shouldWriteNonFiniteValuesAsNullAndReadThemBackAsNaN() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    try (MetricsJsonl sink = MetricsJsonl.create(file)) {
      sink.onStep(new StepMetrics(7, 0, Double.NaN, 1e-3, Double.POSITIVE_INFINITY, 1, 1, 1, 1));
    }

    JsonNode line = JSON.readTree(Files.readAllLines(file).get(0));
    assertThat(line.get("loss").isNull()).isTrue();
    assertThat(line.get("grad_norm").isNull()).isTrue();
    StepMetrics read = MetricsJsonl.read(file).steps().get(0);
    assertThat(read.loss()).isNaN();
    assertThat(read.gradNorm()).isNaN();
    assertThat(read.lr()).isEqualTo(1e-3);
  }

  @Test
  void shouldMakeEachLineVisibleBeforeClose() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    try (MetricsJsonl sink = MetricsJsonl.create(file)) {
      sink.onStep(step(0));
      assertThat(Files.readAllLines(file)).hasSize(1);
      sink.onStep(step(1));
      assertThat(Files.readAllLines(file)).hasSize(2);
    }
  }

  @Test
  void shouldDropLinesAtOrAfterTheResumeStepAndLinesCutOffByACrash() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    try (MetricsJsonl sink = MetricsJsonl.create(file)) {
      for (int s = 0; s < 8; s++) {
        sink.onStep(step(s));
        if (s % 4 == 3) {
          sink.onEval(new EvalMetrics(s, 0, 1.0 / (s + 1), 0.5));
        }
      }
    }
    // The attempt that died was half-way through a line.
    Files.writeString(
        file,
        "{\"type\":\"step\",\"step\":8,\"ep",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);

    try (MetricsJsonl sink = MetricsJsonl.resume(file, 5)) {
      sink.onStep(step(5));
    }

    MetricsLog log = MetricsJsonl.read(file);
    assertThat(log.steps()).extracting(StepMetrics::step).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(log.evals()).extracting(EvalMetrics::step).containsExactly(3L);
    for (String line : Files.readAllLines(file)) {
      assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
    }
  }

  @Test
  void shouldDropWhatAFailedAttemptLoggedAfterTheSnapshotTheNextAttemptStartsFrom()
      throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    try (MetricsJsonl sink = MetricsJsonl.create(file)) {
      sink.onStart(0);
      for (int s = 0; s < 7; s++) {
        sink.onStep(step(s));
      }
      sink.onEval(new EvalMetrics(5, 0, 0.5, 0.5));
      // Attempt 1 resumes from the snapshot of step 4: steps 4..6 and the eval are logged again.
      sink.onStart(4);
      for (int s = 4; s < 8; s++) {
        sink.onStep(step(s));
      }
      // A later start beyond everything written leaves the file alone.
      sink.onStart(8);
      sink.onStep(step(8));
    }

    MetricsLog log = MetricsJsonl.read(file);
    assertThat(log.steps())
        .extracting(StepMetrics::step)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(log.evals()).isEmpty();
  }

  @Test
  void shouldStartAFreshFileOnCreate() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    Files.writeString(file, "{\"type\":\"step\",\"step\":99}\n{\"type\":\"step\",\"step\":100}\n");

    try (MetricsJsonl sink = MetricsJsonl.create(file)) {
      sink.onStep(step(0));
    }

    assertThat(MetricsJsonl.read(file).steps()).extracting(StepMetrics::step).containsExactly(0L);
  }

  @Test
  void shouldCreateTheFileWhenResumingWithoutOne() {
    Path file = dir.resolve("out/metrics.jsonl");
    try (MetricsJsonl sink = MetricsJsonl.resume(file, 100)) {
      sink.onStep(step(100));
    }

    assertThat(MetricsJsonl.read(file).steps()).extracting(StepMetrics::step).containsExactly(100L);
  }

  private static StepMetrics step(long s) {
    return new StepMetrics(s, 0, 1.0 / (s + 1), 1e-3, 1.5, 1, 10, 2, 1000);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
