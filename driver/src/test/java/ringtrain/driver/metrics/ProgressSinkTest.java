package ringtrain.driver.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

class ProgressSinkTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final long[] nanos = {0};

  @Test
  void shouldPrintOnePlainLineEveryIntervalWithEta() {
    // 1 s per step: after 5 of 10 steps, 5 remain -> 5 s.
    try (ProgressSink sink = ProgressSink.plain(10, 0, out, 5, () -> nanos[0])) {
      for (int s = 0; s < 10; s++) {
        nanos[0] = (s + 1) * 1_000_000_000L;
        sink.onStep(new StepMetrics(s, s / 5, 0.5, 1e-3, 1, 1, 1000, 10, 1280));
      }
    }

    assertThat(lines())
        .containsExactly(
            "step 5/10 (50.0%) epoch 0 loss 0.5000 lr 1.000e-03 examples/s 1280 eta 0:00:05",
            "step 10/10 (100.0%) epoch 1 loss 0.5000 lr 1.000e-03 examples/s 1280 eta 0:00:00");
  }

  @Test
  void shouldEstimateEtaFromTheStepsOfThisSessionWhenResuming() {
    // Resumed at step 400; 100 steps in 50 s -> the 500 remaining take 250 s.
    try (ProgressSink sink = ProgressSink.plain(1000, 400, out, 100, () -> nanos[0])) {
      nanos[0] = 50_000_000_000L;
      sink.onStep(new StepMetrics(499, 3, 0.12345, 2.5e-4, 1, 1, 500, 10, 2048.4));
    }

    assertThat(lines())
        .containsExactly(
            "step 500/1000 (50.0%) epoch 3 loss 0.1235 lr 2.500e-04 examples/s 2048 eta 0:04:10");
  }

  @Test
  void shouldFormatHoursInEta() {
    // 0.36 s per step, 99 900 steps left -> 35 964 s = 9 h 59 min 24 s.
    try (ProgressSink sink = ProgressSink.plain(100_000, 0, out, 100, () -> nanos[0])) {
      nanos[0] = 36_000_000_000L;
      sink.onStep(new StepMetrics(99, 0, 1, 1e-3, 1, 1, 360, 10, 100));
    }

    assertThat(lines()).singleElement().asString().endsWith("eta 9:59:24");
  }

  @Test
  void shouldPrintEvalLines() {
    try (ProgressSink sink = ProgressSink.plain(10, 0, out, 5, () -> nanos[0])) {
      sink.onEval(new EvalMetrics(4, 0, 0.31415, 0.96875));
    }

    assertThat(lines())
        .containsExactly("eval step 5 epoch 0 test_loss 0.3142 test_accuracy 0.9688");
  }

  @Test
  void shouldFanOutToEverySinkAndCloseAllEvenWhenOneFails() {
    List<String> seen = new ArrayList<>();
    MetricsSink failingOnClose = recording("a", seen, true);
    MetricsSink second = recording("b", seen, false);
    CompositeSink sink = CompositeSink.of(failingOnClose, second);

    sink.onStep(new StepMetrics(0, 0, 1, 1, 1, 1, 1, 1, 1));
    sink.onEval(new EvalMetrics(0, 0, 1, 1));

    assertThatThrownBy(sink::close).hasMessage("a close failed");
    assertThat(seen).containsExactly("a step", "b step", "a eval", "b eval", "a close", "b close");
  }

  private List<String> lines() {
    String text = bytes.toString(StandardCharsets.UTF_8);
    return text.isEmpty() ? List.of() : List.of(text.split("\\R"));
  }

  private static MetricsSink recording(String name, List<String> seen, boolean failOnClose) {
    return new MetricsSink() {
      @Override
      public void onStep(StepMetrics m) {
        seen.add(name + " step");
      }

      @Override
      public void onEval(EvalMetrics m) {
        seen.add(name + " eval");
      }

      @Override
      public void close() {
        seen.add(name + " close");
        if (failOnClose) {
          throw new IllegalStateException(name + " close failed");
        }
      }
    };
  }
}
