package ringtrain.worker.loop;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.JobConfig;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.optim.Optimizer;
import ringtrain.worker.precision.LossScaler;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;

/**
 * Assembles a rank's training state into snapshots and restores it: parameters, optimizer state,
 * loss-scaler counters, and the network's configuration JSON (so a resume or an evaluation needs no
 * model settings, as nanoGPT keeps its config in the checkpoint).
 */
final class Checkpoints {
  /** Snapshot {@code extra} keys of the loss scaler's counters. */
  static final String GROWTH_TRACKER = "loss_scale_growth_tracker";

  static final String SKIPPED_STEPS = "skipped_steps";

  /** Snapshot {@code extra} key of the trained network's configuration JSON. */
  static final String NETWORK_JSON = "network_json";

  private final JobConfig job;
  private final SnapshotStore store;
  private final BatchPlan batches;
  private final int worldSize;
  private final INDArray params;
  private final Optimizer optimizer;
  private final LossScaler scaler;
  private final String networkJson;

  Checkpoints(
      JobConfig job,
      SnapshotStore store,
      BatchPlan batches,
      int worldSize,
      INDArray params,
      Optimizer optimizer,
      LossScaler scaler,
      String networkJson) {
    this.job = job;
    this.store = store;
    this.batches = batches;
    this.worldSize = worldSize;
    this.params = params;
    this.optimizer = optimizer;
    this.scaler = scaler;
    this.networkJson = networkJson;
  }

  /** Whether this rank writes snapshots. */
  boolean writes() {
    return store != null;
  }

  /** Restores parameters, optimizer and scaler from {@code state}; returns its step. */
  long restore(TrainingState state) {
    params.assign(state.params().reshape(params.shape()));
    optimizer.restore(state.optimizerSteps(), state.optimizerState());
    scaler.restore(
        state.lossScale(),
        Long.parseLong(state.extra().getOrDefault(GROWTH_TRACKER, "0")),
        Long.parseLong(state.extra().getOrDefault(SKIPPED_STEPS, "0")));
    return state.step();
  }

  void write(long step) {
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("run_name", job.run().name());
    extra.put(GROWTH_TRACKER, Long.toString(scaler.growthTracker()));
    extra.put(SKIPPED_STEPS, Long.toString(scaler.skippedSteps()));
    extra.put(NETWORK_JSON, networkJson);
    store.write(
        new TrainingState(
            step,
            step / batches.stepsPerEpoch(),
            step % batches.stepsPerEpoch(),
            job.train().seed(),
            scaler.scale(),
            job.configHash(),
            worldSize,
            params,
            optimizer.state(),
            optimizer.stepCount(),
            extra));
  }
}
