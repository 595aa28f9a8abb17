package ringtrain.worker.loop;

import java.nio.file.Path;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.PrecisionConfig;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.WireDtype;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.data.BatchSource;
import ringtrain.worker.data.Examples;
import ringtrain.worker.data.RankData;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.ddp.GradientBuffer;
import ringtrain.worker.ddp.GradientNoiseScale;
import ringtrain.worker.ddp.SideScalar;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.Models;
import ringtrain.worker.model.NetworkSource;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.optim.GradientClipping;
import ringtrain.worker.optim.Optimizer;
import ringtrain.worker.optim.Optimizers;
import ringtrain.worker.precision.LossScaler;
import ringtrain.worker.precision.MixedPrecisionEngine;
import ringtrain.worker.remat.LayerEngine;
import ringtrain.worker.schedule.LrSchedule;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;

/**
 * The training loop of one rank, as DESIGN.md §2.4 lists it: for every optimizer step, k
 * micro-batches of forward/backward accumulated into one flat FP32 gradient, one all-reduce
 * (average) over the ranks, global-norm and value clipping, the optimizer update with the scheduled
 * learning rate. Rank 0 reports metrics and writes snapshots.
 *
 * <p>The loss and the "this rank saw inf/NaN" flag are {@link SideScalar}s: FP32 slots behind the
 * gradient, averaged with it, so with fp16 loss scaling every rank makes the same skip decision.
 * With {@code comm.overlap} the layer engine reports finished layers and {@link OverlappedBuckets}
 * all-reduces every complete bucket during backward.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  /** Snapshot {@code extra} key holding the trained network's configuration JSON. */
  public static final String NETWORK_JSON = Checkpoints.NETWORK_JSON;

  private final JobConfig job;
  private final TrainingPlan plan;
  private final RankData data;

  /** Whether {@link #data} was cut here from a whole set, so the loop releases it. */
  private final boolean ownsData;

  private final BatchSource input;
  private final Collective comm;
  private final MetricsSink sink;

  private final TrainableModel model;
  private final GradientEngine engine;
  private final Optimizer optimizer;
  private final LrSchedule schedule;
  private final BatchPlan batches;
  private final boolean images;
  private final LossScaler scaler;
  private final GradientBuffer gradient;
  private final RunningState runningState;
  private final Evaluator evaluator;
  private final Checkpoints checkpoints;

  /** Set when buckets are all-reduced during backward; null otherwise. */
  private final OverlappedBuckets overlapped;

  /** The gradient noise scale estimate; null when the global batch is one micro-batch. */
  private final GradientNoiseScale noise;

  /** Flat view of the network's parameters, shaped like the gradient. */
  private final INDArray params;

  /** Gradient values between ranks (precision.comm); side scalars always travel in FP32. */
  private final WireDtype wire;

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
    this.data = data;
    this.ownsData = ownsData;
    this.comm = comm;
    this.sink = sink;
    this.wire = WireDtype.valueOf(job.precision().comm().name());

    Examples train = data.train();
    this.model = Models.build(job.model(), train.shape(), train.numClasses(), job.train().seed());
    this.images = train.shape().length == 3 && model.imageInput();
    boolean overlap = job.comm().overlap() && comm.worldSize() > 1;
    this.engine = EngineSelector.select(job, model, overlap);
    this.optimizer = Optimizers.create(job.optim(), engine.layout());
    this.schedule = plan.schedule();
    this.batches =
        new BatchPlan(
            data.trainSize(),
            job.train().worldSize(),
            job.train().microBatch(),
            job.train().accumulation(),
            job.data().shuffle(),
            job.train().seed());
    this.gradient = new GradientBuffer(model.numParams());
    long micro = job.train().microBatch();
    this.noise =
        GradientNoiseScale.defined(micro, batches.globalBatch())
            ? new GradientNoiseScale(micro, batches.globalBatch(), job.gns().ema())
            : null;
    this.params = engine.params().reshape(model.numParams());
    this.runningState = new RunningState(engine.layout());
    PrecisionConfig precision = job.precision();
    this.scaler =
        precision.compute() == PrecisionConfig.Precision.FP16
            ? LossScaler.dynamic(precision.lossScaleInit(), precision.growthInterval())
            : LossScaler.disabled();
    this.evaluator = new Evaluator(model, data.test(), data.sharded(), images, comm, sink);
    this.input = data.batches(job, batches, comm.rank(), images);
    this.checkpoints =
        new Checkpoints(
            job,
            snapshots,
            batches,
            comm.worldSize(),
            params,
            optimizer,
            scaler,
            // The JSON the config hash covers, so a resume from the snapshot hashes the same.
            job.model().network().isEmpty() ? model.configJson() : job.model().network());
    this.overlapped =
        overlap
            ? new OverlappedBuckets(
                engine instanceof MixedPrecisionEngine mixed
                    ? mixed.computeEngine()
                    : (LayerEngine) engine,
                gradient,
                comm,
                job.comm().bucketBytes() / Float.BYTES,
                wire,
                this::flagNonFinite)
            : null;
  }

  /** The engine computing gradients (for benchmarks: its memory meter, its layers). */
  public GradientEngine engine() {
    return engine;
  }

  /** The model being trained (its parameters are the live training parameters). */
  public TrainableModel model() {
    return model;
  }

  /**
   * Trains from step 0, or from {@code resume}'s step with its parameters and optimizer state, to
   * {@link TrainingPlan#totalSteps()}.
   */
  public TrainingResult run(Optional<TrainingState> resume) {
    try {
      return train(resume);
    } finally {
      input.close();
      if (ownsData) {
        data.close();
      }
    }
  }

  private TrainingResult train(Optional<TrainingState> resume) {
    long startNanos = System.nanoTime();
    long start = 0;
    if (resume.isPresent()) {
      start = checkpoints.restore(resume.get());
      LOG.info("rank {} resumed at step {}", comm.rank(), start);
    } else {
      // A model zip's parameters are the start point; rank 0 reads them, the broadcast does the
      // rest.
      if (comm.rank() == 0) {
        NetworkSource.startParams(job.model())
            .ifPresent(p -> params.assign(p.reshape(params.shape())));
      }
      if (comm.worldSize() > 1) {
        comm.broadcast(GradientBuffer.buffer(params), 0, 0);
      }
    }
    engine.paramsUpdated();
    sink.onStart(start);
    if (start == 0 && checkpoints.writes() && job.snapshot().atStart()) {
      checkpoints.write(0);
    }

    long total = plan.totalSteps();
    long stepsPerEpoch = batches.stepsPerEpoch();
    long lastSnapshot = -1;
    EvalMetrics lastEval = null;
    IntervalStats interval = new IntervalStats();
    long intervalWaitStart = input.waitNanos();
    double epochLossSum = 0;
    long epochLossCount = 0;
    for (long s = start; s < total; s++) {
      StepOutcome outcome = step(s);
      long done = s + 1;
      interval.add(outcome, batches.globalBatch());
      epochLossSum += outcome.loss();
      epochLossCount++;
      if (comm.rank() == 0 && (done % job.run().logEvery() == 0 || done == total)) {
        long waited = input.waitNanos() - intervalWaitStart;
        sink.onStep(metrics(s, s / stepsPerEpoch, outcome, interval, waited));
        interval = new IntervalStats();
        intervalWaitStart = input.waitNanos();
      }
      boolean epochEnd = done % stepsPerEpoch == 0;
      if (epochEnd && done < total) {
        if (job.train().evalEveryEpoch()) {
          lastEval = evaluate(s, s / stepsPerEpoch);
        }
        epochLossSum = 0;
        epochLossCount = 0;
      }
      if (checkpoints.writes()
          && job.snapshot().every() > 0
          && done % job.snapshot().every() == 0) {
        checkpoints.write(done);
        lastSnapshot = done;
      }
    }
    if (overlapped != null) {
      overlapped.close();
    }
    if (checkpoints.writes() && job.snapshot().atEnd() && lastSnapshot != total && start < total) {
      checkpoints.write(total);
    }
    if (start < total || lastEval == null) {
      lastEval = evaluate(Math.max(0, total - 1), Math.max(0, (total - 1) / stepsPerEpoch));
    }
    double wallS = (System.nanoTime() - startNanos) / 1e9;
    double trainLoss = epochLossCount == 0 ? Double.NaN : epochLossSum / epochLossCount;
    long examples = (total - start) * batches.globalBatch();
    return new TrainingResult(
        params.dup(), total, trainLoss, lastEval, wallS, examples / Math.max(wallS, 1e-9));
  }

  private StepMetrics metrics(
      long s, long epoch, StepOutcome outcome, IntervalStats interval, long inputWaitNanos) {
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

  /**
   * One optimizer step {@code s} (0-based): k micro-batches of forward/backward accumulated into
   * the flat gradient, one all-reduce (average) of gradient and side scalars, clipping, the update.
   */
  public StepOutcome step(long s) {
    long stepStart = System.nanoTime();
    int k = job.train().accumulation();
    double lr = schedule.lr(s);
    double scale = scaler.scale();
    engine.setLossScale(scale);
    INDArray grad = gradient.gradient();
    gradient.clearScalars();
    double lossSum = accumulate(s, k, grad, scale);
    gradient.set(SideScalar.LOSS, lossSum / k);
    long computeEnd = System.nanoTime();

    long[] commAndOverlap = synchronize(s, computeEnd);
    double loss = gradient.get(SideScalar.LOSS);
    if (runningState.present()) {
      runningState.take(grad);
    }

    // Engines leave the gradient of the loss summed over the micro-batch (DL4J's convention), but
    // the loss is a mean over the global batch: divide by b here, once, together with unscaling
    // (before clipping, so clipping and the update see the true gradient).
    grad.muli(1.0 / (job.train().microBatch() * scale));
    boolean skipped = false;
    if (scaler.enabled()) {
      // Every rank holds the same reduced vector and flag, hence makes the same decision.
      boolean finite =
          gradient.get(SideScalar.NON_FINITE) == 0
              && Double.isFinite(grad.sumNumber().doubleValue());
      skipped = scaler.update(finite);
    }
    double gradNorm;
    if (skipped) {
      gradNorm = grad.norm2Number().doubleValue();
    } else {
      gradNorm = GradientClipping.clipByGlobalNorm(grad, job.optim().clipNorm());
      GradientClipping.clipByValue(grad, job.optim().clipValue());
      if (runningState.present()) {
        runningState.save(params);
      }
      optimizer.step(params, grad, lr);
      if (runningState.present()) {
        runningState.update(params);
      }
      engine.paramsUpdated();
      if (noise != null) {
        noise.update(gradient.get(SideScalar.MICRO_BATCH_GRAD_SQ), gradNorm * gradNorm);
      }
    }
    return new StepOutcome(
        loss,
        lr,
        gradNorm,
        System.nanoTime() - stepStart,
        commAndOverlap[0],
        scale,
        skipped,
        computeEnd - stepStart,
        commAndOverlap[1]);
  }

  /**
   * Forward and backward of the step's k micro-batches, their mean gradient left in {@code grad}
   * (with overlap, the last micro-batch's buckets are already on their way).
   *
   * @return the sum of the micro-batch losses
   */
  private double accumulate(long s, int k, INDArray grad, double scale) {
    double lossSum = 0;
    double smallSq = 0;
    for (int j = 0; j < k; j++) {
      DataSet batch = input.next(s, j);
      // Dropout masks depend only on (seed, step, rank, micro-batch): a resumed run replays them.
      Nd4j.getRandom().setSeed(dropoutSeed(job.train().seed(), s, comm.rank() * k + j));
      boolean last = j == k - 1;
      if (overlapped != null && last) {
        overlapped.listen(s, k);
        lossSum += engine.computeGradient(batch);
        overlapped.stopListening();
        smallSq += squaredNorm();
        continue;
      }
      lossSum += engine.computeGradient(batch);
      smallSq += squaredNorm();
      INDArray g = engine.gradient().reshape(grad.length());
      if (j == 0) {
        grad.assign(g);
      } else {
        grad.addi(g);
      }
      if (last && k > 1) {
        grad.divi(k);
      }
    }
    if (overlapped == null) {
      flagNonFinite(grad);
    }
    // The small-batch term of the noise scale: unscaled, per example (like the averaged gradient).
    double unscale = 1.0 / (job.train().microBatch() * scale);
    gradient.set(SideScalar.MICRO_BATCH_GRAD_SQ, smallSq / k * unscale * unscale);
    return lossSum;
  }

  /**
   * Squared L2 norm of the micro-batch gradient the engine just computed; 0 when no noise scale is
   * estimated (the pass over the gradient is then skipped).
   */
  private double squaredNorm() {
    if (noise == null) {
      return 0;
    }
    double norm = engine.gradient().norm2Number().doubleValue();
    return norm * norm;
  }

  /**
   * Averages gradient and side scalars over the ranks (or waits for the overlapped buckets).
   *
   * @return {nanos of communication, nanos of it hidden behind compute}
   */
  private long[] synchronize(long s, long computeEnd) {
    if (comm.worldSize() == 1) {
      return new long[] {0, 0};
    }
    if (overlapped != null) {
      return overlapped.finish(s, computeEnd);
    }
    gradient.allReduce(comm, s, wire);
    return new long[] {System.nanoTime() - computeEnd, 0};
  }

  /** Sets the non-finite flag if {@code g} holds inf or NaN (only loss scaling reads it). */
  private void flagNonFinite(INDArray g) {
    if (scaler.enabled() && !Double.isFinite(g.sumNumber().doubleValue())) {
      gradient.set(SideScalar.NON_FINITE, 1);
    }
  }

  /** Evaluates on the test set, all ranks together ({@link Evaluator}). */
  public EvalMetrics evaluate(long step, long epoch) {
    return evaluator.evaluate(step, epoch);
  }

  static long dropoutSeed(long seed, long step, int stream) {
    long h = seed * 0x9E3779B97F4A7C15L + step;
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + stream;
    return h ^ (h >>> 29);
  }
}
