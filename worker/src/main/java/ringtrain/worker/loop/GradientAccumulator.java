package ringtrain.worker.loop;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.JobConfig;
import ringtrain.worker.ddp.GradientBuffer;
import ringtrain.worker.ddp.SideScalar;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.precision.LossScaler;

/**
 * The compute half of a step on one rank: forward and backward of its k micro-batches, their mean
 * gradient left in the flat {@link GradientBuffer} with the side scalars (loss, non-finite flag,
 * the small-batch term of the noise scale). With overlap the last micro-batch's buckets are already
 * on their way when it returns.
 */
final class GradientAccumulator {
  private final MicroBatchSource batches;
  private final int rank;
  private final int k;
  private final long microBatch;
  private final long seed;
  private final GradientEngine engine;
  private final GradientBuffer gradient;
  private final LossScaler scaler;

  /** Set when buckets are all-reduced during backward; null otherwise. */
  private final OverlappedBuckets overlapped;

  /** Whether the noise scale's small-batch term is estimated (else its pass is skipped). */
  private final boolean noiseScale;

  GradientAccumulator(
      JobConfig job,
      MicroBatchSource batches,
      GradientEngine engine,
      GradientBuffer gradient,
      LossScaler scaler,
      OverlappedBuckets overlapped,
      boolean noiseScale) {
    this.batches = batches;
    this.rank = batches.rank();
    this.k = job.train().accumulation();
    this.microBatch = job.train().microBatch();
    this.seed = job.train().seed();
    this.engine = engine;
    this.gradient = gradient;
    this.scaler = scaler;
    this.overlapped = overlapped;
    this.noiseScale = noiseScale;
  }

  /**
   * Forward and backward of step {@code s}'s k micro-batches with loss scale {@code scale}: their
   * mean gradient in the buffer, their mean loss in {@link SideScalar#LOSS}.
   */
  void accumulate(long s, double scale) {
    engine.setLossScale(scale);
    INDArray grad = gradient.gradient();
    gradient.clearScalars();
    double lossSum = 0;
    double smallSq = 0;
    for (int j = 0; j < k; j++) {
      DataSet batch = batches.batchFor(s, j);
      // Dropout masks depend only on (seed, step, rank, micro-batch): a resumed run replays them.
      Nd4j.getRandom().setSeed(dropoutSeed(seed, s, rank * k + j));
      boolean last = j == k - 1;
      if (overlapped != null && last) {
        overlapped.listen(s, k);
        lossSum += engine.computeGradient(batch);
        overlapped.stopListening();
        smallSq += squaredNorm();
        continue;
      }
      lossSum += engine.computeGradient(batch);
      smallSq += squaredNorm();
      INDArray g = engine.gradient().reshape(grad.length());
      if (j == 0) {
        grad.assign(g);
      } else {
        grad.addi(g);
      }
      if (last && k > 1) {
        grad.divi(k);
      }
    }
    if (overlapped == null) {
      flagNonFinite(scaler, gradient, grad);
    }
    // The small-batch term of the noise scale: unscaled, per example (like the averaged gradient).
    double unscale = 1.0 / (microBatch * scale);
    gradient.set(SideScalar.MICRO_BATCH_GRAD_SQ, smallSq / k * unscale * unscale);
    gradient.set(SideScalar.LOSS, lossSum / k);
  }

  /** Squared L2 norm of the micro-batch gradient just computed; 0 without a noise scale. */
  private double squaredNorm() {
    if (!noiseScale) {
      return 0;
    }
    double norm = engine.gradient().norm2Number().doubleValue();
    return norm * norm;
  }

  /** Sets the non-finite flag if {@code g} holds inf or NaN (only loss scaling reads it). */
  static void flagNonFinite(LossScaler scaler, GradientBuffer gradient, INDArray g) {
    if (scaler.enabled() && !Double.isFinite(g.sumNumber().doubleValue())) {
      gradient.set(SideScalar.NON_FINITE, 1);
    }
  }

  static long dropoutSeed(long seed, long step, int stream) {
    long h = seed * 0x9E3779B97F4A7C15L + step;
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + stream;
    return h ^ (h >>> 29);
  }
}
