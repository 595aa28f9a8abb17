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
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.ReduceOp;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.MiniBatches;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.model.Dl4jGradientEngine;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.NetworkFactory;
import ringtrain.worker.optim.GradientClipping;
import ringtrain.worker.optim.Optimizer;
import ringtrain.worker.optim.Optimizers;
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
 * that averages the gradient also averages the loss.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

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

  /** Flat gradient with one trailing slot for the loss; {@link #grad} is a view of the first P. */
  private final INDArray gradAndLoss;

  private final INDArray grad;
  private final FloatBuffer gradBuffer;

  /** Flat view of the network's parameters, shaped like {@link #grad}. */
  private final INDArray params;

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

    Dataset train = data.train();
    this.images =
        train.shape().length == 3
            && job.model().type() == ringtrain.common.config.ModelConfig.Type.CNN;
    this.net =
        NetworkFactory.build(job.model(), train.shape(), train.numClasses(), job.train().seed());
    this.engine = new Dl4jGradientEngine(net);
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
    this.gradAndLoss = Nd4j.zeros(DataType.FLOAT, p + 1);
    this.grad = gradAndLoss.get(NDArrayIndex.interval(0, p));
    this.gradBuffer = buffer(gradAndLoss);
    this.params = engine.params().reshape(p);
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
      start = state.step();
      LOG.info("rank {} resumed at step {}", comm.rank(), start);
    } else if (comm.worldSize() > 1) {
      comm.broadcast(buffer(params), 0, 0);
    }
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
      interval.add(outcome.stepNanos(), outcome.commNanos(), examplesPerStep);
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
                1.0,
                interval.meanStepMs(),
                interval.meanCommMs(),
                interval.examplesPerSecond()));
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

  /** What one optimizer step did. */
  public record StepOutcome(
      double loss, double lr, double gradNorm, long stepNanos, long commNanos) {}

  /**
   * One optimizer step {@code s} (0-based): k micro-batches of forward/backward accumulated into
   * the flat gradient, one all-reduce (average) of gradient and loss, clipping, the update.
   */
  public StepOutcome step(long s) {
    long stepStart = System.nanoTime();
    int k = job.train().accumulation();
    double lr = schedule.lr(s);
    double lossSum = 0;
    for (int j = 0; j < k; j++) {
      DataSet batch = MiniBatches.of(data.train(), batches.indices(s, comm.rank(), j), images);
      // Dropout masks depend only on (seed, step, rank, micro-batch): a resumed run replays them.
      Nd4j.getRandom().setSeed(dropoutSeed(job.train().seed(), s, comm.rank() * k + j));
      lossSum += engine.computeGradient(batch);
      INDArray g = engine.gradient().reshape(grad.length());
      if (j == 0) {
        grad.assign(g);
      } else {
        grad.addi(g);
      }
    }
    if (k > 1) {
      grad.divi(k);
    }
    gradAndLoss.putScalar(grad.length(), lossSum / k);

    long commStart = System.nanoTime();
    if (comm.worldSize() > 1) {
      comm.allReduce(gradBuffer, ReduceOp.AVERAGE, s);
    }
    long commNanos = System.nanoTime() - commStart;
    double loss = gradAndLoss.getDouble(grad.length());

    double gradNorm = GradientClipping.clipByGlobalNorm(grad, job.optim().clipNorm());
    GradientClipping.clipByValue(grad, job.optim().clipValue());
    optimizer.step(params, grad, lr);
    return new StepOutcome(loss, lr, gradNorm, System.nanoTime() - stepStart, commNanos);
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
            1.0,
            configHash,
            comm.worldSize(),
            params,
            optimizer.state(),
            optimizer.stepCount(),
            java.util.Map.of("run_name", job.run().name())));
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

  /** Step and communication time and throughput over one logging interval. */
  private static final class IntervalStats {
    private long steps;
    private long stepNanos;
    private long commNanos;
    private long examples;

    void add(long stepNanos, long commNanos, long examples) {
      this.steps++;
      this.stepNanos += stepNanos;
      this.commNanos += commNanos;
      this.examples += examples;
    }

    double meanStepMs() {
      return steps == 0 ? 0 : stepNanos / 1e6 / steps;
    }

    double meanCommMs() {
      return steps == 0 ? 0 : commNanos / 1e6 / steps;
    }

    double examplesPerSecond() {
      return stepNanos == 0 ? 0 : examples / (stepNanos / 1e9);
    }
  }
}
