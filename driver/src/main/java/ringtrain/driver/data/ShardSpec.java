package ringtrain.driver.data;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Iterator;
import ringtrain.common.config.DataConfig.ShardEncoding;
import ringtrain.worker.data.LocalShard;
import ringtrain.worker.data.RankData;
import ringtrain.worker.data.ShardStorage;
import scala.Tuple2;

/**
 * What a rank needs to rebuild its shards from the partition the barrier stage hands it: the sizes
 * of both sets (so each shard's size, i ≡ rank mod N), the example shape, and where the shard may
 * live.
 *
 * @param trainSize training examples over all ranks
 * @param testSize test examples over all ranks
 * @param shape shape of one example
 * @param numClasses labels lie in {@code [0, numClasses)}
 * @param offHeapMaxBytes a shard larger than this is memory-mapped from a local file
 * @param encoding {@code data.shard.encoding}
 */
public record ShardSpec(
    int trainSize,
    int testSize,
    int[] shape,
    int numClasses,
    long offHeapMaxBytes,
    ShardEncoding encoding)
    implements Serializable {

  /**
   * Streams the partition of rank {@code rank} into its training and test shards, each example at
   * position index div N, so the shard's order is that of the source whatever order the shuffle
   * delivers.
   *
   * @param spillDir the executor's local directory, for shards beyond the off-heap budget
   */
  public RankData read(Iterator<?> partition, int rank, int world, Path spillDir) {
    ShardStorage storage = new ShardStorage(offHeapMaxBytes, spillDir, encoding);
    LocalShard train =
        new LocalShard(LocalShard.rowsOf(trainSize, rank, world), shape, numClasses, storage);
    LocalShard test =
        new LocalShard(LocalShard.rowsOf(testSize, rank, world), shape, numClasses, storage);
    try {
      while (partition.hasNext()) {
        @SuppressWarnings("unchecked")
        Tuple2<Long, ShardExample> record = (Tuple2<Long, ShardExample>) partition.next();
        long key = record._1();
        long index = ShardKey.index(key);
        if (index % world != rank) {
          throw new IllegalStateException(
              "example " + index + " reached rank " + rank + " of " + world);
        }
        LocalShard target = ShardKey.isTest(key) ? test : train;
        target.put((int) (index / world), record._2().features(), record._2().label());
      }
      if (train.missing() != 0 || test.missing() != 0) {
        throw new IllegalStateException(
            "rank "
                + rank
                + "'s partition lacks "
                + train.missing()
                + " training and "
                + test.missing()
                + " test examples; the source changed between reading its size and its rows");
      }
    } catch (RuntimeException e) {
      train.close();
      test.close();
      throw e;
    }
    return RankData.sharded(train, test, trainSize);
  }
}
