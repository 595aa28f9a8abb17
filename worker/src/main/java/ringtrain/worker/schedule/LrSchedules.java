package ringtrain.worker.schedule;

import ringtrain.common.config.ScheduleConfig;
import ringtrain.common.error.ConfigException;

/** Builds the schedule named by {@code schedule.name}. */
public final class LrSchedules {
  private LrSchedules() {}

  /**
   * The schedule for a run of {@code totalSteps} optimizer steps peaking at {@code peakLr} (the
   * already scaled LR). Throws ConfigException when schedule.min_lr exceeds the peak of a schedule
   * that decays to it.
   */
  public static LrSchedule create(ScheduleConfig cfg, double peakLr, long totalSteps) {
    if (cfg.warmupEpochs() > 0) {
      throw new IllegalArgumentException(
          "schedule.warmup_epochs needs the steps per epoch; use create(cfg, peak, total, epoch)");
    }
    return create(cfg, peakLr, totalSteps, 1);
  }

  /**
   * The schedule of a run of {@code totalSteps} steps, {@code stepsPerEpoch} to an epoch (which
   * turns schedule.warmup_epochs into steps).
   */
  public static LrSchedule create(
      ScheduleConfig cfg, double peakLr, long totalSteps, long stepsPerEpoch) {
    if (!(peakLr >= 0) || !Double.isFinite(peakLr)) {
      throw new IllegalArgumentException("peak learning rate " + peakLr + " must be finite, >= 0");
    }
    if (totalSteps < 1) {
      throw new IllegalArgumentException("total steps " + totalSteps + " must be >= 1");
    }
    LinearWarmup warmup = new LinearWarmup(peakLr, cfg.warmupSteps(stepsPerEpoch));
    return switch (cfg.name()) {
      case WARMUP_COSINE -> new WarmupCosine(warmup, peakLr, floor(cfg, peakLr), totalSteps);
      case CONSTANT -> new WarmupStepDecay(warmup, peakLr, 1.0, 1);
      case STEP -> new WarmupStepDecay(warmup, peakLr, cfg.gamma(), cfg.stepSize());
      case EXPONENTIAL -> new WarmupStepDecay(warmup, peakLr, cfg.gamma(), 1);
      case ONE_CYCLE ->
          new OneCycle(peakLr, totalSteps, cfg.pctStart(), cfg.divFactor(), cfg.finalDivFactor());
      case WSD ->
          new WarmupStableDecay(
              warmup,
              peakLr,
              floor(cfg, peakLr),
              totalSteps,
              Math.round(cfg.decayFraction() * totalSteps));
      case POLY -> new WarmupPoly(warmup, peakLr, floor(cfg, peakLr), totalSteps, cfg.power());
    };
  }

  /**
   * Throws ConfigException (one line, naming the key the warmup was given in) when the warmup of
   * {@code cfg} is longer than the run: such a run never reaches its peak learning rate. one_cycle
   * has no linear warmup and is not checked.
   */
  public static void checkWarmupFits(ScheduleConfig cfg, long stepsPerEpoch, long totalSteps) {
    long warmup = cfg.warmupSteps(stepsPerEpoch);
    if (cfg.name() == ScheduleConfig.Name.ONE_CYCLE || warmup <= totalSteps) {
      return;
    }
    String given =
        cfg.warmupEpochs() > 0
            ? ScheduleConfig.WARMUP_EPOCHS + " = " + cfg.warmupEpochs() + " (" + warmup + " steps)"
            : ScheduleConfig.WARMUP_STEPS + " = " + warmup;
    throw new ConfigException(
        given
            + " is longer than the run ("
            + totalSteps
            + " steps); shorten the warmup or train longer (train.epochs, train.steps)");
  }

  private static double floor(ScheduleConfig cfg, double peakLr) {
    if (cfg.minLr() > peakLr) {
      throw new ConfigException(
          "schedule.min_lr = "
              + cfg.minLr()
              + " is above the peak learning rate "
              + peakLr
              + "; set schedule.min_lr <= the scaled optim.lr");
    }
    return cfg.minLr();
  }
}
