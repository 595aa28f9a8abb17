package ringtrain.worker.data;

import java.util.SplittableRandom;
import ringtrain.common.error.DataException;

/**
 * Which examples form each optimizer step, for every rank and micro-batch.
 *
 * <p>Epoch e = step / stepsPerEpoch runs over an order of the training set: file order, or with
 * shuffling a permutation derived from (seed, epoch) alone. Global step s takes positions {@code
 * [i·B, (i+1)·B)} of that order, i = s mod stepsPerEpoch, and the last partial global batch of an
 * epoch is dropped. Rank r takes the contiguous slice {@code [r·b·k, (r+1)·b·k)} and micro-batch j
 * its sub-slice {@code [j·b, (j+1)·b)}. The order never depends on the world size, so N ranks ×
 * micro-batch b, one rank × N·b, and one rank × b × N accumulation steps see the same examples in
 * the same order: the premise of exact data parallelism.
 *
 * <p>Thread-safe: the permutation of the current epoch is cached in one immutable holder.
 */
public final class BatchPlan {
  private final int trainSize;
  private final int worldSize;
  private final int microBatch;
  private final int accumulation;
  private final boolean shuffle;
  private final long seed;
  private final long globalBatch;
  private final long stepsPerEpoch;
  private volatile EpochOrder cached;

  private record EpochOrder(long epoch, int[] order) {}

  /**
   * @param trainSize number of training examples n
   * @param worldSize number of ranks N
   * @param microBatch examples per rank per micro-batch b
   * @param accumulation micro-batches per optimizer step k
   * @param shuffle a new permutation every epoch (true) or file order (false)
   * @param seed {@code train.seed}
   * @throws DataException when the training set holds less than one global batch
   */
  public BatchPlan(
      int trainSize, int worldSize, int microBatch, int accumulation, boolean shuffle, long seed) {
    if (trainSize < 0 || worldSize < 1 || microBatch < 1 || accumulation < 1) {
      throw new IllegalArgumentException(
          String.format(
              "need trainSize >= 0 and worldSize, microBatch, accumulation >= 1; got %d, %d, %d, %d",
              trainSize, worldSize, microBatch, accumulation));
    }
    this.trainSize = trainSize;
    this.worldSize = worldSize;
    this.microBatch = microBatch;
    this.accumulation = accumulation;
    this.shuffle = shuffle;
    this.seed = seed;
    this.globalBatch = (long) worldSize * microBatch * accumulation;
    this.stepsPerEpoch = trainSize / globalBatch;
    if (stepsPerEpoch == 0) {
      throw new DataException(
          "train.micro_batch = "
              + microBatch
              + " × train.world_size = "
              + worldSize
              + " × train.accumulation = "
              + accumulation
              + " gives a global batch of "
              + globalBatch
              + " examples, more than the "
              + trainSize
              + " training examples; lower train.micro_batch (or world_size, accumulation) or use"
              + " more data (data.limit_train)");
    }
  }

  /** B = N·b·k. */
  public long globalBatch() {
    return globalBatch;
  }

  /** floor(n / B): full global batches per epoch. */
  public long stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** The epoch that global step {@code step} belongs to. */
  public long epoch(long step) {
    checkStep(step);
    return step / stepsPerEpoch;
  }

  /**
   * Indices of micro-batch {@code micro} (0..k−1) of rank {@code rank} for global step {@code
   * step}.
   */
  public int[] indices(long step, int rank, int micro) {
    checkStep(step);
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " outside [0, " + worldSize + ")");
    }
    if (micro < 0 || micro >= accumulation) {
      throw new IllegalArgumentException(
          "micro-batch " + micro + " outside [0, " + accumulation + ")");
    }
    long epoch = step / stepsPerEpoch;
    long inEpoch = step % stepsPerEpoch;
    long start =
        inEpoch * globalBatch + (long) rank * microBatch * accumulation + (long) micro * microBatch;
    int from = (int) start;
    int[] out = new int[microBatch];
    if (!shuffle) {
      for (int i = 0; i < microBatch; i++) {
        out[i] = from + i;
      }
      return out;
    }
    System.arraycopy(order(epoch), from, out, 0, microBatch);
    return out;
  }

  private int[] order(long epoch) {
    EpochOrder current = cached;
    if (current == null || current.epoch() != epoch) {
      current = new EpochOrder(epoch, permutation(trainSize, seed, epoch));
      cached = current;
    }
    return current.order();
  }

  /** Fisher–Yates over 0..n−1 driven by (seed, epoch) only. */
  static int[] permutation(int n, long seed, long epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed ^ SeedMix.mix(epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private static void checkStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
  }
}
