package ringtrain.bench;

import java.util.ArrayList;
import java.util.List;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/** Keeps rank 0's streamed step metrics from step {@code first} on (earlier ones are warm-up). */
public final class StepRecorder implements MetricsSink {
  private final long first;
  private final List<StepMetrics> kept = new ArrayList<>();

  public StepRecorder(long first) {
    this.first = first;
  }

  @Override
  public void onStep(StepMetrics m) {
    if (m.step() >= first) {
      kept.add(m);
    }
  }

  @Override
  public void onEval(EvalMetrics m) {}

  @Override
  public void close() {}

  /** The kept records, in arrival order. */
  public List<StepMetrics> steps() {
    return kept;
  }
}
