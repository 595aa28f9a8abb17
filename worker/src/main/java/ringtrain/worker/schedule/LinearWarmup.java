package ringtrain.worker.schedule;

/**
 * The linear warmup shared by every schedule but one_cycle: {@code η·(s+1)/W} for {@code s < W}, so
 * the first step already moves and step W−1 reaches η.
 */
record LinearWarmup(double peak, long steps) {

  boolean covers(long step) {
    return step < steps;
  }

  double lr(long step) {
    return peak * (step + 1) / steps;
  }

  static void checkStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("optimizer step " + step + " must be >= 0");
    }
  }
}
