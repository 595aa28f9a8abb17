package ringtrain.worker.schedule;

/**
 * Warmup-stable-decay: linear warmup to η, constant η, then a linear decay to η_min over the last D
 * = round(decay_fraction·T) steps (round half up). With decay start {@code S = max(W, T − D)}:
 *
 * <ul>
 *   <li>{@code s < W}: {@code η·(s+1)/W}
 *   <li>{@code W ≤ s < S}: {@code η}
 *   <li>{@code S ≤ s}: {@code η + (η_min − η)·min(1, (s − S + 1)/(T − S))}
 * </ul>
 *
 * so the decay mirrors the warmup: its first step is already below η and step T−1 is exactly η_min.
 */
record WarmupStableDecay(LinearWarmup warmup, double peak, double min, long total, long decaySteps)
    implements LrSchedule {

  @Override
  public double lr(long step) {
    LinearWarmup.checkStep(step);
    if (warmup.covers(step)) {
      return warmup.lr(step);
    }
    long decayStart = Math.max(warmup.steps(), total - decaySteps);
    long span = total - decayStart;
    if (decaySteps == 0 || span <= 0 || step < decayStart) {
      return peak;
    }
    double progress = Math.min(1.0, (double) (step - decayStart + 1) / span);
    return peak + (min - peak) * progress;
  }
}
