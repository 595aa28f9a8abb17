package ringtrain.worker.data;

import java.nio.file.Path;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.DataConfig.ShardEncoding;

/**
 * Where and how a rank's {@link LocalShard} keeps its features.
 *
 * @param offHeapMaxBytes a shard whose features take more bytes than this is memory-mapped from a
 *     file under {@code spillDir} instead of held in direct memory
 * @param spillDir the executor's local directory; used only for memory-mapped shards
 * @param encoding {@code data.shard.encoding}
 */
public record ShardStorage(long offHeapMaxBytes, Path spillDir, ShardEncoding encoding) {
  /** {@code data.shard.offheap_max_mb} and {@code data.shard.encoding} of {@code cfg}. */
  public static ShardStorage of(DataConfig cfg, Path spillDir) {
    return new ShardStorage(offHeapMaxBytes(cfg), spillDir, cfg.shardEncoding());
  }

  /** {@code data.shard.offheap_max_mb} in bytes. */
  public static long offHeapMaxBytes(DataConfig cfg) {
    return (long) cfg.shardOffHeapMaxMb() << 20;
  }
}
