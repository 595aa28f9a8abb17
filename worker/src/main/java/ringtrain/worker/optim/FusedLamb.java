package ringtrain.worker.optim;

import java.util.List;
import org.agrona.UnsafeApi;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LAMB ({@link Lamb}) on the CPU backend, per block in two sweeps instead of ND4J's dozen: the
 * first reads θ, g, m and v once, writes m, v and the update r, and sums ‖θ‖² and ‖r‖² in double;
 * the second applies {@code θ ← θ − η·trust·r}. The trust ratio needs both norms of the whole block
 * before any element can move, so the two sweeps cannot become one.
 *
 * <p>FP32 element arithmetic like {@link FusedAdam}: the bias corrections folded into two scalars
 * combined in double, {@code r = s·m/(√v + ε')} with {@code s = √(1−β2ᵗ)/(1−β1ᵗ)} and {@code ε' =
 * ε·√(1−β2ᵗ)}, which equals {@code m̂/(√v̂ + ε)}.
 */
final class FusedLamb {
  private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
  private static final int CHUNK = 2048;

  private final float[] theta = new float[CHUNK];
  private final float[] grad = new float[CHUNK];
  private final float[] first = new float[CHUNK];
  private final float[] second = new float[CHUNK];
  private final float[] update = new float[CHUNK];

  /** One step; {@code r} is a work vector of the same length, {@code gradient} is only read. */
  void step(
      INDArray params,
      INDArray gradient,
      INDArray m,
      INDArray v,
      INDArray r,
      List<ParamBlock> blocks,
      double weightDecay,
      double lr,
      double beta1,
      double beta2,
      double eps,
      long t) {
    double bc1 = 1 - Math.pow(beta1, t);
    double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
    float b1 = (float) beta1;
    float c1 = (float) (1 - beta1);
    float b2 = (float) beta2;
    float c2 = (float) (1 - beta2);
    float epsScaled = (float) (eps * sqrtBc2);
    float stepSize = (float) (sqrtBc2 / bc1);
    long p = FusedAdam.address(params);
    long g = FusedAdam.address(gradient);
    long mm = FusedAdam.address(m);
    long vv = FusedAdam.address(v);
    long rr = FusedAdam.address(r);
    for (ParamBlock block : blocks) {
      // No-decay blocks (biases, norm gain and shift) take neither decay nor a trust ratio.
      boolean decays = block.decay();
      float wd = decays ? (float) weightDecay : 0f;
      long end = block.offset() + block.length();
      double paramSq = 0;
      double updateSq = 0;
      for (long start = block.offset(); start < end; start += CHUNK) {
        int count = (int) Math.min(CHUNK, end - start);
        long offset = 4L * start;
        long bytes = 4L * count;
        UnsafeApi.copyMemory(null, p + offset, theta, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, g + offset, grad, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, mm + offset, first, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, vv + offset, second, FLOAT_BASE, bytes);
        moments(count, wd, b1, c1, b2, c2, epsScaled, stepSize);
        if (decays) {
          paramSq += sumOfSquares(theta, count);
          updateSq += sumOfSquares(update, count);
        }
        UnsafeApi.copyMemory(first, FLOAT_BASE, null, mm + offset, bytes);
        UnsafeApi.copyMemory(second, FLOAT_BASE, null, vv + offset, bytes);
        UnsafeApi.copyMemory(update, FLOAT_BASE, null, rr + offset, bytes);
      }
      double trust = 1.0;
      if (decays && paramSq > 0 && updateSq > 0) {
        trust = Math.sqrt(paramSq) / Math.sqrt(updateSq);
      }
      float rate = (float) (lr * trust);
      for (long start = block.offset(); start < end; start += CHUNK) {
        int count = (int) Math.min(CHUNK, end - start);
        long offset = 4L * start;
        long bytes = 4L * count;
        UnsafeApi.copyMemory(null, p + offset, theta, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, rr + offset, update, FLOAT_BASE, bytes);
        for (int i = 0; i < count; i++) {
          theta[i] = theta[i] - rate * update[i];
        }
        UnsafeApi.copyMemory(theta, FLOAT_BASE, null, p + offset, bytes);
      }
    }
  }

  private void moments(
      int count, float wd, float b1, float c1, float b2, float c2, float epsScaled, float s) {
    float[] th = theta;
    float[] gr = grad;
    float[] m1 = first;
    float[] m2 = second;
    float[] out = update;
    for (int i = 0; i < count; i++) {
      float gi = gr[i];
      float mi = m1[i] * b1 + c1 * gi;
      float vi = m2[i] * b2 + c2 * (gi * gi);
      m1[i] = mi;
      m2[i] = vi;
      out[i] = s * (mi / ((float) Math.sqrt(vi) + epsScaled)) + wd * th[i];
    }
  }

  /** Σx² in double, so a block of millions of elements keeps its norm to FP32 precision. */
  static double sumOfSquares(float[] x, int count) {
    double sum = 0;
    for (int i = 0; i < count; i++) {
      double xi = x[i];
      sum += xi * xi;
    }
    return sum;
  }
}
