package ringtrain.worker.loop;

import java.nio.FloatBuffer;
import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.PrecisionConfig;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.ReduceOp;
import ringtrain.worker.comm.WireDtype;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.MiniBatches;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.ddp.GradientNoiseScale;
import ringtrain.worker.model.Dl4jGradientEngine;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.NetworkFactory;
import ringtrain.worker.optim.GradientClipping;
import ringtrain.worker.optim.Optimizer;
import ringtrain.worker.optim.Optimizers;
import ringtrain.worker.precision.LossScaler;
import ringtrain.worker.precision.LowPrecisionGrid;
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
 * <p>The loss of the step travels in one extra slot behind the gradient, so the same all-reduce
 * that averages the gradient also averages the loss; a second slot carries "this rank saw inf/NaN"
 * so that with fp16 loss scaling every rank makes the same skip decision; a third carries the
 * rank's mean squared micro-batch gradient norm, the small-batch term of the gradient noise scale.
 *
 * <p>With {@code comm.overlap}, the layer-by-layer engine reports each finished layer, and every
 * gradient bucket is handed to a background all-reduce as soon as its layers are done.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  /** Snapshot {@code extra} keys of the loss scaler's counters. */
  static final String GROWTH_TRACKER = "loss_scale_growth_tracker";

  static final String SKIPPED_STEPS = "skipped_steps";

  private final JobConfig job;
  private final TrainingPlan plan;
  private final TrainTest data;
  private final Collective comm;
  private final MetricsSink sink;
  private final SnapshotStore snapshots;
  private final String configHash;

  private final MultiLayerNetwork net;
  private final GradientEngine engine;
  private final Optimizer optimizer;
  private final LrSchedule schedule;
  private final BatchPlan batches;
  private final boolean images;

  private final LossScaler scaler;

  /** The gradient noise scale estimate; null when the global batch is one micro-batch. */
  private final GradientNoiseScale noise;

  /** Set when buckets are all-reduced during backward; null otherwise. */
  private final LayerEngine layerEngine;

  private final GradientBuckets buckets;
  private final FloatBuffer[] bucketBuffers;
  private final FloatBuffer tailBuffer;
  private BucketReducer reducer;

  /**
   * Flat gradient with trailing slots for the loss and the non-finite flag; {@link #grad} is a view
   * of the first P.
   */
  private final INDArray gradAndLoss;

  private final INDArray grad;
  private final FloatBuffer gradBuffer;

  /** Flat view of the network's parameters, shaped like {@link #grad}. */
  private final INDArray params;

  /** Gradient values between ranks (precision.comm); everything else travels in FP32. */
  private final WireDtype wire;

  /**
   * @param snapshots where rank 0 writes snapshots, or null for none
   */
  public TrainingLoop(
      JobConfig job,
      TrainingPlan plan,
      TrainTest data,
      Collective comm,
      MetricsSink sink,
      SnapshotStore snapshots) {
    this.job = job;
    this.plan = plan;
    this.data = data;
    this.comm = comm;
    this.sink = sink;
    this.snapshots = snapshots;
    this.configHash = job.configHash();
    this.wire = WireDtype.valueOf(job.precision().comm().name());

    Dataset train = data.train();
    this.images =
        train.shape().length == 3
            && job.model().type() == ringtrain.common.config.ModelConfig.Type.CNN;
    this.net =
        NetworkFactory.build(job.model(), train.shape(), train.numClasses(), job.train().seed());
    boolean overlap = job.comm().overlap() && comm.worldSize() > 1;
    this.engine = engineFor(job, net, overlap);
    this.optimizer = Optimizers.create(job.optim(), engine.layout());
    this.schedule = plan.schedule();
    this.batches =
        new BatchPlan(
            train.size(),
            job.train().worldSize(),
            job.train().microBatch(),
            job.train().accumulation(),
            job.data().shuffle(),
            job.train().seed());
    long p = net.numParams();
    this.gradAndLoss = Nd4j.zeros(DataType.FLOAT, p + 3);
    this.grad = gradAndLoss.get(NDArrayIndex.interval(0, p));
    this.gradBuffer = buffer(gradAndLoss);
    this.params = engine.params().reshape(p);
    long micro = job.train().microBatch();
    this.noise =
        GradientNoiseScale.defined(micro, batches.globalBatch())
            ? new GradientNoiseScale(micro, batches.globalBatch(), job.gns().ema())
            : null;
    PrecisionConfig precision = job.precision();
    this.scaler =
        precision.compute() == PrecisionConfig.Precision.FP16
            ? LossScaler.dynamic(precision.lossScaleInit(), precision.growthInterval())
            : LossScaler.disabled();
    if (overlap) {
      this.layerEngine =
          engine instanceof MixedPrecisionEngine mixed
              ? mixed.computeEngine()
              : (LayerEngine) engine;
      this.buckets =
          new GradientBuckets(layerEngine.layerOffsets(), job.comm().bucketBytes() / Float.BYTES);
      this.bucketBuffers = new FloatBuffer[buckets.buckets().size()];
      for (int b = 0; b < bucketBuffers.length; b++) {
        GradientBuckets.Bucket bucket = buckets.buckets().get(b);
        bucketBuffers[b] = slice(gradBuffer, bucket.from(), bucket.to());
      }
      this.tailBuffer = slice(gradBuffer, p, p + 3);
    } else {
      this.layerEngine = null;
      this.buckets = null;
      this.bucketBuffers = null;
      this.tailBuffer = null;
    }
  }

  /**
   * DL4J's own engine when nothing needs layer-by-layer control; otherwise the layer engine, under
   * FP32 master weights when compute is bf16/fp16.
   */
  private static GradientEngine engineFor(JobConfig job, MultiLayerNetwork net, boolean overlap) {
    PrecisionConfig.Precision compute = job.precision().compute();
    int segments = job.remat().segments();
    if (compute != PrecisionConfig.Precision.FP32) {
      boolean nativeTypes =
          switch (job.precision().mode()) {
            case NATIVE -> true;
            case EMULATED -> false;
            case AUTO -> gpuBackend();
          };
      return new MixedPrecisionEngine(net, compute, nativeTypes, segments);
    }
    if (segments != 0 || overlap) {
      return new LayerEngine(net, segments, LowPrecisionGrid.of(PrecisionConfig.Precision.FP32));
    }
    return new Dl4jGradientEngine(net);
  }

  /** Whether ND4J runs on a GPU backend (nd4j-cuda from the gpu Maven profile). */
  static boolean gpuBackend() {
    return Nd4j.getBackend()
        .getClass()
        .getName()
        .toLowerCase(java.util.Locale.ROOT)
        .contains("cuda");
  }

  /** The engine computing gradients (for benchmarks: its memory meter, its layers). */
  public GradientEngine engine() {
    return engine;
  }

  /** The network being trained (its parameters are the live training parameters). */
  public MultiLayerNetwork network() {
    return net;
  }

  /**
   * Trains from step 0, or from {@code resume}'s step with its parameters and optimizer state, to
   * {@link TrainingPlan#totalSteps()}.
   */
  public TrainingResult run(Optional<TrainingState> resume) {
    long startNanos = System.nanoTime();
    long start = 0;
    if (resume.isPresent()) {
      TrainingState state = resume.get();
      params.assign(state.params().reshape(params.shape()));
      optimizer.restore(state.optimizerSteps(), state.optimizerState());
      scaler.restore(
          state.lossScale(),
          Long.parseLong(state.extra().getOrDefault(GROWTH_TRACKER, "0")),
          Long.parseLong(state.extra().getOrDefault(SKIPPED_STEPS, "0")));
      start = state.step();
      LOG.info("rank {} resumed at step {}", comm.rank(), start);
    } else if (comm.worldSize() > 1) {
      comm.broadcast(buffer(params), 0, 0);
    }
    engine.paramsUpdated();
    sink.onStart(start);
    if (start == 0 && snapshots != null && job.snapshot().atStart()) {
      writeSnapshot(0);
    }

    long total = plan.totalSteps();
    long stepsPerEpoch = batches.stepsPerEpoch();
    long examplesPerStep = batches.globalBatch();
    long lastSnapshot = -1;
    EvalMetrics lastEval = null;

    IntervalStats interval = new IntervalStats();
    double epochLossSum = 0;
    long epochLossCount = 0;
    for (long s = start; s < total; s++) {
      StepOutcome outcome = step(s);
      long done = s + 1;
      long epoch = s / stepsPerEpoch;
      interval.add(outcome, examplesPerStep);
      epochLossSum += outcome.loss();
      epochLossCount++;
      if (comm.rank() == 0 && (done % job.run().logEvery() == 0 || done == total)) {
        sink.onStep(
            new StepMetrics(
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
                noise == null ? null : noise.current()));
        interval = new IntervalStats();
      }

      boolean epochEnd = done % stepsPerEpoch == 0;
      if (epochEnd && done < total && job.train().evalEveryEpoch()) {
        lastEval = evaluate(s, epoch);
      }
      if (epochEnd && done < total) {
        epochLossSum = 0;
        epochLossCount = 0;
      }
      if (snapshots != null && job.snapshot().every() > 0 && done % job.snapshot().every() == 0) {
        writeSnapshot(done);
        lastSnapshot = done;
      }
    }
    if (reducer != null) {
      reducer.close();
      reducer = null;
    }
    if (snapshots != null && job.snapshot().atEnd() && lastSnapshot != total && start < total) {
      writeSnapshot(total);
    }
    if (start < total || lastEval == null) {
      lastEval = evaluate(Math.max(0, total - 1), Math.max(0, (total - 1) / stepsPerEpoch));
    }
    double wallS = (System.nanoTime() - startNanos) / 1e9;
    double trainLoss = epochLossCount == 0 ? Double.NaN : epochLossSum / epochLossCount;
    long examples = (total - start) * examplesPerStep;
    return new TrainingResult(
        params.dup(), total, trainLoss, lastEval, wallS, examples / Math.max(wallS, 1e-9));
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
   * the flat gradient, one all-reduce (average) of gradient and loss, clipping, the update.
   */
  public StepOutcome step(long s) {
    long stepStart = System.nanoTime();
    int k = job.train().accumulation();
    double lr = schedule.lr(s);
    double scale = scaler.scale();
    engine.setLossScale(scale);
    long p = grad.length();
    gradAndLoss.putScalar(p + 1, 0f);
    double lossSum = 0;
    double smallSq = 0;
    for (int j = 0; j < k; j++) {
      DataSet batch = MiniBatches.of(data.train(), batches.indices(s, comm.rank(), j), images);
      // Dropout masks depend only on (seed, step, rank, micro-batch): a resumed run replays them.
      Nd4j.getRandom().setSeed(dropoutSeed(job.train().seed(), s, comm.rank() * k + j));
      boolean last = j == k - 1;
      if (layerEngine != null && last) {
        layerEngine.setLayerListener(layer -> layerDone(layer, s, k));
      }
      lossSum += engine.computeGradient(batch);
      if (noise != null) {
        double norm = engine.gradient().norm2Number().doubleValue();
        smallSq += norm * norm;
      }
      if (layerEngine != null && last) {
        layerEngine.setLayerListener(null);
        continue;
      }
      INDArray g = engine.gradient().reshape(p);
      if (j == 0) {
        grad.assign(g);
      } else {
        grad.addi(g);
      }
      if (last && k > 1) {
        grad.divi(k);
      }
    }
    if (layerEngine == null) {
      flagNonFinite(grad);
    }
    gradAndLoss.putScalar(p, lossSum / k);
    double unscale = 1.0 / (job.train().microBatch() * scale);
    gradAndLoss.putScalar(p + 2, smallSq / k * unscale * unscale);
    long computeEnd = System.nanoTime();

    long commNanos = 0;
    long overlapNanos = 0;
    if (comm.worldSize() > 1) {
      if (layerEngine != null) {
        // Loss and overflow flag travel in FP32 whatever the gradient's wire type.
        reducer().start(tailBuffer, s, WireDtype.FP32);
        long[] spans = reducer().awaitAll(computeEnd);
        commNanos = spans[0];
        overlapNanos = spans[1];
      } else {
        comm.allReduce(gradBuffer, ReduceOp.AVERAGE, s, wire);
        commNanos = System.nanoTime() - computeEnd;
      }
    }
    double loss = gradAndLoss.getDouble(p);

    // Engines leave the gradient of the loss summed over the micro-batch (DL4J's convention), but
    // the loss is a mean over the global batch: divide by b here, once, together with unscaling
    // (before clipping, so clipping and the update see the true gradient).
    grad.muli(1.0 / (job.train().microBatch() * scale));
    boolean skipped = false;
    if (scaler.enabled()) {
      // Every rank holds the same reduced vector and flag, hence makes the same decision.
      boolean finite =
          gradAndLoss.getDouble(p + 1) == 0 && Double.isFinite(grad.sumNumber().doubleValue());
      skipped = scaler.update(finite);
    }
    double gradNorm;
    if (skipped) {
      gradNorm = grad.norm2Number().doubleValue();
    } else {
      gradNorm = GradientClipping.clipByGlobalNorm(grad, job.optim().clipNorm());
      GradientClipping.clipByValue(grad, job.optim().clipValue());
      optimizer.step(params, grad, lr);
      engine.paramsUpdated();
      if (noise != null) {
        noise.update(gradAndLoss.getDouble(p + 2), gradNorm * gradNorm);
      }
    }
    return new StepOutcome(
        loss,
        lr,
        gradNorm,
        System.nanoTime() - stepStart,
        commNanos,
        scale,
        skipped,
        computeEnd - stepStart,
        overlapNanos);
  }

  /**
   * Layer {@code layer} of the last micro-batch finished backward: its gradient slice is final, so
   * it goes into the flat gradient, and a bucket that is now complete goes to the all-reduce.
   */
  private void layerDone(int layer, long step, int k) {
    int b = buckets.completedBy(layer);
    if (b < 0) {
      return;
    }
    GradientBuckets.Bucket bucket = buckets.buckets().get(b);
    INDArray range = grad.get(NDArrayIndex.interval(bucket.from(), bucket.to()));
    INDArray g =
        layerEngine
            .gradient()
            .reshape(grad.length())
            .get(NDArrayIndex.interval(bucket.from(), bucket.to()));
    if (k == 1) {
      range.assign(g);
    } else {
      range.addi(g).divi(k);
    }
    flagNonFinite(range);
    if (comm.worldSize() > 1) {
      reducer().start(bucketBuffers[b], step, wire);
    }
  }

  /** Sets the non-finite slot if {@code g} holds inf or NaN (only loss scaling reads it). */
  private void flagNonFinite(INDArray g) {
    if (scaler.enabled() && !Double.isFinite(g.sumNumber().doubleValue())) {
      gradAndLoss.putScalar(grad.length() + 1, 1f);
    }
  }

  private BucketReducer reducer() {
    if (reducer == null) {
      reducer = new BucketReducer(comm);
    }
    return reducer;
  }

  private static FloatBuffer slice(FloatBuffer whole, long from, long to) {
    return whole.duplicate().position((int) from).limit((int) to).slice();
  }

  /**
   * Evaluates on the test set: every rank scores its slice, and one all-reduce sums the correct
   * count, the loss sum and the example count.
   */
  public EvalMetrics evaluate(long step, long epoch) {
    Dataset test = data.test();
    int n = test.size();
    int from = (int) ((long) n * comm.rank() / comm.worldSize());
    int to = (int) ((long) n * (comm.rank() + 1) / comm.worldSize());
    INDArray totals = Nd4j.createFromArray(TestSetScorer.score(net, test, images, from, to));
    if (comm.worldSize() > 1) {
      comm.allReduce(buffer(totals), ReduceOp.SUM, -1 - step);
    }
    double count = totals.getDouble(2);
    EvalMetrics eval =
        new EvalMetrics(step, epoch, totals.getDouble(1) / count, totals.getDouble(0) / count);
    if (comm.rank() == 0) {
      sink.onEval(eval);
    }
    return eval;
  }

  private void writeSnapshot(long step) {
    snapshots.write(
        new TrainingState(
            step,
            step / batches.stepsPerEpoch(),
            step % batches.stepsPerEpoch(),
            job.train().seed(),
            scaler.scale(),
            configHash,
            comm.worldSize(),
            params,
            optimizer.state(),
            optimizer.stepCount(),
            java.util.Map.of(
                "run_name",
                job.run().name(),
                GROWTH_TRACKER,
                Long.toString(scaler.growthTracker()),
                SKIPPED_STEPS,
                Long.toString(scaler.skippedSteps()))));
  }

  /**
   * Direct view of an ND4J off-heap float vector, for the collective to read and write in place.
   */
  private static FloatBuffer buffer(INDArray array) {
    return array
        .data()
        .asNio()
        .order(java.nio.ByteOrder.nativeOrder())
        .asFloatBuffer()
        .position((int) array.offset())
        .limit((int) (array.offset() + array.length()))
        .slice();
  }

  static long dropoutSeed(long seed, long step, int stream) {
    long h = seed * 0x9E3779B97F4A7C15L + step;
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + stream;
    return h ^ (h >>> 29);
  }

  /** Step, compute, communication and overlap time and throughput over one logging interval. */
  private static final class IntervalStats {
    private long steps;
    private long stepNanos;
    private long commNanos;
    private long computeNanos;
    private long overlapNanos;
    private long examples;

    void add(StepOutcome outcome, long examples) {
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

    private double mean(long nanos) {
      return steps == 0 ? 0 : nanos / 1e6 / steps;
    }

    double examplesPerSecond() {
      return stepNanos == 0 ? 0 : examples / (stepNanos / 1e9);
    }
  }
}
