package ringtrain.common.config.key;

import java.util.List;

/** The {@code train.*} keys: world size, batch shape and length of training. */
public final class TrainKeys {
  private TrainKeys() {}

  public static final ConfigKey<Integer> WORLD_SIZE =
      ConfigKey.of(
          "train.world_size",
          ValueType.INT,
          1,
          "Number of ranks (Spark barrier tasks); 1 runs in the driver process.",
          Check.atLeast(1));

  public static final ConfigKey<Integer> MICRO_BATCH =
      ConfigKey.of(
          "train.micro_batch",
          ValueType.INT,
          128,
          "Examples per rank per micro-batch (b).",
          Check.atLeast(1));

  public static final ConfigKey<Integer> ACCUMULATION =
      ConfigKey.of(
          "train.accumulation",
          ValueType.INT,
          1,
          "Micro-batches per optimizer step (k).",
          Check.atLeast(1));

  public static final ConfigKey<Integer> EPOCHS =
      ConfigKey.of(
          "train.epochs",
          ValueType.INT,
          10,
          "Epochs over the training set, used when train.steps is 0.",
          Check.atLeast(0));

  public static final ConfigKey<Long> STEPS =
      ConfigKey.of(
          "train.steps",
          ValueType.LONG,
          0L,
          "Exactly this many optimizer steps when > 0.",
          Check.atLeast(0));

  public static final ConfigKey<Long> SEED =
      ConfigKey.of(
          "train.seed",
          ValueType.LONG,
          42L,
          "Seed of initial parameters, shuffling, dropout and synthetic data.");

  public static final ConfigKey<Boolean> EVAL_EVERY_EPOCH =
      ConfigKey.of(
          "train.eval_every_epoch",
          ValueType.BOOLEAN,
          true,
          "Evaluate on the test set at the end of every epoch.");

  /** Every {@code train.*} key. */
  public static final List<ConfigKey<?>> ALL =
      List.of(WORLD_SIZE, MICRO_BATCH, ACCUMULATION, EPOCHS, STEPS, SEED, EVAL_EVERY_EPOCH);
}
