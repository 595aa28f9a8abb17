package ringtrain.worker.schedule;

import java.util.Locale;
import ringtrain.common.config.OptimConfig;
import ringtrain.common.config.ScheduleConfig;
import ringtrain.common.error.ConfigException;

/** Scaling the peak learning rate from optim.base_batch to the global batch B. */
public final class LrScaling {
  private LrScaling() {}

  /** peak = optim.lr * B/base_batch (linear) | sqrt(B/base_batch) (sqrt) | 1 (none). */
  public static double scaledPeak(OptimConfig cfg, long globalBatch) {
    double ratio = ratio(cfg, globalBatch);
    return switch (cfg.scaling()) {
      case LINEAR -> cfg.lr() * ratio;
      case SQRT -> cfg.lr() * Math.sqrt(ratio);
      case NONE -> cfg.lr();
    };
  }

  /**
   * Throws ConfigException naming schedule.warmup_steps when scaling=linear, B/base_batch &gt;
   * optim.warmup_required_above and there is no warmup, in steps or epochs (one_cycle counts as
   * having warmup). Large linearly scaled learning rates diverge without warmup (Goyal et al.
   * 2017).
   */
  public static void checkWarmup(OptimConfig optim, ScheduleConfig schedule, long globalBatch) {
    double ratio = ratio(optim, globalBatch);
    if (optim.scaling() == OptimConfig.Scaling.LINEAR
        && ratio > optim.warmupRequiredAbove()
        && schedule.warmupSteps() == 0
        && schedule.warmupEpochs() == 0
        && schedule.name() != ScheduleConfig.Name.ONE_CYCLE) {
      throw new ConfigException(
          String.format(
              Locale.ROOT,
              "schedule.warmup_steps = 0 but linear scaling multiplies optim.lr by B/base_batch"
                  + " = %d/%d = %s, above optim.warmup_required_above = %s; set"
                  + " schedule.warmup_steps > 0 (e.g. 5%% of the steps)",
              globalBatch,
              optim.baseBatch(),
              trim(ratio),
              trim(optim.warmupRequiredAbove())));
    }
  }

  private static double ratio(OptimConfig cfg, long globalBatch) {
    if (globalBatch < 1) {
      throw new IllegalArgumentException("global batch " + globalBatch + " must be >= 1");
    }
    return (double) globalBatch / cfg.baseBatch();
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
