package ringtrain.worker.optim;

import java.util.List;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.OptimConfig;

/**
 * Every optimizer written as the formulas read: one loop per block over float arrays, arithmetic in
 * double, state stored back as FP32 after each step (as PyTorch keeps it). The fast implementations
 * are tested against this one.
 */
final class ReferenceOptimizer extends FlatOptimizer {
  private final OptimConfig cfg;

  ReferenceOptimizer(OptimConfig cfg, ParamLayout layout) {
    super(layout, stateNames(cfg.name()));
    this.cfg = cfg;
  }

  private static String[] stateNames(OptimConfig.Algorithm name) {
    return switch (name) {
      case ADAMW, ADAM, LAMB -> new String[] {"adam_m", "adam_v"};
      case MOMENTUM, LARS -> new String[] {"momentum"};
      case RMSPROP -> new String[] {"square_avg"};
      case ADAGRAD -> new String[] {"sum"};
      case SGD -> new String[] {};
    };
  }

  @Override
  protected void update(BlockViews params, BlockViews grad, double lr, long t) {
    float[] p = params.all().toFloatVector();
    float[] g = grad.all().toFloatVector();
    List<String> names = List.copyOf(state().keySet());
    float[][] s = new float[names.size()][];
    for (int i = 0; i < s.length; i++) {
      s[i] = stateVector(names.get(i)).toFloatVector();
    }
    for (ParamBlock b : blocks) {
      int from = (int) b.offset();
      int to = (int) (b.offset() + b.length());
      switch (cfg.name()) {
        case ADAMW, ADAM -> adam(p, g, s[0], s[1], from, to, b.decay(), lr, t);
        case SGD -> sgd(p, g, from, to, b.decay(), lr);
        case MOMENTUM -> momentum(p, g, s[0], from, to, b.decay(), lr, t);
        case RMSPROP -> rmsprop(p, g, s[0], from, to, b.decay(), lr);
        case ADAGRAD -> adagrad(p, g, s[0], from, to, b.decay(), lr);
        case LAMB -> lamb(p, g, s[0], s[1], from, to, b.decay(), lr, t);
        case LARS -> lars(p, g, s[0], from, to, b.decay(), lr);
      }
    }
    params.all().assign(Nd4j.createFromArray(p));
    for (int i = 0; i < s.length; i++) {
      stateVector(names.get(i)).assign(Nd4j.createFromArray(s[i]));
    }
  }

  /** The gradient with L2 weight decay folded in, for the coupled optimizers. */
  private double l2(float[] p, float[] g, int i, boolean decay) {
    return decay ? g[i] + cfg.weightDecay() * p[i] : g[i];
  }

  private void adam(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      int from,
      int to,
      boolean decay,
      double lr,
      long t) {
    boolean decoupled = cfg.name() == OptimConfig.Algorithm.ADAMW;
    double bc1 = 1 - Math.pow(cfg.beta1(), t);
    double bc2 = 1 - Math.pow(cfg.beta2(), t);
    for (int i = from; i < to; i++) {
      double theta = p[i];
      double gi = decoupled ? g[i] : l2(p, g, i, decay);
      if (decoupled && decay) {
        theta *= 1 - lr * cfg.weightDecay();
      }
      m[i] = (float) (cfg.beta1() * m[i] + (1 - cfg.beta1()) * gi);
      v[i] = (float) (cfg.beta2() * v[i] + (1 - cfg.beta2()) * gi * gi);
      double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + cfg.eps();
      p[i] = (float) (theta - lr * (m[i] / bc1) / denom);
    }
  }

  private void sgd(float[] p, float[] g, int from, int to, boolean decay, double lr) {
    for (int i = from; i < to; i++) {
      p[i] = (float) (p[i] - lr * l2(p, g, i, decay));
    }
  }

  private void momentum(
      float[] p, float[] g, float[] buf, int from, int to, boolean decay, double lr, long t) {
    double mu = cfg.momentum();
    for (int i = from; i < to; i++) {
      double d = l2(p, g, i, decay);
      // PyTorch starts the buffer at the first gradient rather than at m·0 + g.
      buf[i] = (float) (t == 1 ? d : mu * buf[i] + d);
      double step = cfg.nesterov() ? d + mu * buf[i] : buf[i];
      p[i] = (float) (p[i] - lr * step);
    }
  }

  private void rmsprop(
      float[] p, float[] g, float[] sq, int from, int to, boolean decay, double lr) {
    double alpha = cfg.alpha();
    for (int i = from; i < to; i++) {
      double d = l2(p, g, i, decay);
      sq[i] = (float) (alpha * sq[i] + (1 - alpha) * d * d);
      p[i] = (float) (p[i] - lr * d / (Math.sqrt(sq[i]) + cfg.eps()));
    }
  }

  private void adagrad(
      float[] p, float[] g, float[] sum, int from, int to, boolean decay, double lr) {
    for (int i = from; i < to; i++) {
      double d = l2(p, g, i, decay);
      sum[i] = (float) (sum[i] + d * d);
      p[i] = (float) (p[i] - lr * d / (Math.sqrt(sum[i]) + AdaGrad.EPS));
    }
  }

  private void lamb(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      int from,
      int to,
      boolean decay,
      double lr,
      long t) {
    double bc1 = 1 - Math.pow(cfg.beta1(), t);
    double bc2 = 1 - Math.pow(cfg.beta2(), t);
    double[] r = new double[to - from];
    double paramSq = 0;
    double updateSq = 0;
    for (int i = from; i < to; i++) {
      m[i] = (float) (cfg.beta1() * m[i] + (1 - cfg.beta1()) * g[i]);
      v[i] = (float) (cfg.beta2() * v[i] + (1 - cfg.beta2()) * g[i] * g[i]);
      double ri = (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + cfg.eps());
      if (decay) {
        ri += cfg.weightDecay() * p[i];
      }
      r[i - from] = ri;
      paramSq += (double) p[i] * p[i];
      updateSq += ri * ri;
    }
    // No-decay blocks are excluded from the trust ratio as well as from decay.
    double trust =
        decay && paramSq > 0 && updateSq > 0 ? Math.sqrt(paramSq) / Math.sqrt(updateSq) : 1.0;
    for (int i = from; i < to; i++) {
      p[i] = (float) (p[i] - lr * trust * r[i - from]);
    }
  }

  private void lars(float[] p, float[] g, float[] buf, int from, int to, boolean decay, double lr) {
    double paramSq = 0;
    double gradSq = 0;
    for (int i = from; i < to; i++) {
      paramSq += (double) p[i] * p[i];
      gradSq += (double) g[i] * g[i];
    }
    double wd = decay ? cfg.weightDecay() : 0;
    double pn = Math.sqrt(paramSq);
    double gn = Math.sqrt(gradSq);
    double trust = decay && pn > 0 && gn > 0 ? cfg.trustCoefficient() * pn / (gn + wd * pn) : 1.0;
    for (int i = from; i < to; i++) {
      buf[i] = (float) (cfg.momentum() * buf[i] + trust * (g[i] + wd * p[i]));
      p[i] = (float) (p[i] - lr * buf[i]);
    }
  }
}
