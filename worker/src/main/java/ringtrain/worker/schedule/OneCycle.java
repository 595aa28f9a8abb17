package ringtrain.worker.schedule;

/**
 * PyTorch {@code OneCycleLR(max_lr=η, total_steps=T, pct_start, div_factor, final_div_factor,
 * anneal_strategy='cos', three_phase=False)}: cosine from η/div_factor up to η over the steps up to
 * {@code pct_start·T − 1}, then cosine down to η/(div_factor·final_div_factor) at step T−1. Steps
 * past T−1 stay at the final value (PyTorch raises there); a phase of zero length counts as
 * finished (PyTorch divides by zero).
 */
record OneCycle(double maxLr, long total, double pctStart, double divFactor, double finalDivFactor)
    implements LrSchedule {

  @Override
  public double lr(long step) {
    LinearWarmup.checkStep(step);
    double initial = maxLr / divFactor;
    double last = initial / finalDivFactor;
    double s = Math.min(step, total - 1);
    double riseEnd = pctStart * total - 1;
    if (s <= riseEnd) {
      return cosine(initial, maxLr, s / riseEnd);
    }
    double fallEnd = total - 1;
    double span = fallEnd - riseEnd;
    return cosine(maxLr, last, span <= 0 ? 1.0 : (s - riseEnd) / span);
  }

  /** PyTorch's {@code _annealing_cos}: from start at pct 0 to end at pct 1. */
  private static double cosine(double start, double end, double pct) {
    double p = Double.isFinite(pct) ? pct : 1.0;
    return end + (start - end) / 2.0 * (Math.cos(Math.PI * p) + 1);
  }
}
