package ringtrain.worker.loop;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.JobConfig;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.ddp.GradientBuffer;
import ringtrain.worker.model.NetworkSource;
import ringtrain.worker.optim.Optimizer;
import ringtrain.worker.precision.LossScaler;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;

/**
 * Assembles a rank's training state into snapshots and restores it: parameters, optimizer state,
 * loss-scaler counters, and the network's configuration JSON (so a resume or an evaluation needs no
 * model settings, as nanoGPT keeps its config in the checkpoint). It also sets where a run starts:
 * a snapshot's state, or step 0 with the network's initial parameters or a model zip's.
 */
final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

  /** Snapshot {@code extra} keys of the loss scaler's counters. */
  static final String GROWTH_TRACKER = "loss_scale_growth_tracker";

  static final String SKIPPED_STEPS = "skipped_steps";

  /** Snapshot {@code extra} key of the trained network's configuration JSON. */
  static final String NETWORK_JSON = "network_json";

  private final JobConfig job;
  private final SnapshotStore store;
  private final BatchPlan batches;
  private final Collective comm;
  private final INDArray params;
  private final Optimizer optimizer;
  private final LossScaler scaler;
  private final String networkJson;

  Checkpoints(
      JobConfig job,
      SnapshotStore store,
      BatchPlan batches,
      Collective comm,
      INDArray params,
      Optimizer optimizer,
      LossScaler scaler,
      String networkJson) {
    this.job = job;
    this.store = store;
    this.batches = batches;
    this.comm = comm;
    this.params = params;
    this.optimizer = optimizer;
    this.scaler = scaler;
    this.networkJson = networkJson;
  }

  /** Whether this rank writes snapshots. */
  boolean writes() {
    return store != null;
  }

  /**
   * Sets this rank's start point and returns the first step to run: {@code resume}'s step with its
   * parameters and optimizer state, or step 0, where a model zip's parameters are the start point
   * (rank 0 reads them and broadcasts, so every rank starts from the same parameters).
   */
  long start(Optional<TrainingState> resume) {
    if (resume.isPresent()) {
      long step = restore(resume.get());
      LOG.info("rank {} resumed at step {}", comm.rank(), step);
      return step;
    }
    if (comm.rank() == 0) {
      NetworkSource.startParams(job.model())
          .ifPresent(p -> params.assign(p.reshape(params.shape())));
    }
    if (comm.worldSize() > 1) {
      comm.broadcast(GradientBuffer.buffer(params), 0, 0);
    }
    return 0;
  }

  /** Restores parameters, optimizer and scaler from {@code state}; returns its step. */
  private long restore(TrainingState state) {
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
            comm.worldSize(),
            params,
            optimizer.state(),
            optimizer.stepCount(),
            extra));
  }
}
