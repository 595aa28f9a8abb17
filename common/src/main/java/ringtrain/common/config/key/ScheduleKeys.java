package ringtrain.common.config.key;

import java.util.List;
import ringtrain.common.config.ScheduleConfig.Name;

/** The {@code schedule.*} keys: the learning-rate schedule over optimizer steps. */
public final class ScheduleKeys {
  private ScheduleKeys() {}

  public static final ConfigKey<Name> NAME =
      ConfigKey.of(
          "schedule.name",
          ValueType.enumOf(Name.class),
          Name.WARMUP_COSINE,
          "warmup_cosine, constant, step, exponential, one_cycle, wsd or poly.");

  public static final ConfigKey<Long> WARMUP_STEPS =
      ConfigKey.of(
          "schedule.warmup_steps",
          ValueType.LONG,
          100L,
          "Linear warmup over the first this many optimizer steps.",
          Check.that(w -> w >= 0, "must be >= 0"));

  public static final ConfigKey<Double> WARMUP_EPOCHS =
      ConfigKey.of(
          "schedule.warmup_epochs",
          ValueType.NUMBER,
          0.0,
          "The warmup in epochs instead of steps (exclusive with warmup_steps); 0 = off.",
          Check.finiteAtLeast(0));

  public static final ConfigKey<Double> POWER =
      ConfigKey.of(
          "schedule.power",
          ValueType.NUMBER,
          2.0,
          "poly: exponent of (1 - progress).",
          Check.finitePositive());

  public static final ConfigKey<Double> MIN_LR =
      ConfigKey.of(
          "schedule.min_lr",
          ValueType.NUMBER,
          0.0,
          "Floor of warmup_cosine, wsd and poly.",
          Check.finiteAtLeast(0));

  public static final ConfigKey<Long> STEP_SIZE =
      ConfigKey.of(
          "schedule.step_size",
          ValueType.LONG,
          1000L,
          "step: steps between two multiplications by gamma.",
          Check.that(s -> s >= 1, "must be >= 1"));

  public static final ConfigKey<Double> GAMMA =
      ConfigKey.of(
          "schedule.gamma",
          ValueType.NUMBER,
          0.5,
          "step and exponential: the decay factor.",
          Check.openClosed(0, 1));

  public static final ConfigKey<Double> PCT_START =
      ConfigKey.of(
          "schedule.pct_start",
          ValueType.NUMBER,
          0.3,
          "one_cycle: fraction of the steps spent rising.",
          Check.open(0, 1));

  public static final ConfigKey<Double> DIV_FACTOR =
      ConfigKey.of(
          "schedule.div_factor",
          ValueType.NUMBER,
          25.0,
          "one_cycle: the first LR is the peak divided by this.",
          Check.finitePositive());

  public static final ConfigKey<Double> FINAL_DIV_FACTOR =
      ConfigKey.of(
          "schedule.final_div_factor",
          ValueType.NUMBER,
          10000.0,
          "one_cycle: the last LR is the first divided by this.",
          Check.finitePositive());

  public static final ConfigKey<Double> DECAY_FRACTION =
      ConfigKey.of(
          "schedule.decay_fraction",
          ValueType.NUMBER,
          0.2,
          "wsd: fraction of all steps spent in the final linear decay.",
          Check.closed(0, 1));

  /** Every {@code schedule.*} key. */
  public static final List<ConfigKey<?>> ALL =
      List.of(
          NAME,
          WARMUP_STEPS,
          WARMUP_EPOCHS,
          POWER,
          MIN_LR,
          STEP_SIZE,
          GAMMA,
          PCT_START,
          DIV_FACTOR,
          FINAL_DIV_FACTOR,
          DECAY_FRACTION);
}
