package ringtrain.worker.data;

import java.nio.file.Path;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.JobConfig;

/**
 * What one rank trains and evaluates on. Placement {@code replicate}: the whole training and test
 * sets, read in the global order of {@link BatchPlan}, the test set scored in one slice per rank.
 * Placement {@code shard}: the rank's own {@link LocalShard}s, read in its {@link ShardOrder}, its
 * test shard scored whole.
 */
public final class RankData implements AutoCloseable {
  private final Examples train;
  private final Examples test;
  private final boolean sharded;
  private final int trainSize;

  private RankData(Examples train, Examples test, boolean sharded, int trainSize) {
    this.train = train;
    this.test = test;
    this.sharded = sharded;
    this.trainSize = trainSize;
  }

  /** Every example, on every rank. */
  public static RankData replicated(TrainTest data) {
    return new RankData(data.train(), data.test(), false, data.train().size());
  }

  /**
   * This rank's shards of a data set of {@code trainSize} training examples.
   *
   * @param trainSize training examples over all ranks
   */
  public static RankData sharded(LocalShard train, LocalShard test, int trainSize) {
    return new RankData(train, test, true, trainSize);
  }

  /**
   * The data of rank {@code rank} from a set every rank holds whole: the set itself, or with {@code
   * data.placement = shard} the rank's shards cut from it (example i to rank i mod N), as a sharded
   * Spark run would give them.
   *
   * @param spillDir where a shard larger than {@code data.shard.offheap_max_mb} is mapped from
   */
  public static RankData of(DataConfig cfg, TrainTest data, int rank, int world, Path spillDir) {
    if (cfg.placement() != DataConfig.Placement.SHARD) {
      return replicated(data);
    }
    ShardStorage storage = ShardStorage.of(cfg, spillDir);
    return sharded(
        LocalShard.of(data.train(), rank, world, storage),
        LocalShard.of(data.test(), rank, world, storage),
        data.train().size());
  }

  /** This rank's training examples: all of them, or its shard. */
  public Examples train() {
    return train;
  }

  /** This rank's test examples: all of them, or its shard. */
  public Examples test() {
    return test;
  }

  /** True when {@link #train()} and {@link #test()} are this rank's shards. */
  public boolean sharded() {
    return sharded;
  }

  /** Training examples over all ranks: what the plan divides into steps. */
  public int trainSize() {
    return trainSize;
  }

  /**
   * The micro-batches of rank {@code rank}, prefetched on a background thread when {@code
   * data.prefetch} is set.
   *
   * @param images features as {@code [b, c, h, w]}
   */
  public BatchSource batches(JobConfig job, BatchPlan plan, int rank, boolean images) {
    PlannedBatches planned =
        sharded
            ? PlannedBatches.sharded(
                train,
                new ShardOrder(
                    train.size(),
                    plan.stepsPerEpoch(),
                    job.train().microBatch(),
                    job.train().accumulation(),
                    job.data().shuffle(),
                    job.train().seed(),
                    rank),
                images)
            : PlannedBatches.replicated(train, plan, rank, images);
    return job.data().prefetch()
        ? new PrefetchedBatches(planned, job.train().accumulation(), "ringtrain-input-" + rank)
        : planned;
  }

  /** Releases the shards' files, if any. */
  @Override
  public void close() {
    if (train instanceof LocalShard s) {
      s.close();
    }
    if (test instanceof LocalShard s) {
      s.close();
    }
  }
}
