package ringtrain.worker.loop;

import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.ddp.GradientNoiseScale;
import ringtrain.worker.precision.LossScaler;

/**
 * Step metrics of a run: rank 0 sends one line every {@code run.log_every} steps (and at the last)
 * with the interval's mean times and throughput; every rank keeps the epoch's mean training loss.
 */
final class MetricsReporter {
  private final MetricsSink sink;
  private final boolean reports;
  private final long logEvery;
  private final long totalSteps;
  private final BatchPlan batches;
  private final LossScaler scaler;
  private final GradientNoiseScale noise;
  private final MicroBatchSource input;
  private IntervalStats interval = new IntervalStats();

  /** {@link MicroBatchSource#waitNanos} when the current interval began. */
  private long intervalWaitStart;

  private double epochLossSum;
  private long epochLossCount;

  /**
   * @param reports whether this rank sends metrics (rank 0)
   * @param noise the noise scale estimate, or null
   * @param input the rank's micro-batches, whose wait for input the lines report
   */
  MetricsReporter(
      MetricsSink sink,
      boolean reports,
      long logEvery,
      long totalSteps,
      BatchPlan batches,
      LossScaler scaler,
      GradientNoiseScale noise,
      MicroBatchSource input) {
    this.sink = sink;
    this.reports = reports;
    this.logEvery = logEvery;
    this.totalSteps = totalSteps;
    this.batches = batches;
    this.scaler = scaler;
    this.noise = noise;
    this.input = input;
    this.intervalWaitStart = input.waitNanos();
  }

  /** Records step {@code s} (0-based) and sends the interval's line when it is due. */
  void stepDone(long s, TrainingLoop.StepOutcome outcome) {
    long done = s + 1;
    interval.add(outcome, batches.globalBatch());
    epochLossSum += outcome.loss();
    epochLossCount++;
    if (reports && (done % logEvery == 0 || done == totalSteps)) {
      long waited = input.waitNanos() - intervalWaitStart;
      sink.onStep(metrics(s, s / batches.stepsPerEpoch(), outcome, waited));
      interval = new IntervalStats();
      intervalWaitStart = input.waitNanos();
    }
  }

  /** Starts a new epoch's training loss. */
  void epochEnded() {
    epochLossSum = 0;
    epochLossCount = 0;
  }

  /** Mean training loss of the current (last) epoch's steps; NaN when none ran. */
  double trainLoss() {
    return epochLossCount == 0 ? Double.NaN : epochLossSum / epochLossCount;
  }

  private StepMetrics metrics(
      long s, long epoch, TrainingLoop.StepOutcome outcome, long inputWaitNanos) {
    return new StepMetrics(
        s,
        epoch,
        outcome.loss(),
        outcome.lr(),
        outcome.gradNorm(),
        outcome.lossScale(),
        interval.meanStepMs(),
        interval.meanCommMs(),
        interval.examplesPerSecond(),
        interval.meanComputeMs(),
        interval.meanOverlapMs(),
        scaler.skippedSteps(),
        noise == null ? null : noise.current(),
        interval.perStepMs(inputWaitNanos));
  }
}
