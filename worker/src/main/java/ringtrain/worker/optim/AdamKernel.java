package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Adam moment update and bias-corrected direction in one fused native pass (libnd4j's {@code
 * adam_updater}, the kernel DL4J's own Adam uses).
 *
 * <p>That kernel computes {@code u = lr·sqrt(1−β2ᵗ)/(1−β1ᵗ) · m / (sqrt(v) + ε')}. With lr = 1 and
 * ε' = ε·sqrt(1−β2ᵗ) this is exactly PyTorch's {@code (m/(1−β1ᵗ)) / (sqrt(v/(1−β2ᵗ)) + ε)}. The
 * learning rate is applied by the caller, because the kernel replaces a zero lr by ε.
 */
final class AdamKernel {
  private AdamKernel() {}

  /**
   * Updates {@code m} and {@code v} in place from {@code grad} and writes the bias-corrected Adam
   * direction of 1-based step {@code t} into {@code out} (which may be {@code grad}).
   */
  static void direction(
      INDArray grad,
      INDArray m,
      INDArray v,
      INDArray out,
      double beta1,
      double beta2,
      double eps,
      long t) {
    double epsPrime = eps * Math.sqrt(1 - Math.pow(beta2, t));
    // The kernel raises β to (iteration + 1), so it takes the 0-based step.
    int iteration = (int) Math.min(t - 1, Integer.MAX_VALUE);
    Nd4j.exec(new AdamUpdater(grad, v, m, out, v, m, 1.0, beta1, beta2, epsPrime, iteration));
  }
}
