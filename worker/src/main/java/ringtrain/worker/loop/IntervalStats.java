package ringtrain.worker.loop;

/** Step, compute, communication and overlap time and throughput over one logging interval. */
final class IntervalStats {
  private long steps;
  private long stepNanos;
  private long commNanos;
  private long computeNanos;
  private long overlapNanos;
  private long examples;

  void add(TrainingLoop.StepOutcome outcome, long examples) {
    this.steps++;
    this.stepNanos += outcome.stepNanos();
    this.commNanos += outcome.commNanos();
    this.computeNanos += outcome.computeNanos();
    this.overlapNanos += outcome.overlapNanos();
    this.examples += examples;
  }

  double meanStepMs() {
    return mean(stepNanos);
  }

  double meanCommMs() {
    return mean(commNanos);
  }

  double meanComputeMs() {
    return mean(computeNanos);
  }

  double meanOverlapMs() {
    return mean(overlapNanos);
  }

  /** {@code nanos} measured over the interval, per step, in milliseconds. */
  double perStepMs(long nanos) {
    return mean(nanos);
  }

  private double mean(long nanos) {
    return steps == 0 ? 0 : nanos / 1e6 / steps;
  }

  double examplesPerSecond() {
    return stepNanos == 0 ? 0 : examples / (stepNanos / 1e9);
  }
}
