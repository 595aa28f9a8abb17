package ringtrain.worker.data;

/**
 * Which examples of its own shard a rank trains on, for placement {@code shard}.
 *
 * <p>Every rank runs {@code stepsPerEpoch} = floor(n / B) steps per epoch, the same number as with
 * placement {@code replicate}: the shards hold floor(n/N) or ceil(n/N) examples, and floor(floor(n
 * / N) / (b·k)) = floor(n / (N·b·k)). Epoch e runs over an order of the shard, file order or a
 * permutation derived from (seed, epoch, rank) alone; step s takes positions {@code [i·b·k,
 * (i+1)·b·k)} of it, i = s mod stepsPerEpoch, and micro-batch j the sub-slice {@code [j·b,
 * (j+1)·b)}. The rest of each shard, {@link #droppedPerEpoch}, is left out of that epoch. Rank 0
 * shuffles with the seed itself, so one rank sees exactly the order of {@link BatchPlan}.
 *
 * <p>Thread-safe: the permutation of the current epoch is cached in one immutable holder.
 */
public final class ShardOrder {
  private final int shardSize;
  private final int microBatch;
  private final int accumulation;
  private final boolean shuffle;
  private final long rankSeed;
  private final long stepsPerEpoch;
  private volatile EpochOrder cached;

  private record EpochOrder(long epoch, int[] order) {}

  /**
   * @param shardSize examples in this rank's shard
   * @param stepsPerEpoch steps of an epoch, the same on every rank ({@link BatchPlan})
   * @param rank this rank
   */
  public ShardOrder(
      int shardSize,
      long stepsPerEpoch,
      int microBatch,
      int accumulation,
      boolean shuffle,
      long seed,
      int rank) {
    if ((long) microBatch * accumulation * stepsPerEpoch > shardSize) {
      throw new IllegalArgumentException(
          stepsPerEpoch
              + " steps of "
              + microBatch
              + " × "
              + accumulation
              + " examples do not fit a shard of "
              + shardSize);
    }
    this.shardSize = shardSize;
    this.microBatch = microBatch;
    this.accumulation = accumulation;
    this.shuffle = shuffle;
    this.rankSeed = rank == 0 ? seed : SeedMix.derive(seed, rank);
    this.stepsPerEpoch = stepsPerEpoch;
  }

  /** Examples of the shard each epoch leaves out: shardSize − stepsPerEpoch·b·k. */
  public long droppedPerEpoch() {
    return shardSize - stepsPerEpoch * microBatch * accumulation;
  }

  /** Shard rows of micro-batch {@code micro} of global step {@code step}. */
  public int[] indices(long step, int micro) {
    long epoch = step / stepsPerEpoch;
    long inEpoch = step % stepsPerEpoch;
    int from = (int) (inEpoch * microBatch * accumulation + (long) micro * microBatch);
    int[] out = new int[microBatch];
    if (!shuffle) {
      for (int i = 0; i < microBatch; i++) {
        out[i] = from + i;
      }
      return out;
    }
    EpochOrder current = cached;
    if (current == null || current.epoch() != epoch) {
      current = new EpochOrder(epoch, BatchPlan.permutation(shardSize, rankSeed, epoch));
      cached = current;
    }
    System.arraycopy(current.order(), from, out, 0, microBatch);
    return out;
  }
}
