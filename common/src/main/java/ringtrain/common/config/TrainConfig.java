package ringtrain.common.config;

import ringtrain.common.config.key.TrainKeys;
import ringtrain.common.error.ConfigException;

/**
 * The {@code train.*} section: world size, batch shape and length of training.
 *
 * @param worldSize number of ranks N
 * @param microBatch examples per rank per micro-batch b
 * @param accumulation micro-batches per optimizer step k
 * @param epochs passes over the training set (used when steps is 0)
 * @param steps exact number of optimizer steps, or 0 to derive it from epochs
 * @param seed seed of initial parameters, shuffling, dropout and synthetic data
 * @param evalEveryEpoch evaluate on the test set at the end of every epoch
 */
public record TrainConfig(
    int worldSize,
    int microBatch,
    int accumulation,
    int epochs,
    long steps,
    long seed,
    boolean evalEveryEpoch) {

  public static TrainConfig from(ConfigReader r) {
    int epochs = TrainKeys.EPOCHS.read(r);
    long steps = TrainKeys.STEPS.read(r);
    if (epochs == 0 && steps == 0) {
      throw new ConfigException(
          "train.epochs and train.steps are both 0; set train.epochs >= 1 or train.steps >= 1");
    }
    return new TrainConfig(
        TrainKeys.WORLD_SIZE.read(r),
        TrainKeys.MICRO_BATCH.read(r),
        TrainKeys.ACCUMULATION.read(r),
        epochs,
        steps,
        TrainKeys.SEED.read(r),
        TrainKeys.EVAL_EVERY_EPOCH.read(r));
  }

  /** Global batch B = N·b·k. */
  public long globalBatch() {
    return (long) worldSize * microBatch * accumulation;
  }
}
