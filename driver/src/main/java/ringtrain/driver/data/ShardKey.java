package ringtrain.driver.data;

import org.apache.spark.Partitioner;

/**
 * The shuffle key of an example with placement shard: its index in its set and which set, packed
 * into one {@code long} (2·i for training example i, 2·j + 1 for test example j). Example i of
 * either set goes to rank i mod N, at position i div N of that rank's shard, so the shards' sizes
 * differ by at most one and their order does not depend on the order the shuffle delivers them.
 */
public final class ShardKey extends Partitioner {
  private static final long serialVersionUID = 1L;

  private final int world;

  /**
   * @param world the number of ranks N, one partition each
   */
  public ShardKey(int world) {
    this.world = world;
  }

  /** The key of training example {@code index}. */
  static long train(long index) {
    return index << 1;
  }

  /** The key of test example {@code index}. */
  static long test(long index) {
    return (index << 1) | 1;
  }

  /** Whether {@code key} names a test example. */
  public static boolean isTest(long key) {
    return (key & 1) != 0;
  }

  /** The example's index in its set. */
  public static long index(long key) {
    return key >>> 1;
  }

  @Override
  public int numPartitions() {
    return world;
  }

  @Override
  public int getPartition(Object key) {
    return (int) (index((Long) key) % world);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardKey other && other.world == world;
  }

  @Override
  public int hashCode() {
    return world;
  }
}
