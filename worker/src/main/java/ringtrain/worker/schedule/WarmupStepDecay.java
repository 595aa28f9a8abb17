package ringtrain.worker.schedule;

/**
 * Linear warmup, then {@code η·γ^floor((s−W)/stepSize)}: the step schedule; exponential is stepSize
 * 1, constant is γ = 1.
 */
record WarmupStepDecay(LinearWarmup warmup, double peak, double gamma, long stepSize)
    implements LrSchedule {

  @Override
  public double lr(long step) {
    LinearWarmup.checkStep(step);
    if (warmup.covers(step)) {
      return warmup.lr(step);
    }
    long decays = (step - warmup.steps()) / stepSize;
    return gamma == 1 ? peak : peak * Math.pow(gamma, decays);
  }
}
