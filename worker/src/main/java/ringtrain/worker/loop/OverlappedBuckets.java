package ringtrain.worker.loop;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import ringtrain.common.config.JobConfig;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.PendingReduce;
import ringtrain.worker.comm.ReduceOp;
import ringtrain.worker.ddp.GradientBuffer;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.precision.LossScaler;
import ringtrain.worker.precision.MixedPrecisionEngine;
import ringtrain.worker.remat.LayerwiseEngine;

/**
 * The overlap bookkeeping of {@code comm.overlap}: during the last micro-batch's backward, every
 * layer the layer engine reports done completes its slice of the flat gradient, and a bucket that
 * is then complete is queued on the collective ({@link Collective#startAllReduce}), which reduces
 * it while backward goes on; the side scalars follow in FP32 once backward is over. Buckets are
 * queued in the order backward completes them, which {@link GradientBuckets} fixes from the network
 * alone, so it is the same on every rank.
 */
final class OverlappedBuckets {
  private final LayerwiseEngine layers;
  private final GradientBuffer gradient;
  private final Collective comm;
  private final Dtype wire;
  private final Consumer<INDArray> checkFinite;
  private final GradientBuckets buckets;
  private final FloatBuffer[] bucketBuffers;

  /** This step's queued reductions, in the order they were started. */
  private final List<PendingReduce> inFlight = new ArrayList<>();

  /**
   * @param checkFinite flags a gradient range that holds inf/NaN
   */
  OverlappedBuckets(
      LayerwiseEngine layers,
      GradientBuffer gradient,
      Collective comm,
      long bucketElements,
      Dtype wire,
      Consumer<INDArray> checkFinite) {
    this.layers = layers;
    this.gradient = gradient;
    this.comm = comm;
    this.wire = wire;
    this.checkFinite = checkFinite;
    this.buckets = new GradientBuckets(layers.layerOffsets(), bucketElements);
    this.bucketBuffers = new FloatBuffer[buckets.buckets().size()];
    for (int b = 0; b < bucketBuffers.length; b++) {
      GradientBuckets.Bucket bucket = buckets.buckets().get(b);
      bucketBuffers[b] = gradient.slice(bucket.from(), bucket.to());
    }
  }

  /**
   * The buckets of {@code engine}'s layers (of its compute copy under mixed precision), cut at
   * {@code comm.bucket_mb}; a bucket holding inf/NaN sets the gradient's non-finite flag.
   */
  static OverlappedBuckets over(
      GradientEngine engine,
      GradientBuffer gradient,
      Collective comm,
      JobConfig job,
      Dtype wire,
      LossScaler scaler) {
    LayerwiseEngine layers =
        engine instanceof MixedPrecisionEngine mixed
            ? mixed.computeEngine()
            : (LayerwiseEngine) engine;
    return new OverlappedBuckets(
        layers,
        gradient,
        comm,
        job.comm().bucketBytes() / Float.BYTES,
        wire,
        g -> GradientAccumulator.flagNonFinite(scaler, gradient, g));
  }

  /** Starts listening to the layers of the last micro-batch of step {@code step}. */
  void listen(long step, int k) {
    layers.setLayerListener(layer -> layerDone(layer, step, k));
  }

  void stopListening() {
    layers.setLayerListener(null);
  }

  /**
   * Queues the side scalars and waits for every bucket.
   *
   * @return {nanos in flight, nanos of that hidden behind compute}
   */
  long[] finish(long step, long computeEnd) {
    start(gradient.scalarBuffer(), step, Dtype.FP32);
    long busy = 0;
    long overlapped = 0;
    try {
      for (PendingReduce p : inFlight) {
        p.await();
        busy += p.endNanos() - p.startNanos();
        overlapped += Math.max(0, Math.min(p.endNanos(), computeEnd) - p.startNanos());
      }
    } finally {
      inFlight.clear();
    }
    return new long[] {busy, overlapped};
  }

  /**
   * Layer {@code layer} of the last micro-batch finished backward: its gradient slice is final, so
   * it goes into the flat gradient, and a bucket that is now complete goes to the all-reduce.
   */
  private void layerDone(int layer, long step, int k) {
    int b = buckets.completedBy(layer);
    if (b < 0) {
      return;
    }
    GradientBuckets.Bucket bucket = buckets.buckets().get(b);
    INDArray grad = gradient.gradient();
    INDArray range = grad.get(NDArrayIndex.interval(bucket.from(), bucket.to()));
    INDArray g =
        layers
            .gradient()
            .reshape(grad.length())
            .get(NDArrayIndex.interval(bucket.from(), bucket.to()));
    if (k == 1) {
      range.assign(g);
    } else {
      range.addi(g).divi(k);
    }
    checkFinite.accept(range);
    if (comm.worldSize() > 1) {
      start(bucketBuffers[b], step, wire);
    }
  }

  /** Queues an average of {@code buffer}; it belongs to the collective until {@link #finish}. */
  private void start(FloatBuffer buffer, long step, Dtype values) {
    inFlight.add(comm.startAllReduce(buffer, ReduceOp.AVERAGE, step, values));
  }
}
