package ringtrain.worker.loop;

import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.data.Examples;
import ringtrain.worker.data.RankData;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.ddp.GradientBuffer;
import ringtrain.worker.ddp.GradientNoiseScale;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.Models;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.optim.Optimizer;
import ringtrain.worker.optim.Optimizers;
import ringtrain.worker.precision.LossScaler;
import ringtrain.worker.schedule.LrSchedule;
import ringtrain.worker.snapshot.SnapshotStore;

/**
 * What one rank's {@link TrainingLoop} runs with, built once from the job: the network and the
 * engine {@link EngineSelector} picks for it, the batch plan, the flat gradient buffer shared by
 * the three parts of a step (accumulate, synchronize, update), the loss scaler, the noise scale,
 * evaluation and checkpoints, and where the rank's micro-batches come from. Closing it stops the
 * micro-batch source and releases data the parts cut for this rank.
 *
 * @param params flat view of the network's parameters, shaped like the gradient
 * @param noise the gradient noise scale estimate; null when the global batch is one micro-batch
 * @param ownedData this rank's data when it was cut here from a whole set; null otherwise
 */
record LoopParts(
    TrainableModel model,
    GradientEngine engine,
    LrSchedule schedule,
    BatchPlan batches,
    LossScaler scaler,
    GradientNoiseScale noise,
    INDArray params,
    Evaluator evaluator,
    Checkpoints checkpoints,
    MicroBatchSource source,
    GradientAccumulator accumulator,
    GradientSync sync,
    UpdateStep update,
    RankData ownedData)
    implements AutoCloseable {

  /**
   * The parts over rank {@code comm.rank()}'s data cut from the whole sets: the sets themselves, or
   * with {@code data.placement = shard} its shards (spilled under java.io.tmpdir when large).
   *
   * @param snapshots where rank 0 writes snapshots, or null for none
   */
  static LoopParts build(
      JobConfig job,
      TrainingPlan plan,
      TrainTest whole,
      Collective comm,
      MetricsSink sink,
      SnapshotStore snapshots) {
    Path spill = Path.of(System.getProperty("java.io.tmpdir"));
    RankData data = RankData.of(job.data(), whole, comm.rank(), comm.worldSize(), spill);
    return build(job, plan, data, true, comm, sink, snapshots);
  }

  /**
   * @param ownsData whether the parts release {@code data} when closed
   * @param snapshots where rank 0 writes snapshots, or null for none
   */
  static LoopParts build(
      JobConfig job,
      TrainingPlan plan,
      RankData data,
      boolean ownsData,
      Collective comm,
      MetricsSink sink,
      SnapshotStore snapshots) {
    Examples train = data.train();
    TrainableModel model =
        Models.build(job.model(), train.shape(), train.numClasses(), job.train().seed());
    boolean images = train.shape().length == 3 && model.imageInput();
    boolean overlap = job.comm().overlap() && comm.worldSize() > 1;
    GradientEngine engine = EngineSelector.select(job, model, overlap);
    Optimizer optimizer = Optimizers.create(job.optim(), engine.layout());
    LrSchedule schedule = plan.schedule();
    BatchPlan batches =
        new BatchPlan(
            data.trainSize(),
            job.train().worldSize(),
            job.train().microBatch(),
            job.train().accumulation(),
            job.data().shuffle(),
            job.train().seed());
    GradientBuffer gradient = new GradientBuffer(model.numParams());
    long micro = job.train().microBatch();
    GradientNoiseScale noise =
        GradientNoiseScale.defined(micro, batches.globalBatch())
            ? new GradientNoiseScale(micro, batches.globalBatch(), job.gns().ema())
            : null;
    INDArray params = engine.params().reshape(model.numParams());
    LossScaler scaler = LossScaler.forCompute(job.precision());
    Evaluator evaluator = new Evaluator(model, data.test(), data.sharded(), images, comm, sink);
    // The JSON the config hash covers, so a resume from the snapshot hashes the same.
    String json = job.model().network().isEmpty() ? model.configJson() : job.model().network();
    Checkpoints checkpoints =
        new Checkpoints(job, snapshots, batches, comm, params, optimizer, scaler, json);
    // Side scalars always travel in FP32; precision.comm is the gradient's wire type.
    Dtype wire = job.precision().comm();
    OverlappedBuckets overlapped =
        overlap ? OverlappedBuckets.over(engine, gradient, comm, job, wire, scaler) : null;
    MicroBatchSource source =
        new MicroBatchSource(data.batches(job, batches, comm.rank(), images), comm.rank());
    GradientAccumulator accumulator =
        new GradientAccumulator(job, source, engine, gradient, scaler, overlapped, noise != null);
    GradientSync sync = new GradientSync(comm, gradient, wire, overlapped);
    RunningState state = new RunningState(engine.layout());
    UpdateStep update =
        new UpdateStep(job, gradient, state, scaler, optimizer, params, engine, noise);
    return new LoopParts(
        model,
        engine,
        schedule,
        batches,
        scaler,
        noise,
        params,
        evaluator,
        checkpoints,
        source,
        accumulator,
        sync,
        update,
        ownsData ? data : null);
  }

  @Override
  public void close() {
    source.close();
    if (ownedData != null) {
      ownedData.close();
    }
  }
}
