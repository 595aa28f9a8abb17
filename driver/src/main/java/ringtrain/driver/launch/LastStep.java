package ringtrain.driver.launch;

import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/**
 * Passes metrics on and remembers the last step rank 0 reported, so that the driver can say at
 * which step a rank that could not report itself (a killed executor) was lost.
 */
final class LastStep implements MetricsSink {
  private final MetricsSink next;
  private volatile long step = -1;

  LastStep(MetricsSink next) {
    this.next = next;
  }

  /** The last step logged, or -1 before the first. */
  long step() {
    return step;
  }

  @Override
  public void onStart(long firstStep) {
    // A resumed attempt starts after the snapshot's step, which is done.
    step = firstStep > 0 ? firstStep : -1;
    next.onStart(firstStep);
  }

  @Override
  public void onStep(StepMetrics m) {
    step = m.step();
    next.onStep(m);
  }

  @Override
  public void onEval(EvalMetrics m) {
    next.onEval(m);
  }

  @Override
  public void close() {
    next.close();
  }
}
