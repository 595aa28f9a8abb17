package ringtrain.worker.optim;

import ringtrain.common.config.OptimConfig;

/** Builds the optimizer named by {@code optim.name}. */
public final class Optimizers {
  private Optimizers() {}

  /** The fast optimizer: fused ND4J kernels on the flat vectors, scratch allocated once here. */
  public static Optimizer create(OptimConfig cfg, ParamLayout layout) {
    double wd = cfg.weightDecay();
    return switch (cfg.name()) {
      case ADAMW -> new AdamW(layout, true, cfg.beta1(), cfg.beta2(), cfg.eps(), wd);
      case ADAM -> new AdamW(layout, false, cfg.beta1(), cfg.beta2(), cfg.eps(), wd);
      case SGD -> new Sgd(layout, wd);
      case MOMENTUM -> new Sgd(layout, cfg.momentum(), cfg.nesterov(), wd);
      case RMSPROP -> new RmsProp(layout, cfg.alpha(), cfg.eps(), wd);
      case ADAGRAD -> new AdaGrad(layout, wd);
      case LAMB -> new Lamb(layout, cfg.beta1(), cfg.beta2(), cfg.eps(), wd);
      case LARS -> new Lars(layout, cfg.momentum(), wd, cfg.trustCoefficient());
    };
  }

  /**
   * The plain reference version of the same optimizer: element loops in double precision over
   * copies of the vectors. Slow; it exists so the fast one can be tested against a readable
   * definition.
   */
  public static Optimizer reference(OptimConfig cfg, ParamLayout layout) {
    return new ReferenceOptimizer(cfg, layout);
  }
}
