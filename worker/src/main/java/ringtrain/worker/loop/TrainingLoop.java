package ringtrain.worker.loop;

import java.util.Optional;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.data.RankData;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;

/**
 * The training loop of one rank, as DESIGN.md §2.4 lists it. Every optimizer step: k micro-batches
 * of forward/backward accumulated into one flat FP32 gradient ({@link GradientAccumulator}); one
 * average over the ranks, bucket by bucket during backward with {@code comm.overlap} ({@link
 * GradientSync}); unscale, the same skip decision on every rank, clipping and the optimizer update
 * with the scheduled learning rate ({@link UpdateStep}). Before the first step {@link Checkpoints}
 * sets the start point; between steps {@link RunSchedule} sends metrics, evaluates and writes
 * snapshots. {@link LoopParts} builds the pieces once from the job.
 */
public final class TrainingLoop {
  /** Snapshot {@code extra} key holding the trained network's configuration JSON. */
  public static final String NETWORK_JSON = Checkpoints.NETWORK_JSON;

  private final JobConfig job;
  private final TrainingPlan plan;
  private final Collective comm;
  private final MetricsSink sink;
  private final LoopParts parts;

  /**
   * @param data the whole training and test sets; with {@code data.placement = shard} this rank
   *     keeps only its shards of them (and releases them when the run ends)
   * @param snapshots where rank 0 writes snapshots, or null for none
   */
  public TrainingLoop(
      JobConfig job,
      TrainingPlan plan,
      TrainTest data,
      Collective comm,
      MetricsSink sink,
      SnapshotStore snapshots) {
    this(job, plan, comm, sink, LoopParts.build(job, plan, data, comm, sink, snapshots));
  }

  /**
   * @param data what this rank trains and evaluates on: every example, or its shards
   * @param snapshots where rank 0 writes snapshots, or null for none
   */
  public TrainingLoop(
      JobConfig job,
      TrainingPlan plan,
      RankData data,
      Collective comm,
      MetricsSink sink,
      SnapshotStore snapshots) {
    this(job, plan, comm, sink, LoopParts.build(job, plan, data, false, comm, sink, snapshots));
  }

  private TrainingLoop(
      JobConfig job, TrainingPlan plan, Collective comm, MetricsSink sink, LoopParts parts) {
    this.job = job;
    this.plan = plan;
    this.comm = comm;
    this.sink = sink;
    this.parts = parts;
  }

  /** The engine computing gradients (for benchmarks: its memory meter, its layers). */
  public GradientEngine engine() {
    return parts.engine();
  }

  /** The model being trained (its parameters are the live training parameters). */
  public TrainableModel model() {
    return parts.model();
  }

  /**
   * Trains from step 0, or from {@code resume}'s step with its parameters and optimizer state, to
   * {@link TrainingPlan#totalSteps()}.
   */
  public TrainingResult run(Optional<TrainingState> resume) {
    try (parts) {
      long startNanos = System.nanoTime();
      long start = parts.checkpoints().start(resume);
      parts.engine().paramsUpdated();
      RunSchedule events =
          new RunSchedule(job, plan.totalSteps(), parts, sink, comm.rank() == 0, start, startNanos);
      events.begin();
      for (long s = start; s < plan.totalSteps(); s++) {
        events.stepDone(s, step(s));
      }
      return events.end(parts.params());
    }
  }

  /**
   * What one optimizer step did.
   *
   * @param lossScale the loss scale the step's gradients were computed with
   * @param skipped whether the update was skipped (fp16 gradients with inf/NaN on some rank)
   * @param computeNanos forward and backward time
   * @param overlapNanos all-reduce time hidden behind compute
   */
  public record StepOutcome(
      double loss,
      double lr,
      double gradNorm,
      long stepNanos,
      long commNanos,
      double lossScale,
      boolean skipped,
      long computeNanos,
      long overlapNanos) {}

  /** One optimizer step {@code s} (0-based): accumulate, average over the ranks, update. */
  public StepOutcome step(long s) {
    long stepStart = System.nanoTime();
    double lr = parts.schedule().lr(s);
    double scale = parts.scaler().scale();
    parts.accumulator().accumulate(s, scale);
    long computeEnd = System.nanoTime();
    long[] commAndOverlap = parts.sync().synchronize(s, computeEnd);
    UpdateStep.Result updated = parts.update().apply(lr, scale);
    return new StepOutcome(
        updated.loss(),
        lr,
        updated.gradNorm(),
        System.nanoTime() - stepStart,
        commAndOverlap[0],
        scale,
        updated.skipped(),
        computeEnd - stepStart,
        commAndOverlap[1]);
  }
}
