package ringtrain.driver.metrics;

import java.util.ArrayList;
import java.util.List;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/**
 * Remembers the step every attempt of the training started at: {@code [0]} for an uninterrupted
 * run, {@code [0, 250]} for one whose second attempt resumed from the snapshot of step 250.
 */
public final class StartSteps implements MetricsSink {
  private final List<Long> steps = new ArrayList<>();

  @Override
  public void onStart(long firstStep) {
    steps.add(firstStep);
  }

  @Override
  public void onStep(StepMetrics m) {}

  @Override
  public void onEval(EvalMetrics m) {}

  @Override
  public void close() {}

  /** The start steps in the order the attempts began. */
  public List<Long> steps() {
    return List.copyOf(steps);
  }
}
