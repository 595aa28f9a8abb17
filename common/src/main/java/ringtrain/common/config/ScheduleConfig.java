package ringtrain.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.Locale;
import ringtrain.common.config.key.ScheduleKeys;
import ringtrain.common.error.ConfigException;

/**
 * The {@code schedule.*} keys: the learning-rate schedule over optimizer steps. Every value is
 * checked once, in the constructor, by its entry in {@link ScheduleKeys}.
 *
 * @param name schedule shape ({@code schedule.name})
 * @param warmupSteps linear warmup length W, ≥ 0 (ignored by one_cycle)
 * @param minLr floor η_min of warmup_cosine and wsd, ≥ 0
 * @param stepSize steps between two decays of the step schedule, ≥ 1
 * @param gamma decay factor of step and exponential, in (0, 1]
 * @param pctStart one_cycle: fraction of the steps spent rising, in (0, 1)
 * @param divFactor one_cycle: initial LR = η / divFactor, &gt; 0
 * @param finalDivFactor one_cycle: final LR = initial LR / finalDivFactor, &gt; 0
 * @param decayFraction wsd: fraction of all steps spent in the final decay, in [0, 1]
 * @param warmupEpochs warmup length in epochs, ≥ 0; exclusive with {@code warmupSteps} (at most one
 *     of the two is &gt; 0); converted to steps by {@link #warmupSteps(long)}
 * @param power poly: exponent p of {@code (1 − progress)^p}, &gt; 0
 */
public record ScheduleConfig(
    Name name,
    long warmupSteps,
    double minLr,
    long stepSize,
    double gamma,
    double pctStart,
    double divFactor,
    double finalDivFactor,
    double decayFraction,
    double warmupEpochs,
    double power) {

  /** The job keys of the two warmup lengths. */
  public static final String WARMUP_STEPS = ScheduleKeys.WARMUP_STEPS.key();

  public static final String WARMUP_EPOCHS = ScheduleKeys.WARMUP_EPOCHS.key();

  /** The values of {@code schedule.name}. */
  public enum Name {
    WARMUP_COSINE,
    CONSTANT,
    STEP,
    EXPONENTIAL,
    ONE_CYCLE,
    WSD,
    POLY;

    /** The spelling used in config files. */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ScheduleConfig {
    if (name == null) {
      throw new ConfigException(
          "schedule.name is missing; set it to warmup_cosine, constant, step, exponential,"
              + " one_cycle, wsd or poly");
    }
    ScheduleKeys.WARMUP_STEPS.check(warmupSteps);
    ScheduleKeys.MIN_LR.check(minLr);
    ScheduleKeys.STEP_SIZE.check(stepSize);
    ScheduleKeys.GAMMA.check(gamma);
    ScheduleKeys.PCT_START.check(pctStart);
    ScheduleKeys.DIV_FACTOR.check(divFactor);
    ScheduleKeys.FINAL_DIV_FACTOR.check(finalDivFactor);
    ScheduleKeys.DECAY_FRACTION.check(decayFraction);
    ScheduleKeys.WARMUP_EPOCHS.check(warmupEpochs);
    if (warmupEpochs > 0 && warmupSteps > 0) {
      throw new ConfigException(
          "schedule.warmup_epochs = "
              + trim(warmupEpochs)
              + " and schedule.warmup_steps = "
              + warmupSteps
              + " are both set; give the warmup in one of them and set the other to 0");
    }
    ScheduleKeys.POWER.check(power);
  }

  /** The schedule of the nine keys before warmup_epochs and power, those two at their defaults. */
  public ScheduleConfig(
      Name name,
      long warmupSteps,
      double minLr,
      long stepSize,
      double gamma,
      double pctStart,
      double divFactor,
      double finalDivFactor,
      double decayFraction) {
    this(
        name,
        warmupSteps,
        minLr,
        stepSize,
        gamma,
        pctStart,
        divFactor,
        finalDivFactor,
        decayFraction,
        ScheduleKeys.WARMUP_EPOCHS.defaultValue(),
        ScheduleKeys.POWER.defaultValue());
  }

  /**
   * Warmup length W in optimizer steps: {@code warmupSteps}, or {@code warmupEpochs ·
   * stepsPerEpoch} rounded half up (at least 1) when the warmup is given in epochs.
   */
  public long warmupSteps(long stepsPerEpoch) {
    if (warmupEpochs == 0) {
      return warmupSteps;
    }
    return Math.max(1, (long) Math.floor(warmupEpochs * stepsPerEpoch + 0.5));
  }

  /**
   * The user's layer of the config (job file ⊕ --set, before the reference defaults): when it sets
   * {@code schedule.warmup_epochs} but not {@code schedule.warmup_steps}, the reference default of
   * warmup_steps is replaced by 0, so that only the user's own settings can collide (both &gt; 0 is
   * refused by the constructor).
   */
  public static Config userWarmup(Config user) {
    if (!user.hasPath(WARMUP_EPOCHS) || user.hasPath(WARMUP_STEPS)) {
      return user;
    }
    return user.withValue(WARMUP_STEPS, ConfigValueFactory.fromAnyRef(0));
  }

  /** Reads and validates every {@code schedule.*} key. */
  public static ScheduleConfig from(ConfigReader r) {
    return new ScheduleConfig(
        ScheduleKeys.NAME.read(r),
        ScheduleKeys.WARMUP_STEPS.read(r),
        ScheduleKeys.MIN_LR.read(r),
        ScheduleKeys.STEP_SIZE.read(r),
        ScheduleKeys.GAMMA.read(r),
        ScheduleKeys.PCT_START.read(r),
        ScheduleKeys.DIV_FACTOR.read(r),
        ScheduleKeys.FINAL_DIV_FACTOR.read(r),
        ScheduleKeys.DECAY_FRACTION.read(r),
        ScheduleKeys.WARMUP_EPOCHS.read(r),
        ScheduleKeys.POWER.read(r));
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
