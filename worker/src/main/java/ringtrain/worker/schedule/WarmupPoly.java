package ringtrain.worker.schedule;

/**
 * Linear warmup, then polynomial decay to η_min (You et al. 2017, the schedule of LARS): {@code
 * η_min + (η − η_min)·(1 − (s−W)/(T−W))^p}, with p = schedule.power (2 by default). Step T and
 * later (or any step after warmup when T ≤ W) stay at η_min.
 */
record WarmupPoly(LinearWarmup warmup, double peak, double min, long total, double power)
    implements LrSchedule {

  @Override
  public double lr(long step) {
    LinearWarmup.checkStep(step);
    if (warmup.covers(step)) {
      return warmup.lr(step);
    }
    long span = total - warmup.steps();
    if (span <= 0) {
      return min;
    }
    double progress = Math.min(1.0, (double) (step - warmup.steps()) / span);
    return min + (peak - min) * Math.pow(1 - progress, power);
  }
}
