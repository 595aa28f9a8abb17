package ringtrain.worker.optim;

import java.util.List;
import org.agrona.UnsafeApi;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LARS ({@link Lars}) on the CPU backend: per decaying block one read-only sweep summing ‖θ‖² and
 * ‖g‖² in double (the local learning rate needs both before any element moves), then one sweep that
 * reads θ, g and μ once and writes μ and θ once: {@code μ ← m·μ + trust·(g + λθ)}, {@code θ ← θ −
 * η·μ}. No-decay blocks skip the first sweep (trust 1, no decay).
 */
final class FusedLars {
  private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
  private static final int CHUNK = 2048;

  private final float[] theta = new float[CHUNK];
  private final float[] grad = new float[CHUNK];
  private final float[] buffer = new float[CHUNK];

  /** One step; {@code gradient} is only read. */
  void step(
      INDArray params,
      INDArray gradient,
      INDArray momentumBuffer,
      List<ParamBlock> blocks,
      double momentum,
      double weightDecay,
      double trustCoefficient,
      double lr) {
    long p = FusedAdam.address(params);
    long g = FusedAdam.address(gradient);
    long mu = FusedAdam.address(momentumBuffer);
    float m = (float) momentum;
    float rate = (float) lr;
    for (ParamBlock block : blocks) {
      long end = block.offset() + block.length();
      double trust = 1.0;
      float wd = 0f;
      if (block.decay()) {
        double paramSq = 0;
        double gradSq = 0;
        for (long start = block.offset(); start < end; start += CHUNK) {
          int count = (int) Math.min(CHUNK, end - start);
          UnsafeApi.copyMemory(null, p + 4L * start, theta, FLOAT_BASE, 4L * count);
          UnsafeApi.copyMemory(null, g + 4L * start, grad, FLOAT_BASE, 4L * count);
          paramSq += FusedLamb.sumOfSquares(theta, count);
          gradSq += FusedLamb.sumOfSquares(grad, count);
        }
        double pn = Math.sqrt(paramSq);
        double gn = Math.sqrt(gradSq);
        if (pn > 0 && gn > 0) {
          trust = trustCoefficient * pn / (gn + weightDecay * pn);
        }
        wd = (float) weightDecay;
      }
      float local = (float) trust;
      for (long start = block.offset(); start < end; start += CHUNK) {
        int count = (int) Math.min(CHUNK, end - start);
        long offset = 4L * start;
        long bytes = 4L * count;
        UnsafeApi.copyMemory(null, p + offset, theta, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, g + offset, grad, FLOAT_BASE, bytes);
        UnsafeApi.copyMemory(null, mu + offset, buffer, FLOAT_BASE, bytes);
        update(count, m, local, wd, rate);
        UnsafeApi.copyMemory(theta, FLOAT_BASE, null, p + offset, bytes);
        UnsafeApi.copyMemory(buffer, FLOAT_BASE, null, mu + offset, bytes);
      }
    }
  }

  private void update(int count, float m, float trust, float wd, float rate) {
    float[] th = theta;
    float[] gr = grad;
    float[] buf = buffer;
    for (int i = 0; i < count; i++) {
      float bi = m * buf[i] + trust * (gr[i] + wd * th[i]);
      buf[i] = bi;
      th[i] = th[i] - rate * bi;
    }
  }
}
