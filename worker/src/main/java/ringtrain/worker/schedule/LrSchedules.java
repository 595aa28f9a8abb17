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
    if (!(peakLr >= 0) || !Double.isFinite(peakLr)) {
      throw new IllegalArgumentException("peak learning rate " + peakLr + " must be finite, >= 0");
    }
    if (totalSteps < 1) {
      throw new IllegalArgumentException("total steps " + totalSteps + " must be >= 1");
    }
    LinearWarmup warmup = new LinearWarmup(peakLr, cfg.warmupSteps());
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
    };
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
