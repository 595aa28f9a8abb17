package ringtrain.worker.optim;

import java.util.List;
import org.agrona.UnsafeApi;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole Adam/AdamW update in one pass over the flat vectors, for the CPU backend: per element
 * it reads θ, g, m and v once and writes θ, m and v once, where the pass-per-operation form of
 * {@link AdamKernel} streams the vectors through memory nine times. Same arithmetic in the same
 * order, in FP32 with the scalars combined in double and rounded once: decay (θ·(1 − ηλ)) or the L2
 * term (g + λθ) on decaying blocks, m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², θ ← θ − s · m /
 * (√v + ε'), with s and ε' folding in the bias corrections.
 *
 * <p>Values are staged through small heap arrays, which C2 vectorizes (square root and division
 * included); the vectors themselves stay in ND4J's off-heap buffers.
 */
final class FusedAdam {
  private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
  private static final int CHUNK = 2048;

  private final float[] theta = new float[CHUNK];
  private final float[] grad = new float[CHUNK];
  private final float[] first = new float[CHUNK];
  private final float[] second = new float[CHUNK];

  /** Whether the fused pass can run here: host memory (the CPU backend). */
  static boolean available() {
    return Nd4j.getEnvironment().isCPU();
  }

  /**
   * One step on contiguous FP32 vectors of equal length. {@code decoupled}: AdamW decay factor
   * {@code 1 − ηλ} on decaying blocks; otherwise the L2 term {@code λθ} is added to the gradient
   * there. {@code grad} is only read.
   */
  void step(
      INDArray params,
      INDArray gradient,
      INDArray m,
      INDArray v,
      List<ParamBlock> blocks,
      boolean decoupled,
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
    float stepSize = (float) (lr * sqrtBc2 / bc1);
    long p = address(params);
    long g = address(gradient);
    long mm = address(m);
    long vv = address(v);
    for (ParamBlock block : blocks) {
      boolean decays = block.decay() && weightDecay > 0;
      float decay = decoupled && decays ? (float) (1 - lr * weightDecay) : 1f;
      float l2 = !decoupled && decays ? (float) weightDecay : 0f;
      long end = block.offset() + block.length();
      for (long start = block.offset(); start < end; start += CHUNK) {
        int count = (int) Math.min(CHUNK, end - start);
        long offset = 4L * start;
        long bytes = 4L * count;
        UnsafeApi.copyMemory(null, p + offset, theta, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, g + offset, grad, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, mm + offset, first, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, vv + offset, second, FLOAT_BASE, bytes);
        update(count, decay, l2, b1, c1, b2, c2, epsScaled, stepSize);
        UnsafeApi.copyMemory(theta, FLOAT_BASE, null, p + offset, bytes);
        UnsafeApi.copyMemory(first, FLOAT_BASE, null, mm + offset, bytes);
        UnsafeApi.copyMemory(second, FLOAT_BASE, null, vv + offset, bytes);
      }
    }
  }

  private void update(
      int count,
      float decay,
      float l2,
      float b1,
      float c1,
      float b2,
      float c2,
      float epsScaled,
      float stepSize) {
    float[] th = theta;
    float[] gr = grad;
    float[] m1 = first;
    float[] m2 = second;
    if (l2 != 0f) {
      for (int i = 0; i < count; i++) {
        gr[i] = gr[i] + l2 * th[i];
      }
    }
    for (int i = 0; i < count; i++) {
      float gi = gr[i];
      float mi = m1[i] * b1 + c1 * gi;
      float vi = m2[i] * b2 + c2 * (gi * gi);
      m1[i] = mi;
      m2[i] = vi;
      th[i] = th[i] * decay - stepSize * (mi / ((float) Math.sqrt(vi) + epsScaled));
    }
  }

  static long address(INDArray x) {
    return x.data().addressPointer().address() + x.offset() * 4L;
  }
}
