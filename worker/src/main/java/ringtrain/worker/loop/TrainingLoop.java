package ringtrain.worker.loop;

import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.data.RankData;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.ddp.GradientBuffer;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.NetworkSource;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;

/**
 * The training loop of one rank, as DESIGN.md §2.4 lists it. Every optimizer step: k micro-batches
 * of forward/backward accumulated into one flat FP32 gradient ({@link GradientAccumulator}); one
 * average over the ranks, bucket by bucket during backward with {@code comm.overlap} ({@link
 * GradientSync}); unscale, the same skip decision on every rank, clipping and the optimizer update
 * with the scheduled learning rate ({@link UpdateStep}). Between steps {@link RunSchedule} sends
 * metrics, evaluates and writes snapshots.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  /** Snapshot {@code extra} key holding the trained network's configuration JSON. */
  public static final String NETWORK_JSON = Checkpoints.NETWORK_JSON;

  private final JobConfig job;
  private final TrainingPlan plan;
  private final Collective comm;
  private final MetricsSink sink;
  private final LoopParts parts;

  /** What this rank trains and evaluates on. */
  private final RankData data;

  /** Whether {@link #data} was cut here from a whole set, so the loop releases it. */
  private final boolean ownsData;

  /**
   * @param data the whole training and test sets; with {@code data.placement = shard} this rank
   *     keeps only its shards of them
   * @param snapshots where rank 0 writes snapshots, or null for none
   */
  public TrainingLoop(
      JobConfig job,
      TrainingPlan plan,
      TrainTest data,
      Collective comm,
      MetricsSink sink,
      SnapshotStore snapshots) {
    this(
        job,
        plan,
        RankData.of(
            job.data(),
            data,
            comm.rank(),
            comm.worldSize(),
            Path.of(System.getProperty("java.io.tmpdir"))),
        true,
        comm,
        sink,
        snapshots);
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
    this(job, plan, data, false, comm, sink, snapshots);
  }

  private TrainingLoop(
      JobConfig job,
      TrainingPlan plan,
      RankData data,
      boolean ownsData,
      Collective comm,
      MetricsSink sink,
      SnapshotStore snapshots) {
    this.job = job;
    this.plan = plan;
    this.comm = comm;
    this.sink = sink;
    this.data = data;
    this.ownsData = ownsData;
    this.parts = LoopParts.build(job, plan, data, comm, sink, snapshots);
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
    try {
      return train(resume);
    } finally {
      parts.source().close();
      if (ownsData) {
        data.close();
      }
    }
  }

  private TrainingResult train(Optional<TrainingState> resume) {
    long startNanos = System.nanoTime();
    long start = resume.isPresent() ? resumeFrom(resume.get()) : startFresh();
    parts.engine().paramsUpdated();
    sink.onStart(start);
    long total = plan.totalSteps();
    RunSchedule events =
        new RunSchedule(job, total, parts, sink, comm.rank() == 0, start, startNanos);
    events.begin();
    for (long s = start; s < total; s++) {
      events.stepDone(s, step(s));
    }
    return events.end(parts.params());
  }

  private long resumeFrom(TrainingState state) {
    long start = parts.checkpoints().restore(state);
    LOG.info("rank {} resumed at step {}", comm.rank(), start);
    return start;
  }

  /** Step 0: a model zip's parameters are the start point; rank 0 reads them, then broadcasts. */
  private long startFresh() {
    if (comm.rank() == 0) {
      NetworkSource.startParams(job.model())
          .ifPresent(p -> parts.params().assign(p.reshape(parts.params().shape())));
    }
    if (comm.worldSize() > 1) {
      comm.broadcast(GradientBuffer.buffer(parts.params()), 0, 0);
    }
    return 0;
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

  /** Evaluates on the test set, all ranks together ({@link Evaluator}). */
  public EvalMetrics evaluate(long step, long epoch) {
    return parts.evaluator().evaluate(step, epoch);
  }
}
