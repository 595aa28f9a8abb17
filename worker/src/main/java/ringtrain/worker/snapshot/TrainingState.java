package ringtrain.worker.snapshot;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything needed to continue training bit-for-bit: counters, seed, loss scale, the flat FP32
 * parameters in DL4J order, and the optimizer's state vectors (e.g. {@code adam_m}, {@code adam_v})
 * in a fixed order.
 *
 * @param step optimizer steps done in the whole run
 * @param epoch current epoch (0-based)
 * @param cursor optimizer steps done in the current epoch (the data cursor)
 * @param seed the run's seed, from which every RNG stream is derived
 * @param lossScale dynamic loss scale (1 when no scaling is used)
 * @param configHash hash of the resolved config, checked on resume
 * @param worldSize number of ranks that wrote this state
 * @param params flat FP32 parameter vector
 * @param optimizerState named FP32 state vectors; the name becomes the file name {@code <name>.npy}
 * @param optimizerSteps the optimizer's own step counter (bias correction uses it)
 * @param extra free-form string pairs, written into state.json
 */
public record TrainingState(
    long step,
    long epoch,
    long cursor,
    long seed,
    double lossScale,
    String configHash,
    int worldSize,
    INDArray params,
    LinkedHashMap<String, INDArray> optimizerState,
    long optimizerSteps,
    Map<String, String> extra) {

  public TrainingState {
    if (step < 0 || epoch < 0 || cursor < 0 || optimizerSteps < 0) {
      throw new IllegalArgumentException(
          "step, epoch, cursor and optimizerSteps must be >= 0, got "
              + step
              + ", "
              + epoch
              + ", "
              + cursor
              + ", "
              + optimizerSteps);
    }
    if (worldSize < 1) {
      throw new IllegalArgumentException("worldSize must be >= 1, got " + worldSize);
    }
    Objects.requireNonNull(configHash, "configHash");
    Objects.requireNonNull(params, "params");
    optimizerState = new LinkedHashMap<>(Objects.requireNonNull(optimizerState, "optimizerState"));
    for (String name : optimizerState.keySet()) {
      SnapshotLayout.checkStateName(name);
    }
    extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
  }
}
