package ringtrain.worker.schedule;

/**
 * Linear warmup, then cosine from η to η_min: {@code η_min + ½(η − η_min)(1 + cos(π·(s−W)/(T−W)))}.
 * Steps at or past T (or any step after warmup when T ≤ W) stay at η_min instead of climbing back
 * up the cosine.
 */
record WarmupCosine(LinearWarmup warmup, double peak, double min, long total)
    implements LrSchedule {

  @Override
  public double lr(long step) {
    LinearWarmup.checkStep(step);
    if (warmup.covers(step)) {
      return warmup.lr(step);
    }
    long span = total - warmup.steps();
    double progress = span <= 0 ? 1.0 : Math.min(1.0, (double) (step - warmup.steps()) / span);
    return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
  }
}
