package ringtrain.worker.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Gradient clipping on the flat, averaged, unscaled FP32 gradient, in place. */
public final class GradientClipping {
  /** PyTorch's guard against dividing by a zero norm. */
  static final double NORM_EPS = 1e-6;

  private GradientClipping() {}

  /**
   * PyTorch clip_grad_norm_: total = ||g||2 over the whole flat vector; if total &gt; maxNorm: g *=
   * maxNorm/(total+1e-6). maxNorm 0 = off (still returns the norm). Returns the PRE-clip norm. As
   * in PyTorch, a non-finite norm is returned as is (an infinite one zeroes finite entries).
   */
  public static double clipByGlobalNorm(INDArray grad, double maxNorm) {
    if (!(maxNorm >= 0)) {
      throw new IllegalArgumentException("max norm " + maxNorm + " must be >= 0");
    }
    double total = grad.norm2Number().doubleValue();
    if (maxNorm > 0 && total > maxNorm) {
      grad.muli(maxNorm / (total + NORM_EPS));
    }
    return total;
  }

  /** Clamps every element to {@code [-clipValue, clipValue]}; 0 = off. */
  public static void clipByValue(INDArray grad, double clipValue) {
    if (!(clipValue >= 0)) {
      throw new IllegalArgumentException("clip value " + clipValue + " must be >= 0");
    }
    if (clipValue > 0) {
      Transforms.min(grad, clipValue, false);
      Transforms.max(grad, -clipValue, false);
    }
  }
}
