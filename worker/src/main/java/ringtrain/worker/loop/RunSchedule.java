package ringtrain.worker.loop;

import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.worker.data.BatchPlan;

/**
 * What happens between steps of a run, and at its start and end: the sink's start, metrics lines
 * ({@link MetricsReporter}), evaluation at the end of every epoch but the last ({@code
 * train.eval_every_epoch}) and once at the end, and snapshots at the start, every {@code
 * snapshot.every} steps and at the end. Evaluation runs on all ranks together; snapshots only where
 * {@link Checkpoints#writes()}.
 */
final class RunSchedule {
  private final JobConfig job;
  private final long total;
  private final BatchPlan batches;
  private final MetricsSink sink;
  private final MetricsReporter metrics;
  private final Evaluator evaluator;
  private final Checkpoints checkpoints;
  private final long start;
  private final long startNanos;
  private long lastSnapshot = -1;
  private EvalMetrics lastEval;

  /**
   * @param reports whether this rank sends metrics (rank 0)
   * @param start the first step this run executes (0, or the resumed step)
   * @param startNanos when the run started (System.nanoTime)
   */
  RunSchedule(
      JobConfig job,
      long total,
      LoopParts parts,
      MetricsSink sink,
      boolean reports,
      long start,
      long startNanos) {
    this.job = job;
    this.total = total;
    this.batches = parts.batches();
    this.sink = sink;
    this.metrics =
        new MetricsReporter(
            sink,
            reports,
            job.run().logEvery(),
            total,
            batches,
            parts.scaler(),
            parts.noise(),
            parts.source());
    this.evaluator = parts.evaluator();
    this.checkpoints = parts.checkpoints();
    this.start = start;
    this.startNanos = startNanos;
  }

  /** Before the first step: the sink learns the start step; the snapshot of step 0 when asked. */
  void begin() {
    sink.onStart(start);
    if (start == 0 && checkpoints.writes() && job.snapshot().atStart()) {
      checkpoints.write(0);
    }
  }

  /** After step {@code s} (0-based): its metrics, the epoch's evaluation, a due snapshot. */
  void stepDone(long s, TrainingLoop.StepOutcome outcome) {
    long done = s + 1;
    metrics.stepDone(s, outcome);
    if (done % batches.stepsPerEpoch() == 0 && done < total) {
      if (job.train().evalEveryEpoch()) {
        lastEval = evaluator.evaluate(s, s / batches.stepsPerEpoch());
      }
      metrics.epochEnded();
    }
    if (checkpoints.writes() && job.snapshot().every() > 0 && done % job.snapshot().every() == 0) {
      checkpoints.write(done);
      lastSnapshot = done;
    }
  }

  /** After the last step: the final snapshot and evaluation, and the run's result. */
  TrainingResult end(INDArray params) {
    if (checkpoints.writes() && job.snapshot().atEnd() && lastSnapshot != total && start < total) {
      checkpoints.write(total);
    }
    if (start < total || lastEval == null) {
      long last = Math.max(0, total - 1);
      lastEval = evaluator.evaluate(last, last / batches.stepsPerEpoch());
    }
    double wallS = (System.nanoTime() - startNanos) / 1e9;
    long examples = (total - start) * batches.globalBatch();
    return new TrainingResult(
        params.dup(),
        total,
        metrics.trainLoss(),
        lastEval,
        wallS,
        examples / Math.max(wallS, 1e-9));
  }
}
